"""Age bands used for disaggregation, and ages at a date."""

from __future__ import annotations

import datetime

# (code, lowest age, highest age or None). The bands of humanitarian reporting in the Sahel.
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
    ("25-59", 25, 59),
    ("60+", 60, None),
]
AGE_BAND_CODES = [code for code, _low, _high in AGE_BANDS]
UNKNOWN = "unknown"


def age_on(birth_date: datetime.date | None, on: datetime.date) -> int | None:
    if birth_date is None:
        return None
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def band_for_age(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return UNKNOWN


def birth_bounds(band: str, on: datetime.date) -> tuple[datetime.date | None, datetime.date | None]:
    """Birth dates (after, up to) of people whose age on ``on`` falls in ``band``."""
    for code, low, high in AGE_BANDS:
        if code == band:
            latest = _years_before(on, low)
            earliest = None if high is None else _years_before(on, high + 1)
            return earliest, latest
    raise ValueError(band)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)

"""Reporting periods: months, quarters and years as date ranges."""

from __future__ import annotations

import calendar
import datetime

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"


def bounds(kind: str, year: int, number: int = 1) -> tuple[datetime.date, datetime.date]:
    """First and last day of month ``number``, quarter ``number`` or the year."""
    if kind == MONTH:
        last = calendar.monthrange(year, number)[1]
        return datetime.date(year, number, 1), datetime.date(year, number, last)
    if kind == QUARTER:
        first_month = 3 * (number - 1) + 1
        last_month = first_month + 2
        last = calendar.monthrange(year, last_month)[1]
        return datetime.date(year, first_month, 1), datetime.date(year, last_month, last)
    if kind == YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    raise ValueError(kind)


def containing(kind: str, day: datetime.date) -> tuple[int, int]:
    """(year, number) of the period of ``kind`` that contains ``day``."""
    if kind == MONTH:
        return day.year, day.month
    if kind == QUARTER:
        return day.year, (day.month - 1) // 3 + 1
    return day.year, 1


def label(kind: str, year: int, number: int = 1) -> str:
    if kind == MONTH:
        return f"{year}-{number:02d}"
    if kind == QUARTER:
        return f"{year} T{number}"
    return str(year)


def iterate(kind: str, start: datetime.date, end: datetime.date):
    """Every (year, number) of ``kind`` overlapping [start, end], in order."""
    year, number = containing(kind, start)
    while True:
        first, _last = bounds(kind, year, number)
        if first > end:
            return
        yield year, number
        limit = {MONTH: 12, QUARTER: 4, YEAR: 1}[kind]
        number += 1
        if number > limit:
            year, number = year + 1, 1

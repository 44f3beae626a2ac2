import datetime
import html

import pytest

from suivi.delivery.services import attendance_record
from tests import helpers

Q1_DAY = datetime.date(2026, 2, 10)
Q2_DAY = datetime.date(2026, 5, 12)


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English, the source language, so that assertions do not follow translations."""
    settings.LANGUAGE_CODE = "en"


def quarter(project, number: int, year: int = 2026):
    return project.periods.get(kind="quarter", year=year, number=number)


def year_period(project, year: int = 2026):
    return project.periods.get(kind="year", year=year)


def attend(session, *persons) -> None:
    attendance_record(session=session, persons=list(persons), by=None)


def text(response) -> str:
    """The page as the user reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


@pytest.fixture
def attended(world):
    """A computed indicator of PA-EDU by sex (persons present at trainings), and its Q1 2026."""
    indicator = helpers.create_indicator(
        world.pa,
        definition={"source": "attendance", "measure": "persons", "session_kinds": ["training"]},
        disaggregations=["sex"],
    )
    return indicator, quarter(world.pa, 1)

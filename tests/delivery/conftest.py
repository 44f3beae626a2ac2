import datetime

import pytest

from suivi.projects import services as project_services
from tests import helpers


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English, the source language, so that assertions do not follow translations."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def lock_first_quarter(world):
    """Lock the first quarter of 2026 of project PA-EDU, where the world's sessions are dated."""

    def _lock():
        period = world.pa.periods.get(kind="quarter", year=2026, number=1)
        project_services.period_lock(period=period, by=world.me_a)
        return period

    return _lock


@pytest.fixture
def keitas(world):
    """Two persons registered in PA-EDU with partner P, both found by searching "keita"."""
    mariam = helpers.create_person(
        world.pa,
        partner=world.p,
        family_name="Keïta",
        given_name="Mariam",
        birth_date=datetime.date(2010, 5, 1),
    )
    oumar = helpers.create_person(
        world.pa,
        partner=world.p,
        family_name="Keita",
        given_name="Oumar",
        sex="M",
        birth_date=datetime.date(1990, 1, 1),
    )
    return mariam, oumar

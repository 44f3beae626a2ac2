import io

import pytest
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English, the source language, so that assertions do not follow translations."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def areas(db):
    """The areas Suivi ships, loaded as run.py loads them."""
    call_command("places_load", stdout=io.StringIO())

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English, the source language, so that assertions do not follow translations."""
    settings.LANGUAGE_CODE = "en"

import pytest


@pytest.fixture(autouse=True)
def _english_and_media(settings, tmp_path):
    """Pages in English, the source language, so that assertions do not follow translations;
    submitted files in a folder of the test's own."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"

import pytest

from tests import helpers


@pytest.fixture(autouse=True)
def _english_and_private_media(settings, tmp_path):
    """Pages in English (the source language) and uploaded files in a directory of the test."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def places(db):
    """Regions of Mali and a cercle, as the P-code tables name them."""
    segou = helpers.create_area("ML04", "Ségou", 1)
    return {
        "segou": segou,
        "segou_cercle": helpers.create_area("ML0401", "Ségou", 2, parent=segou),
        "tombouctou": helpers.create_area("ML06", "Tombouctou", 1),
        "gao": helpers.create_area("ML07", "Gao", 1),
    }

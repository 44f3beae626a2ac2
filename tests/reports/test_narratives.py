"""The narrative of a period: written by agency staff, with photos, kept for the donor reports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.reports.models import ReportNarrative, ReportPhoto
from tests import helpers
from tests.reports.conftest import quarter, text


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page(project, period) -> str:
    return reverse("reports:narratives", args=[project.pk]) + f"?period={period.pk}"


def sections(**texts) -> dict:
    data = dict.fromkeys(ReportNarrative.Section.values, "")
    data.update(texts)
    return data


def test_me_officer_writes_the_narrative_of_a_quarter_with_a_photo(world, login):
    q1 = quarter(world.pa, 1)
    photo = SimpleUploadedFile("ecole.png", helpers.png_bytes(), content_type="image/png")
    data = sections(achievements="120 élèves formés", lessons="Commencer tôt")
    data.update(photo=photo, photo_section="success_stories", caption="Awa à l'école")

    response = login(world.me_a).post(page(world.pa, q1), data, follow=True)

    assert response.status_code == 200
    assert "Q1 2026: the narrative is saved." in text(response)
    saved = dict(ReportNarrative.objects.filter(period=q1).values_list("section", "text"))
    assert saved == {
        "achievements": "120 élèves formés",
        "lessons": "Commencer tôt",
        "success_stories": "",
    }
    stored = ReportPhoto.objects.get()
    assert stored.caption == "Awa à l'école"
    assert stored.image.name.startswith("reports/photos/")
    assert AuditEvent.objects.filter(action="report_narrative.create").count() == 2
    assert AuditEvent.objects.filter(action="report_photo.create").count() == 1
    shown = login(world.me_a).get(page(world.pa, q1))
    assert "120 élèves formés" in text(shown)
    photo_url = reverse("reports:photo_file", args=[stored.pk])
    assert photo_url in text(shown)
    assert login(world.me_a).get(photo_url).status_code == 200


def test_saving_again_changes_only_the_edited_section(world, login):
    q1 = quarter(world.pa, 1)
    client = login(world.assistant_a)
    client.post(page(world.pa, q1), sections(achievements="A", challenges="B"))
    client.post(page(world.pa, q1), sections(achievements="A", challenges="B, corrigé"))

    texts = dict(ReportNarrative.objects.filter(period=q1).values_list("section", "text"))
    assert texts == {"achievements": "A", "challenges": "B, corrigé"}
    assert AuditEvent.objects.filter(action="report_narrative.update").count() == 1


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(world, login):
    q1 = quarter(world.pa, 1)
    data = sections(achievements="Texte")
    data["photo"] = SimpleUploadedFile("notes.png", b"not an image", content_type="image/png")

    response = login(world.me_a).post(page(world.pa, q1), data)

    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    assert not ReportNarrative.objects.exists()
    assert not ReportPhoto.objects.exists()


def test_donor_and_partner_cannot_write_and_outsider_gets_404(world, login):
    q1 = quarter(world.pa, 1)
    assert login(world.donor_a).get(page(world.pa, q1)).status_code == 403
    assert (
        login(world.partner_p).post(page(world.pa, q1), sections(achievements="x")).status_code
        == 403
    )
    assert login(world.outsider_b).get(page(world.pa, q1)).status_code == 404
    assert not ReportNarrative.objects.exists()


def test_photo_is_hidden_from_donors_and_outsiders_and_removed_by_staff(world, login):
    photo = helpers.create_report_photo(world.pa, quarter(world.pa, 1))
    url = reverse("reports:photo_file", args=[photo.pk])
    assert login(world.donor_a).get(url).status_code == 404
    assert login(world.outsider_b).get(url).status_code == 404

    response = login(world.me_a).post(reverse("reports:photo_remove", args=[photo.pk]))

    assert response.status_code == 302
    assert not ReportPhoto.objects.exists()

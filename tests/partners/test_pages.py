"""The pages of agreements and partner reports, through HTTP, for each persona."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from suivi.partners import services
from suivi.partners.models import Agreement, PartnerReport
from tests import helpers
from tests.projects.pages import text

D = datetime.date
PDF = b"%PDF-1.4 rapport financier"


def _file(name="rapport.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _agreement_post(world, **changes) -> dict:
    data = {
        "partner": world.p.pk,
        "reference": "ACC-2026-007",
        "title": "Appui aux clubs scolaires",
        "start_date": "2026-01-01",
        "end_date": "2026-06-30",
        "amount": "18000000",
        "currency": "XOF",
        "status": "active",
        "report_frequency": "quarter",
        "report_due_days": "15",
    }
    data.update(changes)
    return data


@pytest.fixture
def agreements(world):
    """An agreement of project PA with partner P, another with Q, one of PB (agency B) with P."""
    p = helpers.create_agreement(world.pa, world.p, reference="ACC-P", title="Accord P")
    q = helpers.create_agreement(world.pa, world.q, reference="ACC-Q", title="Accord Q")
    b = helpers.create_agreement(world.pb, world.p, reference="ACC-B", title="Accord B")
    return p, q, b


def _first(agreement) -> PartnerReport:
    return agreement.reports.order_by("due_date", "kind").first()


# --- Agreements -----------------------------------------------------------------------------


def test_programme_manager_creates_an_agreement_and_sees_its_reports(world, login):
    client = login(world.manager_a)
    url = reverse("partners:agreement_create", args=[world.pa.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _agreement_post(world), follow=True)

    agreement = Agreement.objects.get(reference="ACC-2026-007")
    assert agreement.created_by == world.manager_a
    page = text(response)
    assert "The agreement ACC-2026-007 is created with 6 reports to follow." in page
    assert "Final narrative report" in page and "15/07/2026" in page
    assert "01/04/2026 – 30/06/2026" in page


def test_agreement_form_names_what_is_wrong(world, login):
    client = login(world.manager_a)
    url = reverse("partners:agreement_create", args=[world.pa.pk])
    response = client.post(url, _agreement_post(world, end_date="2025-06-30"))
    assert response.status_code == 200
    assert "The agreement ends before it starts" in text(response)
    assert not Agreement.objects.exists()


def test_agreement_form_offers_only_the_projects_partners(world, login):
    stranger = helpers.create_organisation("ONG Étrangère", acronym="OE")
    client = login(world.manager_a)
    url = reverse("partners:agreement_create", args=[world.pa.pk])
    assert "ONG Étrangère" not in text(client.get(url))
    response = client.post(url, _agreement_post(world, partner=stranger.pk))
    assert "This organisation is not a partner of the project" in text(response)
    assert not Agreement.objects.exists()


def test_assistant_and_partner_cannot_create_agreements(world, login):
    url = reverse("partners:agreement_create", args=[world.pa.pk])
    for user in (world.assistant_a, world.partner_p, world.me_a):
        assert login(user).get(url).status_code == 403


def test_manager_edits_an_agreement(world, login, agreements):
    agreement = agreements[0]
    client = login(world.manager_a)
    url = reverse("partners:agreement_edit", args=[agreement.pk])
    data = _agreement_post(world, reference="ACC-P", title="Accord P révisé", status="suspended")
    response = client.post(url, data, follow=True)
    assert "The changes are saved." in text(response)
    agreement.refresh_from_db()
    assert agreement.title == "Accord P révisé" and agreement.status == "suspended"
    assert agreement.report_frequency == "quarter"


def test_project_pages_link_to_the_agreements(world, login, agreements):
    page = text(login(world.manager_a).get(reverse("projects:detail", args=[world.pa.pk])))
    assert reverse("partners:agreement_list", args=[world.pa.pk]) in page


def test_project_agreements_list_their_reports_with_days_late(world, login, agreements):
    p, q, _b = agreements
    page = text(login(world.manager_a).get(reverse("partners:agreement_list", args=[world.pa.pk])))
    assert "Accord P" in page and "Accord Q" in page and "Accord B" not in page
    assert "Expected" in page and "15/04/2026" in page
    report = _first(p)
    late = (timezone.localdate() - report.due_date).days
    if late > 0:
        assert f"{late} days late" in page


# --- Who sees what --------------------------------------------------------------------------


def test_partner_focal_point_sees_only_their_own_agreements(world, login, agreements):
    p, q, b = agreements
    client = login(world.partner_p)
    page = text(client.get(reverse("partners:agreement_list", args=[world.pa.pk])))
    assert "Accord P" in page and "Accord Q" not in page
    assert client.get(reverse("partners:agreement_detail", args=[p.pk])).status_code == 200
    assert client.get(reverse("partners:agreement_detail", args=[q.pk])).status_code == 404
    assert client.get(reverse("partners:agreement_detail", args=[b.pk])).status_code == 404
    assert client.get(reverse("partners:report_submit", args=[_first(q).pk])).status_code == 404


def test_donor_sees_no_agreement_and_no_report(world, login, agreements):
    p, _q, _b = agreements
    client = login(world.donor_a)
    assert client.get(reverse("partners:agreement_detail", args=[p.pk])).status_code == 404
    page = text(client.get(reverse("partners:agreement_list", args=[world.pa.pk])))
    assert "Accord P" not in page
    page = text(client.get(reverse("partners:due_list")))
    assert "ACC-P" not in page and "No report is owed." in page


def test_outsider_of_another_agency_sees_nothing(world, login, agreements):
    p, _q, _b = agreements
    client = login(world.outsider_b)
    assert client.get(reverse("partners:agreement_detail", args=[p.pk])).status_code == 404
    assert client.get(reverse("partners:report_review", args=[_first(p).pk])).status_code == 404
    assert "ACC-P" not in text(client.get(reverse("partners:due_list")))


# --- Submitting and reviewing ---------------------------------------------------------------


def test_partner_focal_point_submits_a_report_with_its_file(world, login, agreements):
    report = _first(agreements[0])
    client = login(world.partner_p)
    url = reverse("partners:report_submit", args=[report.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"file": _file(), "note": "Tableau en annexe"}, follow=True)

    assert "is submitted; the agency will review it." in text(response)
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == world.partner_p
    download = client.get(reverse("partners:report_file", args=[report.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_staff_submit_on_the_partners_behalf(world, login, agreements):
    report = _first(agreements[0])
    client = login(world.assistant_a)
    response = client.post(reverse("partners:report_submit", args=[report.pk]), {"file": _file()})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.submitted_by == world.assistant_a


def test_submit_form_refuses_a_file_that_is_not_a_document(world, login, agreements):
    report = _first(agreements[0])
    response = login(world.partner_p).post(
        reverse("partners:report_submit", args=[report.pk]),
        {"file": _file("rapport.html", b"<script>alert(1)</script>")},
    )
    assert response.status_code == 200
    assert "Send the document as one of these types of file: pdf" in text(response)
    report.refresh_from_db()
    assert report.status == "expected"


def test_submit_form_refuses_a_file_over_the_limit(world, login, agreements, settings):
    settings.SUIVI_MAX_UPLOAD_BYTES = 1024
    report = _first(agreements[0])
    response = login(world.partner_p).post(
        reverse("partners:report_submit", args=[report.pk]), {"file": _file(content=b"x" * 4096)}
    )
    assert "The file weighs 4.0 KB; the limit is 1.0 KB: send a smaller file." in text(response)


def test_submit_form_asks_for_the_file(world, login, agreements):
    report = _first(agreements[0])
    response = login(world.partner_p).post(
        reverse("partners:report_submit", args=[report.pk]), {"note": "sans fichier"}
    )
    assert "Attach the report's file" in text(response)


def test_partner_focal_point_cannot_review_their_own_report(world, login, agreements):
    report = _first(agreements[0])
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    client = login(world.partner_p)
    url = reverse("partners:report_review", args=[report.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "accept"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_assistant_cannot_review_a_report(world, login, agreements):
    report = _first(agreements[0])
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    assert (
        login(world.assistant_a)
        .get(reverse("partners:report_review", args=[report.pk]))
        .status_code
        == 403
    )


def test_me_officer_accepts_a_submitted_report(world, login, agreements):
    report = _first(agreements[0])
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    client = login(world.me_a)
    url = reverse("partners:report_review", args=[report.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "accept", "reason": ""}, follow=True)
    assert "The report is accepted." in text(response)
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == world.me_a


def test_manager_returns_a_report_and_the_partner_reads_why(world, login, agreements):
    report = _first(agreements[0])
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    url = reverse("partners:report_review", args=[report.pk])
    response = login(world.manager_a).post(url, {"decision": "return", "reason": ""})
    assert "Say what the partner must correct." in text(response)

    login(world.manager_a).post(
        url, {"decision": "return", "reason": "Le budget par ligne manque."}
    )
    report.refresh_from_db()
    assert report.status == "returned"
    page = text(login(world.partner_p).get(reverse("partners:due_list")))
    assert "Le budget par ligne manque." in page and "Submit again" in page


def test_accepting_a_report_never_submitted_says_so(world, login, agreements):
    report = _first(agreements[0])
    response = login(world.me_a).post(
        reverse("partners:report_review", args=[report.pk]), {"decision": "accept"}
    )
    assert response.status_code == 200
    assert "This report has not been submitted" in text(response)


def test_manager_moves_a_due_date_and_a_date_before_the_period_end_is_refused(
    world, login, agreements
):
    report = _first(agreements[0])
    client = login(world.manager_a)
    url = reverse("partners:report_edit", args=[report.pk])
    data = {"period_start": "2026-01-01", "period_end": "2026-03-31", "due_date": "2026-03-15"}
    response = client.post(url, data)
    assert "choose a due date on or after 31/03/2026" in text(response)
    data["due_date"] = "2026-04-30"
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.due_date == D(2026, 4, 30)
    assert login(world.partner_p).get(url).status_code == 403


# --- What a partner owes --------------------------------------------------------------------


def test_partner_focal_point_lists_what_they_owe_by_due_date(world, login, agreements):
    p, _q, _b = agreements
    accepted = _first(p)
    services.partner_report_submit(report=accepted, by=world.partner_p, file=_file())
    services.partner_report_accept(report=accepted, by=world.me_a)

    page = text(login(world.partner_p).get(reverse("partners:due_list")))

    assert "ACC-P" in page and "ACC-Q" not in page and "ACC-B" not in page
    assert f'id="report-{accepted.pk}"' not in page
    assert page.index("15/07/2026") < page.index("15/10/2026")


def test_pages_are_in_french_by_default(world, client, agreements, settings):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(world.partner_p)
    page = text(client.get(reverse("partners:agreement_detail", args=[agreements[0].pk])))
    assert "Rapport narratif final" in page and "Rapports du partenaire" in page


def test_the_due_list_leaves_out_what_a_draft_or_suspended_agreement_would_ask(world, login):
    helpers.create_agreement(world.pa, world.p, reference="ACC-DRAFT", status="draft")
    helpers.create_agreement(world.pa, world.p, reference="ACC-SUSP", status="suspended")
    helpers.create_agreement(world.pa, world.q, reference="ACC-ACTIVE")

    page = text(login(world.manager_a).get(reverse("partners:due_list")))

    assert "ACC-ACTIVE" in page
    assert "ACC-DRAFT" not in page and "ACC-SUSP" not in page

"""The workflows of agreements and partner reports, and the messages that refuse bad input."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from suivi.audit.models import AuditEvent
from suivi.partners import services
from suivi.partners.models import Agreement, PartnerReport
from tests import helpers

D = datetime.date
PDF = b"%PDF-1.4 rapport narratif"


def _file(name="rapport.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _data(world, **changes):
    data = {
        "partner": world.p,
        "reference": "ACC-2026-001",
        "title": "Appui à la scolarisation",
        "start_date": D(2026, 1, 1),
        "end_date": D(2026, 12, 31),
        "amount": 25_000_000,
        "currency": "XOF",
        "status": "active",
        "report_frequency": "quarter",
        "report_due_days": 15,
    }
    data.update(changes)
    return data


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages).replace("\xa0", " ")


@pytest.fixture
def report(world):
    agreement = helpers.create_agreement(world.pa, world.p)
    return agreement.reports.order_by("due_date", "kind").first()


def test_an_agreement_ending_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            project=world.pa, by=world.manager_a, data=_data(world, end_date=D(2025, 12, 1))
        )
    assert "The agreement ends before it starts" in _messages(caught.value)
    assert not Agreement.objects.exists() and not PartnerReport.objects.exists()


def test_an_agreement_with_an_organisation_that_is_not_a_partner_of_the_project_is_refused(world):
    stranger = helpers.create_organisation("ONG R", acronym="R")
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            project=world.pa, by=world.manager_a, data=_data(world, partner=stranger)
        )
    assert "R is not a partner of the project PA-EDU" in _messages(caught.value)


def test_a_reference_is_used_once_in_an_organisation(world):
    services.agreement_create(project=world.pa, by=world.manager_a, data=_data(world))
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            project=world.pa, by=world.manager_a, data=_data(world, partner=world.q)
        )
    assert "The reference ACC-2026-001 is already used" in _messages(caught.value)


def test_refusals_are_in_french_for_french_users(world):
    with translation.override("fr"):
        with pytest.raises(ValidationError) as caught:
            services.agreement_create(
                project=world.pa, by=world.manager_a, data=_data(world, end_date=D(2025, 12, 1))
            )
        assert "L'accord se termine avant de commencer" in _messages(caught.value)


def test_editing_an_agreement_is_audited_with_its_changes(world):
    agreement = services.agreement_create(project=world.pa, by=world.manager_a, data=_data(world))
    services.agreement_update(
        agreement=agreement, by=world.manager_a, data=_data(world, amount=30_000_000)
    )
    event = AuditEvent.objects.get(action="agreement.update")
    assert event.changes == {"amount": ["25000000", "30000000"]}


def test_a_due_date_before_the_end_of_the_period_is_refused(world, report):
    with pytest.raises(ValidationError) as caught:
        services.partner_report_update(
            report=report,
            by=world.manager_a,
            data={
                "period_start": D(2026, 1, 1),
                "period_end": D(2026, 3, 31),
                "due_date": D(2026, 3, 1),
            },
        )
    assert "choose a due date on or after 31/03/2026" in _messages(caught.value)


def test_a_report_due_date_can_be_moved_one_by_one(world, report):
    services.partner_report_update(
        report=report,
        by=world.manager_a,
        data={
            "period_start": D(2026, 1, 1),
            "period_end": D(2026, 3, 31),
            "due_date": D(2026, 4, 30),
        },
    )
    report.refresh_from_db()
    assert report.due_date == D(2026, 4, 30)
    assert AuditEvent.objects.get(action="partner_report.update").changes == {
        "due_date": ["2026-04-15", "2026-04-30"]
    }


def test_submit_then_accept_records_who_and_when(world, report):
    services.partner_report_submit(
        report=report, by=world.partner_p, file=_file(), note="Voir p. 3"
    )
    report.refresh_from_db()
    assert report.status == "submitted" and report.submitted_by == world.partner_p
    assert report.submitted_at is not None and report.file.name.endswith(".pdf")

    services.partner_report_accept(report=report, by=world.me_a)
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == world.me_a
    actions = AuditEvent.objects.filter(target_type="partners.partnerreport")
    assert sorted(actions.values_list("action", flat=True)) == [
        "partner_report.accept",
        "partner_report.submit",
    ]


def test_a_returned_report_says_why_and_is_submitted_again(world, report):
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    services.partner_report_return(
        report=report, by=world.manager_a, reason="Les pièces justificatives manquent."
    )
    report.refresh_from_db()
    assert report.status == "returned"
    assert report.return_reason == "Les pièces justificatives manquent."

    services.partner_report_submit(report=report, by=world.partner_p, file=_file("v2.pdf"))
    report.refresh_from_db()
    assert report.status == "submitted"
    event = AuditEvent.objects.filter(action="partner_report.submit").order_by("-pk").first()
    assert event.changes["again"] is True


def test_returning_needs_a_reason(world, report):
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    with pytest.raises(ValidationError) as caught:
        services.partner_report_return(report=report, by=world.manager_a, reason="  ")
    assert "Say what the partner must correct." in _messages(caught.value)


def test_accepting_a_report_never_submitted_is_refused(world, report):
    with pytest.raises(ValidationError) as caught:
        services.partner_report_accept(report=report, by=world.me_a)
    assert "This report has not been submitted" in _messages(caught.value)
    report.refresh_from_db()
    assert report.status == "expected"


def test_an_accepted_report_no_longer_changes(world, report):
    services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    services.partner_report_accept(report=report, by=world.me_a)
    with pytest.raises(ValidationError) as caught:
        services.partner_report_submit(report=report, by=world.partner_p, file=_file())
    assert "already accepted" in _messages(caught.value)


def test_a_file_over_the_upload_limit_is_refused(world, report, settings):
    settings.SUIVI_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as caught:
        services.partner_report_submit(
            report=report, by=world.partner_p, file=_file(content=b"x" * 4096)
        )
    assert "The file weighs 4.0 KB; the limit is 1.0 KB: send a smaller file." in _messages(
        caught.value
    )
    report.refresh_from_db()
    assert report.status == "expected" and not report.file


def test_a_file_that_is_not_a_document_is_refused(world, report):
    with pytest.raises(ValidationError) as caught:
        services.partner_report_submit(
            report=report, by=world.partner_p, file=_file("rapport.exe", b"MZ")
        )
    assert "Send the document as one of these types of file: pdf" in _messages(caught.value)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": datetime.date(9999, 12, 31)}, "end_date", "10 years at most"),
        ({"end_date": datetime.date(2040, 1, 1)}, "end_date", "10 years at most"),
        ({"report_due_days": 30000}, "report_due_days", "at most 180 days"),
    ],
)
def test_an_agreement_too_long_or_reports_due_too_late_are_refused_and_nothing_is_written(
    world, changes, field, message
):
    with pytest.raises(ValidationError) as refused:
        helpers.create_agreement(world.pa, world.p, **changes)

    assert message in " ".join(refused.value.message_dict[field])
    assert not Agreement.objects.exists() and not PartnerReport.objects.exists()

"""Workflows of partnership agreements and partner reports: create and edit an agreement (its
reports are generated from its frequency), change one report's dates, submit a report, accept
it or return it for correction. Each writes its audit event in its own transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suivi.accounts.models import DATA_ENTRY_ROLES, ME_ROLES, User, has_role, partner_of
from suivi.audit import services as audit
from suivi.lib import uploads
from suivi.partners.models import Agreement, PartnerReport
from suivi.projects.models import Project
from suivi.projects.services import PROJECT_MANAGER_ROLES

AGREEMENT_FIELDS = [
    "partner",
    "reference",
    "title",
    "start_date",
    "end_date",
    "amount",
    "currency",
    "status",
    "report_frequency",
    "report_due_days",
]
REPORT_SCHEDULE_FIELDS = ["period_start", "period_end", "due_date"]

# Roles that write agreements: administrators and programme managers.
AGREEMENT_MANAGER_ROLES = PROJECT_MANAGER_ROLES
# Roles that accept or return a partner's report.
REVIEWER_ROLES = ME_ROLES


# --- Who may do what ----------------------------------------------------------------------------


def agreement_can_edit(*, user: User, project: Project) -> bool:
    return has_role(user, AGREEMENT_MANAGER_ROLES, project) and partner_of(user, project) is None


def report_can_submit(*, user: User, report: PartnerReport) -> bool:
    """The partner's focal point submits their own partner's reports; agency staff who enter
    data may submit on the partner's behalf."""
    partner_id = report.agreement.partner_id
    if not has_role(user, DATA_ENTRY_ROLES, report.agreement.project, partner_id):
        return False
    own = partner_of(user, report.agreement.project)
    return own is None or own == partner_id


def report_can_review(*, user: User, report: PartnerReport) -> bool:
    """Programme managers and M&E officers of the agency review; never the partner itself."""
    project = report.agreement.project
    return has_role(user, REVIEWER_ROLES, project) and partner_of(user, project) is None


# --- Agreements ---------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, project: Project, by: User | None, data: dict) -> Agreement:
    """Create an agreement of ``project`` with one of its partners and generate the reports the
    partner owes under it."""
    agreement = Agreement(organisation_id=project.organisation_id, project=project, **data)
    audit.save_new(agreement, by=by, action="agreement.create")
    reports = PartnerReport.objects.bulk_create(agreement.schedule())
    audit.record(
        actor=by,
        action="partner_report.schedule",
        target=agreement,
        changes={"reports": len(reports), "frequency": agreement.report_frequency},
    )
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, by: User, data: dict) -> Agreement:
    """Change an agreement's facts. Its reports keep their dates: change them one by one."""
    return audit.save_changes(
        agreement, by=by, action="agreement.update", data=data, fields=AGREEMENT_FIELDS
    )


# --- Reports ------------------------------------------------------------------------------------


def _refuse_accepted(report: PartnerReport) -> None:
    if report.status == PartnerReport.Status.ACCEPTED:
        raise ValidationError(_("This report is already accepted: it can no longer change."))


@transaction.atomic
def partner_report_update(*, report: PartnerReport, by: User, data: dict) -> PartnerReport:
    """Change the period or the due date of one report of the schedule."""
    _refuse_accepted(report)
    return audit.save_changes(
        report, by=by, action="partner_report.update", data=data, fields=REPORT_SCHEDULE_FIELDS
    )


@transaction.atomic
def partner_report_submit(*, report: PartnerReport, by: User, file, note: str = "") -> None:
    """Submit a report with its file: expected or returned reports only."""
    _refuse_accepted(report)
    if report.status == PartnerReport.Status.SUBMITTED:
        raise ValidationError(
            _("This report is already submitted and waits for its review: nothing to send.")
        )
    if not file:
        raise ValidationError(
            {"file": _("Attach the report's file: a document, a spreadsheet or a scan.")}
        )
    try:
        uploads.check_document(file)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    again = report.status == PartnerReport.Status.RETURNED
    report.file = file
    report.note = note.strip()
    report.status = PartnerReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.save(
        update_fields=["file", "note", "status", "submitted_at", "submitted_by", "updated_at"]
    )
    audit.record(
        actor=by,
        action="partner_report.submit",
        target=report,
        changes={"file": report.file.name, "again": again},
    )


def _review(report: PartnerReport, *, by: User, status: str, reason: str = "") -> None:
    report.status = status
    report.reviewed_at = timezone.now()
    report.reviewed_by = by
    report.return_reason = reason
    report.save(
        update_fields=["status", "reviewed_at", "reviewed_by", "return_reason", "updated_at"]
    )


@transaction.atomic
def partner_report_accept(*, report: PartnerReport, by: User) -> None:
    """Accept a submitted report."""
    if report.status == PartnerReport.Status.ACCEPTED:
        return
    if report.status != PartnerReport.Status.SUBMITTED:
        raise ValidationError(
            _(
                "This report has not been submitted: it can be accepted once the partner has "
                "sent it."
            )
        )
    _review(report, by=by, status=PartnerReport.Status.ACCEPTED)
    audit.record(actor=by, action="partner_report.accept", target=report)


@transaction.atomic
def partner_report_return(*, report: PartnerReport, by: User, reason: str) -> None:
    """Return a submitted report for correction, saying why; the partner submits it again."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say what the partner must correct.")})
    if report.status != PartnerReport.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be returned for correction: this one is %(status)s.")
            % {"status": report.get_status_display().lower()}
        )
    _review(report, by=by, status=PartnerReport.Status.RETURNED, reason=reason)
    audit.record(
        actor=by, action="partner_report.return", target=report, changes={"reason": reason}
    )

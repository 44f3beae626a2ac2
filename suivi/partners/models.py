"""Partnership agreements and the reports each partner owes under them.

An agreement binds the project's organisation and one of the project's partners. Its reports
(narrative and financial, one per period and a final one) are generated when it is created and
then followed one by one: expected, submitted, accepted, or returned for correction and
submitted again. A partner focal point sees only their own partner's agreements and reports;
donor viewers see none of them.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from suivi.accounts.models import Gate, GatedQuerySet, Organisation, OwnedModel
from suivi.lib import periods
from suivi.projects.models import Currency, Project

# How many days after the end of its period a report is due, unless the agreement says otherwise.
DEFAULT_DUE_DAYS = 15
# Bounds of what an agreement may ask: beyond them the dates are a typing error.
MAX_DUE_DAYS = 180
MAX_YEARS = 10


class Agreement(OwnedModel):
    """A partnership agreement between the project's organisation and one of its partners."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    class Frequency(models.TextChoices):
        MONTHLY = periods.MONTH, _("Monthly")
        QUARTERLY = periods.QUARTER, _("Quarterly")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner")
    )
    reference = models.CharField(
        _("reference"),
        max_length=60,
        help_text=_("The agreement's number, for example ACC-2026-014."),
    )
    title = models.CharField(_("title"), max_length=255)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.XOF
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    report_frequency = models.CharField(
        _("reporting frequency"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("reports due (days after the period)"),
        default=DEFAULT_DUE_DAYS,
        help_text=_("How many days after the end of each period its reports are due."),
    )

    gate = Gate(partner="partner")

    class Meta:
        ordering = ["project", "reference"]
        verbose_name = _("partnership agreement")
        verbose_name_plural = _("partnership agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="agreement_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="agreement_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.title}"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _(
                "The agreement ends before it starts: give an end date after its start date."
            )
        elif (
            self.start_date
            and self.end_date
            and (self.end_date - self.start_date).days > MAX_YEARS * 366
        ) or (self.end_date and self.end_date.year > datetime.date.max.year - 1):
            errors["end_date"] = _(
                "An agreement runs for %(years)s years at most: check the end date."
            ) % {"years": MAX_YEARS}
        if self.report_due_days is not None and self.report_due_days > MAX_DUE_DAYS:
            errors["report_due_days"] = _(
                "Reports are due at most %(days)s days after their period: enter fewer days."
            ) % {"days": MAX_DUE_DAYS}
        if (
            self.project_id
            and self.partner_id
            and self.partner_id not in self.project.partner_ids()
        ):
            errors["partner"] = _(
                "%(partner)s is not a partner of the project %(project)s: choose one of its "
                "partners, or add this one to the project first."
            ) % {"partner": self.partner, "project": self.project.code}
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("The amount cannot be negative: enter the amount agreed.")
        if self.reference:
            taken = Agreement.objects.filter(
                organisation_id=self.organisation_id, reference=self.reference
            ).exclude(pk=self.pk)
            if taken.exists():
                errors["reference"] = _(
                    "The reference %(reference)s is already used by another agreement: "
                    "choose another."
                ) % {"reference": self.reference}
        if errors:
            raise ValidationError(errors)

    def schedule(self) -> list[PartnerReport]:
        """The reports the partner owes, not yet saved: a narrative and a financial report for
        each month or quarter of the agreement (cut to its dates), each due
        ``report_due_days`` after the end of its period, then the final ones after the end."""
        due = datetime.timedelta(days=self.report_due_days)
        common = {
            "organisation_id": self.organisation_id,
            "agreement": self,
            "project_id": self.project_id,
            "created_by": self.created_by,
        }
        rows = []
        for year, number in periods.iterate(self.report_frequency, self.start_date, self.end_date):
            first, last = periods.bounds(self.report_frequency, year, number)
            first, last = max(first, self.start_date), min(last, self.end_date)
            for kind in PartnerReport.Kind.values:
                rows.append(
                    PartnerReport(
                        kind=kind,
                        period_start=first,
                        period_end=last,
                        due_date=last + due,
                        **common,
                    )
                )
        for kind in PartnerReport.Kind.values:
            rows.append(
                PartnerReport(
                    kind=kind,
                    final=True,
                    period_start=self.start_date,
                    period_end=self.end_date,
                    due_date=self.end_date + due,
                    **common,
                )
            )
        return rows


REPORT_LABELS = {
    ("narrative", False): _("Narrative report"),
    ("financial", False): _("Financial report"),
    ("narrative", True): _("Final narrative report"),
    ("financial", True): _("Final financial report"),
}


class PartnerReportQuerySet(GatedQuerySet):
    def asked(self):
        """Reports of agreements that ask for them: in force, or closed (a closed agreement
        still owes what it has not delivered, its final report included); a draft agreement
        asks nothing yet, a suspended one nothing while it is suspended."""
        return self.filter(agreement__status__in=(Agreement.Status.ACTIVE, Agreement.Status.CLOSED))

    def outstanding(self):
        """Reports the partner still owes: asked, and expected or returned for correction."""
        return self.asked().filter(
            status__in=(PartnerReport.Status.EXPECTED, PartnerReport.Status.RETURNED)
        )


class PartnerReport(OwnedModel):
    """A report a partner owes under an agreement, for a period, by a due date."""

    class Kind(models.TextChoices):
        NARRATIVE = "narrative", _("Narrative")
        FINANCIAL = "financial", _("Financial")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        SUBMITTED = "submitted", pgettext_lazy("partner report", "Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned for correction")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="reports", verbose_name=_("agreement")
    )
    # The agreement's project, kept on the row for the gate, the dashboards and the audit trail.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    final = models.BooleanField(_("final report"), default=False)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.EXPECTED
    )
    file = models.FileField(_("file"), upload_to="partner_reports/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)

    objects = PartnerReportQuerySet.as_manager()
    gate = Gate(partner="agreement__partner")

    class Meta:
        ordering = ["agreement", "due_date", "kind", "pk"]
        verbose_name = _("partner report")
        verbose_name_plural = _("partner reports")
        indexes = [
            models.Index(fields=["project", "status", "due_date"], name="partner_report_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="partner_report_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("period_end")),
                name="partner_report_due_after_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} · {self.label}"

    @property
    def label(self) -> str:
        return str(REPORT_LABELS[(self.kind, self.final)])

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%d/%m/%Y} – {self.period_end:%d/%m/%Y}"

    @property
    def is_outstanding(self) -> bool:
        return self.status in (self.Status.EXPECTED, self.Status.RETURNED)

    def clean(self):
        errors = {}
        start, end, due = self.period_start, self.period_end, self.due_date
        if start and end and end < start:
            errors["period_end"] = _(
                "The period ends before it starts: give an end after %(start)s."
            ) % {"start": start.strftime("%d/%m/%Y")}
        elif end and due and due < end:
            errors["due_date"] = _(
                "The report would be due before the end of the period it covers: choose a due "
                "date on or after %(end)s."
            ) % {"end": end.strftime("%d/%m/%Y")}
        if errors:
            raise ValidationError(errors)

    def days_late(self, today: datetime.date) -> int:
        """Days since the due date of a report still owed; 0 when it is not late."""
        if not self.is_outstanding or self.due_date >= today:
            return 0
        return (today - self.due_date).days

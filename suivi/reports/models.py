"""What reports keep: the narrative written for a period, its photos, generated reports, and
how Suivi's indicators map to a DHIS2 instance (data elements, category option combos and
organisation units, edited by the project's M&E officers)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, Organisation, OwnedModel
from suivi.lib import work
from suivi.places.models import Area
from suivi.projects.models import Indicator, Project, ReportingPeriod


class ReportNarrative(OwnedModel):
    """One section of a period's narrative, written in Suivi and carried into donor reports."""

    class Section(models.TextChoices):
        ACHIEVEMENTS = "achievements", _("Achievements")
        CHALLENGES = "challenges", _("Challenges and corrective measures")
        LESSONS = "lessons", _("Lessons learned")
        SUCCESS_STORIES = "success_stories", _("Success stories")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="narratives")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="narratives")
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    text = models.TextField(_("text"), blank=True)

    # Staff of the project write and read them; donors read them in the reports they receive.
    gate = Gate(partner=None)

    class Meta:
        ordering = ["project", "period", "section"]
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [
            models.UniqueConstraint(fields=["period", "section"], name="narrative_unique_section")
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.get_section_display()}"


class ReportPhoto(OwnedModel):
    """A photo illustrating a narrative section (a success story, most often)."""

    narrative = models.ForeignKey(ReportNarrative, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="reports/photos/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=300, blank=True)

    gate = Gate(project="narrative__project", partner=None)

    class Meta:
        ordering = ["narrative", "created_at", "pk"]
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class DonorReport(OwnedModel):
    """A donor report asked for a period: one file, in one language and one format.

    The row is written when the report is asked for (``waiting``); the worker, or the request
    itself for a small project, builds the content and the file (``generating``, with its step
    and progress), then the report is ``ready`` to download, or ``failed`` with a message that
    says why and what to do. The reports of a project are its documents for the donor.
    """

    class Format(models.TextChoices):
        DOCX = "docx", _("Word (DOCX, editable)")
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", _("PDF")

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly report")
        MONTHLY = "monthly", _("Monthly report")
        QUARTERLY = "quarterly", _("Quarterly report")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        GENERATING = "generating", _("Generating")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Step(models.TextChoices):
        INDICATORS = "indicators", _("Computing the indicators")
        SUMMARY = "summary", _("Counting the summary figures")
        CHART = "chart", _("Drawing the chart")
        NARRATIVE = "narrative", _("Adding the narrative and the annexes")
        RENDERING = "rendering", _("Writing the file")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="donor_reports")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    language = models.CharField(_("language"), max_length=5)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    message = models.TextField(_("message"), blank=True)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/donor/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    seconds = models.FloatField(_("generation time (seconds)"), default=0)

    gate = Gate(partner=None, donors=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("donor report")
        verbose_name_plural = _("donor reports")
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.project.code} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} {self.format}"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.GENERATING)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def waits_long(self) -> bool:
        """Waiting longer than a worker takes to notice: no worker may be running."""
        return (
            self.status == self.Status.WAITING
            and self.created_at < timezone.now() - work.STALE_AFTER
        )


# DHIS2 identifiers: eleven letters and digits, the first a letter.
UID_PATTERN = r"^[A-Za-z][A-Za-z0-9]{10}$"
uid_validator = RegexValidator(
    UID_PATTERN,
    _("A DHIS2 identifier is 11 letters and digits, beginning with a letter (f7n9E0hX8qk)."),
)


def _uid_field(label):
    return models.CharField(label, max_length=11, validators=[uid_validator])


class Dhis2DataElement(models.Model):
    """The DHIS2 data element an indicator's values go to."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="dhis2")
    data_element = _uid_field(_("DHIS2 data element"))

    class Meta:
        verbose_name = _("DHIS2 data element")
        verbose_name_plural = _("DHIS2 data elements")

    def __str__(self) -> str:
        return f"{self.indicator.code} → {self.data_element}"


class Dhis2CategoryOptionCombo(models.Model):
    """The DHIS2 category option combo of one disaggregated cell of an indicator
    (``sex=F|age_band=12-17``). An indicator with such combos sends its mapped cells; one
    without sends its total under the default combo."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="dhis2_combos")
    cell = models.CharField(_("cell"), max_length=200)
    category_option_combo = _uid_field(_("DHIS2 category option combo"))

    class Meta:
        ordering = ["indicator", "cell"]
        verbose_name = _("DHIS2 category option combo")
        verbose_name_plural = _("DHIS2 category option combos")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "cell"], name="dhis2_combo_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.cell} → {self.category_option_combo}"


class Dhis2OrgUnit(models.Model):
    """The DHIS2 organisation unit of an administrative area, for one organisation's
    reporting."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    org_unit = _uid_field(_("DHIS2 organisation unit"))

    class Meta:
        ordering = ["organisation", "area"]
        verbose_name = _("DHIS2 organisation unit")
        verbose_name_plural = _("DHIS2 organisation units")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "area"], name="dhis2_org_unit_unique_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.pcode} → {self.org_unit}"

"""What reports keep: the narrative written for a period, its photos, and generated reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, OwnedModel
from suivi.projects.models import Project, ReportingPeriod


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
    """A donor report generated for a period: one file, in one language and one format."""

    class Format(models.TextChoices):
        DOCX = "docx", _("Word (DOCX, editable)")
        XLSX = "xlsx", _("Excel (XLSX)")
        PDF = "pdf", _("PDF")

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Weekly report")
        MONTHLY = "monthly", _("Monthly report")
        QUARTERLY = "quarterly", _("Quarterly report")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="donor_reports")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    language = models.CharField(_("language"), max_length=5)
    format = models.CharField(_("format"), max_length=5, choices=Format.choices)
    file = models.FileField(_("file"), upload_to="reports/donor/%Y/%m/")
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    seconds = models.FloatField(_("generation time (seconds)"), default=0)

    gate = Gate(partner=None, donors=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("donor report")
        verbose_name_plural = _("donor reports")

    def __str__(self) -> str:
        return f"{self.project.code} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} {self.format}"

"""Imports of partners' lists: the uploaded file, its mapping, its rejected rows, its results.

A batch keeps only the rows that were refused (``ImportRowError``): accepted rows are read again
from the stored file when the batch is committed, so a list of a million rows does not become a
million rows of bookkeeping. What a commit created is keyed by file digest, sheet and row number
(``ImportedRow``): importing the same file again creates nothing twice.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, Organisation, OwnedModel
from suivi.projects.models import Project
from suivi.registry.matching import reason_labels


class ImportBatch(OwnedModel):
    """One uploaded list on its way into the registry: upload, sheet, mapping, checks, commit."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        MAPPED = "mapped", _("Columns mapped")
        VALIDATING = "validating", _("Checking rows")
        VALIDATED = "validated", _("Checked, ready to import")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    kind = models.CharField(_("file type"), max_length=4)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    hidden_sheets = models.JSONField(default=list, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    headers = models.JSONField(_("column titles"), default=list, blank=True)
    hidden_columns = models.JSONField(_("hidden columns"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    registered_on = models.DateField(_("registration date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    message = models.TextField(_("message"), blank=True)
    total_rows = models.PositiveIntegerField(_("rows read"), default=0)
    accepted_rows = models.PositiveIntegerField(_("rows accepted"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rows rejected"), default=0)
    already_imported_rows = models.PositiveIntegerField(_("rows already imported"), default=0)
    created_rows = models.PositiveIntegerField(_("persons created"), default=0)
    registered_like_rows = models.PositiveIntegerField(
        _("rows like persons already registered"), default=0
    )
    repeated_rows = models.PositiveIntegerField(_("rows repeated in the file"), default=0)
    queued_pairs = models.PositiveIntegerField(_("pairs sent for review"), default=0)
    ignored = models.JSONField(_("rows ignored"), default=list, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    committed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    gate = Gate(project="project", partner="partner")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.project.code})"

    @property
    def mapping_by_index(self) -> dict[int, str]:
        return {int(k): v for k, v in self.mapping.items() if v}

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.COMMITTING)

    @property
    def is_open(self) -> bool:
        """Whether the batch can still change (be mapped, checked, imported or cancelled)."""
        return self.status in (
            self.Status.UPLOADED,
            self.Status.MAPPED,
            self.Status.VALIDATED,
            self.Status.FAILED,
        )

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class ImportRowError(models.Model):
    """A refused row: its cells as read, and the problems found, per column."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(_("cells"), default=list)
    errors = models.JSONField(_("errors"), default=list)  # [[column title, message], ...]

    class Meta:
        ordering = ["row_number"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "row_number"], name="import_row_error_unique")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"


class ImportRowMatch(models.Model):
    """An accepted row that looks like a person of the registry or like another row of the
    file: a warning of the check, not a refusal (namesakes are common; a reviewer decides).
    Forgotten when the rows are checked again; the commit sends the pairs to the review queue.

    The row's names are kept as read, since accepted rows are not stored."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_matches")
    row_number = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=260)
    born = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person of the registry"),
    )
    other_row = models.PositiveIntegerField(_("other row of the file"), null=True, blank=True)
    other_name = models.CharField(_("name on the other row"), max_length=260, blank=True)
    other_born = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)  # codes, as DuplicateCandidate

    class Meta:
        ordering = ["row_number", "-score", "pk"]
        verbose_name = _("possible duplicate row")
        verbose_name_plural = _("possible duplicate rows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, other_row__isnull=True)
                | models.Q(person__isnull=True, other_row__isnull=False),
                name="import_row_match_one_other",
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number} ~ {self.person_id or self.other_row}"

    @property
    def score_percent(self) -> int:
        return round(self.score * 100)

    @property
    def reason_labels(self) -> list[str]:
        """The reasons in the active language, as the review queue shows them."""
        return reason_labels(self.reasons)


class ImportedRow(models.Model):
    """A row of a file that became a person. The key (organisation, file digest, sheet, row)
    makes a second import of the same file create nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    file_sha256 = models.CharField(max_length=64)
    sheet = models.CharField(max_length=100)
    row_number = models.PositiveIntegerField()
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="imported_rows")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "file_sha256", "sheet", "row_number"],
                name="imported_row_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_sha256[:8]}:{self.sheet}:{self.row_number}"


class ColumnMapping(models.Model):
    """What a partner's column title fed last time, offered again on their next list."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    header = models.CharField(_("column title (folded)"), max_length=200)
    target = models.CharField(_("field"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "partner", "header"],
                name="column_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.header} -> {self.target}"

"""Projects, donors, the logframe (results tree), indicators, targets, periods and the work plan."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, GatedQuerySet, Organisation, OwnedModel
from suivi.lib import periods
from suivi.places.models import Area, Site
from suivi.projects import definitions


class Bilingual:
    """Models with French and English titles show the one of the active language."""

    def localized(self, field: str) -> str:
        fr = getattr(self, f"{field}_fr")
        en = getattr(self, f"{field}_en")
        if translation.get_language() == "en":
            return en or fr
        return fr or en


class Currency(models.TextChoices):
    XOF = "XOF", _("CFA franc (XOF)")
    MRU = "MRU", _("Ouguiya (MRU)")
    EUR = "EUR", _("Euro (EUR)")
    USD = "USD", _("US dollar (USD)")


class Sector(Bilingual, models.Model):
    """A sector or cluster (education, protection, livelihoods...), with its DAC 5 code if any."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    dac_code = models.CharField(_("OECD DAC 5 code"), max_length=5, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.localized("name")


class Project(Bilingual, OwnedModel):
    """A project led by an organisation, funded by donors and carried out with partners."""

    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=30, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    donors = models.ManyToManyField(
        Organisation, blank=True, related_name="funded_projects", verbose_name=_("donors")
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_projects", verbose_name=_("partners")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    budget = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.XOF
    )
    sectors = models.ManyToManyField(Sector, blank=True, verbose_name=_("sectors"))
    areas = models.ManyToManyField(Area, blank=True, verbose_name=_("areas"))
    iati_identifier = models.CharField(
        _("IATI activity identifier"),
        max_length=100,
        blank=True,
        help_text=_(
            "The organisation's IATI identifier, a hyphen and the project's own code, for "
            "example XM-DAC-41114-PROJECT-00126863."
        ),
    )
    humanitarian = models.BooleanField(
        _("humanitarian"),
        default=False,
        help_text=_("Wholly or partly addressing an emergency (the IATI humanitarian flag)."),
    )
    recipient_country = models.CharField(
        _("recipient country (ISO code)"),
        max_length=2,
        blank=True,
        help_text=_("Two letters, ML for Mali or MR for Mauritania."),
    )

    gate = Gate(project="pk", partner=None, donors=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="project_budget_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    @property
    def title(self) -> str:
        return self.localized("title")

    def partner_ids(self) -> set[int]:
        cached = getattr(self, "_partner_ids", None)
        if cached is None:
            cached = self._partner_ids = set(self.partners.values_list("pk", flat=True))
        return cached

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date must be after the start date.")})


class Result(Bilingual, OwnedModel):
    """A node of the logframe: impact, outcome, output or activity, coded 1, 1.2, 1.2.3."""

    class Level(models.TextChoices):
        IMPACT = "impact", _("Impact")
        OUTCOME = "outcome", _("Outcome")
        OUTPUT = "output", _("Output")
        ACTIVITY = "activity", _("Activity")

    LEVEL_ORDER = ["impact", "outcome", "output", "activity"]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code"), max_length=20)
    title_fr = models.CharField(_("title (French)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)

    gate = Gate(partner=None, donors=True)

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="result_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def depth(self) -> int:
        return self.code.count(".")

    def sort_key(self) -> tuple:
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.code.split("."))

    def next_child_code(self) -> str:
        """The first free code under this result: 1.2 -> 1.2.1, 1.2.2..."""
        taken = set(
            Result.objects.filter(project_id=self.project_id).values_list("code", flat=True)
        )
        number = 1
        while f"{self.code}.{number}" in taken:
            number += 1
        return f"{self.code}.{number}"

    def clean(self):
        if self.parent_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": _("The parent result belongs to another project.")})
        if self.parent_id:
            parent_rank = self.LEVEL_ORDER.index(self.parent.level)
            if self.LEVEL_ORDER.index(self.level) <= parent_rank:
                raise ValidationError(
                    {"level": _("A result must be at a lower level than its parent.")}
                )
        if self.pk and self.level in self.LEVEL_ORDER:
            rank = self.LEVEL_ORDER.index(self.level)
            below = self.LEVEL_ORDER[rank + 1 :]
            if self.children.exclude(level__in=below).exists():
                raise ValidationError(
                    {"level": _("A result must be at a higher level than the results under it.")}
                )


class Dimension(models.TextChoices):
    SEX = "sex", _("Sex")
    AGE_BAND = "age_band", _("Age band")
    POPULATION_GROUP = "population_group", _("Population group")
    DISABILITY = "disability", _("Disability")
    AREA = "area", _("Administrative area (admin 1)")


class Indicator(Bilingual, OwnedModel):
    """An indicator of a result: computed from delivery rows (its definition is data) or entered."""

    class Unit(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENTAGE = "percentage", _("Percentage")
        YES_NO = "yes_no", _("Yes/no")

    class Method(models.TextChoices):
        COMPUTED = "computed", _("Computed from Suivi data")
        MANUAL = "manual", _("Entered by hand with evidence")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("result")
    )
    code = models.CharField(_("code"), max_length=20)
    name_fr = models.CharField(_("name (French)"), max_length=500)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)
    unit = models.CharField(_("unit"), max_length=12, choices=Unit.choices, default=Unit.NUMBER)
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.MANUAL
    )
    definition = models.JSONField(
        _("definition"),
        default=dict,
        blank=True,
        help_text=_("What to count, for computed indicators."),
    )
    disaggregations = models.JSONField(_("disaggregations"), default=list, blank=True)
    cumulative = models.BooleanField(
        _("cumulative since project start"),
        default=False,
        help_text=_("Count from the start of the project rather than within each period."),
    )
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    means_of_verification = models.TextField(_("means of verification"), blank=True)

    gate = Gate(partner=None, donors=True)

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.localized("name")

    def clean(self):
        errors = {}
        unknown = [d for d in self.disaggregations or [] if d not in Dimension.values]
        if unknown:
            errors["disaggregations"] = _("Unknown disaggregation: %(names)s.") % {
                "names": ", ".join(unknown)
            }
        if self.result_id and self.project_id and self.result.project_id != self.project_id:
            errors["result"] = _("The result belongs to another project.")
        if self.method == self.Method.COMPUTED:
            problems = definitions.validate(
                self.definition, project=self.project if self.project_id else None, code=self.code
            )
            if problems:
                errors["definition"] = problems
        if errors:
            raise ValidationError(errors)


class PeriodQuerySet(GatedQuerySet):
    def covering(self, project_id: int, day: datetime.date):
        return self.filter(project_id=project_id, start__lte=day, end__gte=day)

    def locked_on(self, project_id: int, day: datetime.date) -> bool:
        """Whether a locked period of the project covers ``day``."""
        return self.covering(project_id, day).filter(locked_at__isnull=False).exists()


class ReportingPeriod(OwnedModel):
    """A month, quarter or year of a project. Once locked, its data cannot change."""

    class Kind(models.TextChoices):
        MONTH = periods.MONTH, _("Month")
        QUARTER = periods.QUARTER, _("Quarter")
        YEAR = periods.YEAR, _("Year")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PeriodQuerySet.as_manager()
    gate = Gate(partner=None, donors=True)

    class Meta:
        ordering = ["project", "start", "kind"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "year", "number"], name="period_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == periods.QUARTER:
            return _("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}
        if self.kind == periods.MONTH:
            return f"{self.year}-{self.number:02d}"
        return str(self.year)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Target(OwnedModel):
    """The value an indicator should reach in a period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)

    gate = Gate(project="indicator__project", partner=None, donors=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"


class IndicatorValue(OwnedModel):
    """The value of an indicator in a period, for the total (cell "") or one disaggregated cell.

    A cell is written ``dimension=value`` pairs joined by ``|`` in a fixed order, for example
    ``sex=F|age_band=12-17``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VALIDATED = "validated", _("Validated")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="values")
    cell = models.CharField(_("cell"), max_length=200, blank=True, default="")
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/%m/", blank=True)
    note = models.TextField(_("note"), blank=True)

    gate = Gate(project="indicator__project", partner=None, donors=True)

    class Meta:
        ordering = ["indicator", "period", "cell"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "cell"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} {self.cell or 'total'}: {self.value}"


class PlannedActivity(Bilingual, OwnedModel):
    """An activity of the work plan: what, when, where and who is responsible."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ONGOING = "ongoing", _("Ongoing")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="planned_activities"
    )
    result = models.ForeignKey(
        Result,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="planned_activities",
        verbose_name=_("logframe activity"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    title_fr = models.CharField(_("title (French)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("area")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    responsible = models.CharField(_("responsible"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    gate = Gate(partner="partner")

    class Meta:
        ordering = ["project", "start_date"]
        verbose_name = _("planned activity")
        verbose_name_plural = _("planned activities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="planned_activity_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")


class ProjectBudget(models.Model):
    """The budget of a project for one year (IATI budgets cover at most twelve months)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("annual budget")
        verbose_name_plural = _("annual budgets")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_budget_unique_year"),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="project_budget_value_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.year}: {self.value}"

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        """The part of the year within the project's dates."""
        start = max(datetime.date(self.year, 1, 1), self.project.start_date)
        end = min(datetime.date(self.year, 12, 31), self.project.end_date)
        return start, end


class ProjectTransaction(models.Model):
    """Money received or spent by a project, as IATI reports it (its TransactionType codes)."""

    class Kind(models.TextChoices):
        INCOMING_FUNDS = "1", _("Incoming funds")
        OUTGOING_COMMITMENT = "2", _("Outgoing commitment")
        DISBURSEMENT = "3", _("Disbursement")
        EXPENDITURE = "4", _("Expenditure")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(_("type"), max_length=2, choices=Kind.choices)
    date = models.DateField(_("date"))
    value = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    receiver = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiver"),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["project", "date", "id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="project_transaction_value_gte_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.date} {self.get_kind_display()}: {self.value}"

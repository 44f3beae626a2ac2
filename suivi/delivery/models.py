"""Sessions and their attendance, counted reach, and distributions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, GatedQuerySet, Organisation, OwnedModel
from suivi.lib import ages
from suivi.places.models import Area, Site
from suivi.projects.models import Currency, PlannedActivity, Project, ReportingPeriod
from suivi.registry.models import Group, Household, Person, Sex


class SessionQuerySet(GatedQuerySet):
    def with_counts(self):
        """Annotate ``attendance_count`` (persons present) and ``reach_count`` (people counted).

        Subqueries rather than joins: two joined aggregates would multiply each other, and a
        subquery is evaluated only for the rows of the page shown.
        """
        present = (
            Attendance.objects.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n")
        )
        reached = (
            ReachCount.objects.filter(session=OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=Sum("count"))
            .values("n")
        )
        return self.annotate(
            attendance_count=Coalesce(Subquery(present, output_field=IntegerField()), 0),
            reach_count=Coalesce(Subquery(reached, output_field=IntegerField()), 0),
        )


class Session(OwnedModel):
    """A training, awareness talk, home visit, radio or mass campaign, or distribution event."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        AWARENESS = "awareness", _("Awareness talk")
        HOME_VISIT = "home_visit", _("Home visit")
        MASS_CAMPAIGN = "mass_campaign", _("Radio or mass campaign")
        CAPACITY_BUILDING = "capacity_building", _("Capacity building")
        DISTRIBUTION_EVENT = "distribution_event", _("Distribution event")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("project")
    )
    planned_activity = models.ForeignKey(
        PlannedActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("planned activity"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    date = models.DateField(_("date"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("area")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["project", "date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def is_locked(self) -> bool:
        """Whether the session is dated in a locked reporting period of its project."""
        return ReportingPeriod.objects.locked_on(self.project_id, self.date)

    def clean(self):
        if self.planned_activity_id and self.planned_activity.project_id != self.project_id:
            raise ValidationError(
                {"planned_activity": _("This planned activity belongs to another project.")}
            )


class Attendance(models.Model):
    """A registered person present at a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = GatedQuerySet.as_manager()
    gate = Gate(
        organisation="session__organisation",
        project="session__project",
        partner="session__partner",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"


class ReachCount(models.Model):
    """People reached by a mass activity where no one is registered, counted by sex and age."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reach_counts")
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    age_band = models.CharField(
        _("age band"),
        max_length=8,
        choices=[(c, c) for c in ages.AGE_BAND_CODES] + [(ages.UNKNOWN, _("Unknown"))],
    )
    count = models.PositiveIntegerField(_("number of people"))

    objects = GatedQuerySet.as_manager()
    gate = Gate(
        organisation="session__organisation",
        project="session__project",
        partner="session__partner",
    )

    class Meta:
        verbose_name = _("counted reach")
        verbose_name_plural = _("counted reach")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "sex", "age_band"], name="reach_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.sex} {self.age_band} = {self.count}"


class Distribution(OwnedModel):
    """Items, cash or a scholarship given to a person, a household or a group."""

    class Kind(models.TextChoices):
        KIT = "kit", _("Kit")
        FOOD = "food", _("Food")
        NON_FOOD = "nfi", _("Non-food items")
        CASH = "cash", _("Cash")
        VOUCHER = "voucher", _("Voucher")
        SCHOLARSHIP = "scholarship", _("Scholarship")
        OTHER = "other", _("Other")

    class Modality(models.TextChoices):
        IN_KIND = "in_kind", _("In kind")
        CASH_IN_HAND = "cash_in_hand", _("Cash in hand")
        MOBILE_MONEY = "mobile_money", _("Mobile money")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        VOUCHER = "voucher", _("Voucher")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="distributions", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    planned_activity = models.ForeignKey(
        PlannedActivity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("planned activity"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("distribution event"),
    )
    date = models.DateField(_("date"))
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("household"),
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
        verbose_name=_("group"),
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    item = models.CharField(_("item"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    modality = models.CharField(_("modality"), max_length=15, choices=Modality.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        indexes = [models.Index(fields=["project", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, household__isnull=True, group__isnull=True)
                    | Q(person__isnull=True, household__isnull=False, group__isnull=True)
                    | Q(person__isnull=True, household__isnull=True, group__isnull=False)
                ),
                name="distribution_one_recipient",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="distribution_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="distribution_value_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.recipient} ({self.date:%d/%m/%Y})"

    @property
    def recipient(self):
        return self.person or self.household or self.group

    def is_locked(self) -> bool:
        """Whether the distribution is dated in a locked reporting period of its project."""
        return ReportingPeriod.objects.locked_on(self.project_id, self.date)

    def clean(self):
        recipients = [r for r in (self.person_id, self.household_id, self.group_id) if r]
        if len(recipients) != 1:
            raise ValidationError(
                _("Choose exactly one recipient: a person, a household or a group.")
            )
        if self.value is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the value.")})

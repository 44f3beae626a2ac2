"""Persons, households and groups, and their registration in projects by partners."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.accounts.models import Gate, GatedQuerySet, Organisation, OwnedModel, User
from suivi.lib import ages, names
from suivi.places.models import Area, Site
from suivi.projects.models import Bilingual, PlannedActivity, Project


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class PopulationGroup(models.TextChoices):
    REFUGEE = "refugee", _("Refugee")
    IDP = "idp", _("Internally displaced")
    HOST = "host", _("Host community")
    RETURNEE = "returnee", _("Returnee")
    MIGRANT = "migrant", _("Migrant")


class Difficulty(models.TextChoices):
    """Answers of the Washington Group short set."""

    NONE = "none", _("No difficulty")
    SOME = "some", _("Some difficulty")
    A_LOT = "a_lot", _("A lot of difficulty")
    CANNOT = "cannot", _("Cannot do at all")


WG_DOMAINS = [
    ("wg_seeing", _("Seeing, even with glasses")),
    ("wg_hearing", _("Hearing, even with a hearing aid")),
    ("wg_walking", _("Walking or climbing steps")),
    ("wg_cognition", _("Remembering or concentrating")),
    ("wg_self_care", _("Self-care, such as washing or dressing")),
    ("wg_communication", _("Communicating in the usual language")),
]


class ConsentScope(models.TextChoices):
    NONE = "", _("No consent recorded")
    PROGRAMME = "programme", _("Use within this programme only")
    PARTNERS = "partners", _("Sharing with the programme's partners")
    REFERRAL = "referral", _("Sharing with partners and referral services")


class SpecificNeed(Bilingual, models.Model):
    """A specific need (child at risk, older person at risk, serious medical condition...)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("specific need")
        verbose_name_plural = _("specific needs")

    def __str__(self) -> str:
        return self.localized("name")


def _wg_field(label):
    return models.CharField(label, max_length=6, choices=Difficulty.choices, blank=True)


class Household(OwnedModel):
    """A household; its members are persons pointing to it."""

    code = models.CharField(_("household code"), max_length=40)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("area")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    head = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of household"),
    )

    gate = Gate(
        project="members__registrations__project",
        partner="members__registrations__partner",
        multi=True,
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="household_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class PersonQuerySet(GatedQuerySet):
    def visible_to(self, user):
        """Persons the user may see; a person merged into another is seen through the survivor."""
        return super().visible_to(user).filter(merged_into__isnull=True)


class Person(OwnedModel):
    """A person registered in Suivi. Registration in projects is separate (``Registration``)."""

    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given names"), max_length=150)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    population_group = models.CharField(
        _("population group"), max_length=10, choices=PopulationGroup.choices
    )
    wg_seeing = _wg_field(WG_DOMAINS[0][1])
    wg_hearing = _wg_field(WG_DOMAINS[1][1])
    wg_walking = _wg_field(WG_DOMAINS[2][1])
    wg_cognition = _wg_field(WG_DOMAINS[3][1])
    wg_self_care = _wg_field(WG_DOMAINS[4][1])
    wg_communication = _wg_field(WG_DOMAINS[5][1])
    has_disability = models.BooleanField(
        _("disability"),
        default=False,
        editable=False,
        help_text=_("At least 'a lot of difficulty' in one Washington Group domain."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("area")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relationship_to_head = models.CharField(
        _("relationship to head of household"), max_length=40, blank=True
    )
    specific_needs = models.ManyToManyField(
        SpecificNeed, blank=True, verbose_name=_("specific needs")
    )
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_scope = models.CharField(
        _("consent scope"), max_length=10, choices=ConsentScope.choices, blank=True
    )
    # Blocking keys of duplicate detection (suivi/registry/matching.py), kept by fill_derived.
    match_family = models.CharField(max_length=40, blank=True, editable=False)
    match_given = models.CharField(max_length=40, blank=True, editable=False)
    match_phone = models.CharField(max_length=8, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("merged into"),
    )

    objects = PersonQuerySet.as_manager()
    gate = Gate(project="registrations__project", partner="registrations__partner", multi=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["organisation", "family_name", "given_name"]),
            models.Index(fields=["birth_date"]),
            models.Index(
                fields=["match_family", "match_given", "birth_date"], name="person_match_names"
            ),
            models.Index(fields=["match_given", "birth_date"], name="person_match_given_birth"),
            models.Index(fields=["match_phone"], name="person_match_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def reference(self) -> str:
        return self.reference_of(self.pk)

    @staticmethod
    def reference_of(pk: int | None) -> str:
        """The reference shown on pages and exports, P-0000123 (also for rows read as values)."""
        return f"P-{pk:07d}" if pk else ""

    def age_on(self, day: datetime.date) -> int | None:
        return ages.age_on(self.birth_date, day)

    def age_band_on(self, day: datetime.date) -> str:
        return ages.band_for_age(self.age_on(day))

    def wg_answers(self) -> dict[str, str]:
        return {name: getattr(self, name) for name, _label in WG_DOMAINS}

    def disability_from_answers(self) -> bool:
        """Washington Group cut-off: 'a lot of difficulty' or 'cannot do at all' in any domain."""
        return any(v in (Difficulty.A_LOT, Difficulty.CANNOT) for v in self.wg_answers().values())

    # Fields computed from others by ``fill_derived``, with the fields they are computed from.
    DERIVED_FROM = {
        "has_disability": tuple(name for name, _label in WG_DOMAINS),
        "match_family": ("family_name",),
        "match_given": ("given_name",),
        "match_phone": ("phone",),
    }

    def fill_derived(self) -> None:
        """Compute the stored fields derived from others. ``save`` calls it; a bulk insert,
        which bypasses ``save``, calls it on every row before inserting."""
        self.has_disability = self.disability_from_answers()
        self.match_family = names.name_key(self.family_name or "")[:40]
        self.match_given = names.name_key(self.given_name or "")[:40]
        self.match_phone = names.phone_key(self.phone or "")

    def save(self, *args, **kwargs):
        self.fill_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {
                derived
                for derived, sources in self.DERIVED_FROM.items()
                if any(f in sources for f in update_fields)
            }
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)


class ExternalId(models.Model):
    """An identifier given to the person elsewhere (proGres, national ID card, partner's list)."""

    class Scheme(models.TextChoices):
        PROGRES = "progres", _("UNHCR proGres individual number")
        NATIONAL_ID = "national_id", _("National identity number")
        PARTNER = "partner", _("Partner's list number")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_ids")
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices)
    value = models.CharField(_("identifier"), max_length=60)

    class Meta:
        verbose_name = _("external identifier")
        verbose_name_plural = _("external identifiers")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="external_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.value}"


class Eligibility(models.TextChoices):
    """The outcome of the eligibility rules of a project for one registration."""

    NOT_EVALUATED = "", _("Not evaluated")
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNKNOWN = "unknown", _("Unknown (missing data)")


class Registration(OwnedModel):
    """A person enrolled in a project by a partner (or by the lead organisation itself).

    The outcome of the project's eligibility rules is stored with it (``eligibility``); a person
    who fails a rule is registered only with an override reason, kept with who gave it.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXITED = "exited", _("Exited")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="registrations")
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("project")
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    registered_on = models.DateField(_("registration date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    eligibility = models.CharField(
        _("eligibility"),
        max_length=12,
        choices=Eligibility.choices,
        blank=True,
        default=Eligibility.NOT_EVALUATED,
    )
    # [{"criterion": id, "status": "failed" | "unknown"}] of the criteria not passed.
    eligibility_failures = models.JSONField(
        _("criteria not passed"), default=list, blank=True, editable=False
    )
    eligibility_evaluated_at = models.DateTimeField(
        _("eligibility evaluated at"), null=True, blank=True, editable=False
    )
    override_reason = models.TextField(
        _("reason for registering despite the eligibility rules"), blank=True
    )
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("override given by"),
    )
    overridden_at = models.DateTimeField(_("override given at"), null=True, blank=True)

    class Meta:
        ordering = ["-registered_on"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["person", "project"], name="registration_unique")
        ]
        indexes = [models.Index(fields=["project", "partner"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.project.code}"


class Group(OwnedModel):
    """A community group: CBO, refugee-led organisation, women's group, savings group..."""

    class Kind(models.TextChoices):
        CBO = "cbo", _("Community-based organisation")
        RLO = "rlo", _("Refugee-led organisation")
        WOMENS_GROUP = "womens_group", _("Women's group")
        SAVINGS_GROUP = "savings_group", _("Savings group")
        YOUTH_GROUP = "youth_group", _("Youth group")
        COMMITTEE = "committee", _("Committee")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("project"),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("area")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("site")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    members = models.ManyToManyField(Person, through="GroupMembership", related_name="groups")

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(_("role in the group"), max_length=60, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="group_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.group}"


class DuplicateCandidate(OwnedModel):
    """Two persons who may be the same, found by the scan, at registration or when a list is
    imported, to review.

    ``person_low`` has the smaller id, so that a pair is stored once whichever way it was found.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        CONFIRMED = "confirmed", _("Same person (merged)")
        REJECTED = "rejected", _("Different persons")

    class Source(models.TextChoices):
        SCAN = "scan", _("Registry scan")
        REGISTRATION = "registration", _("At registration")
        IMPORT = "import", _("Imported list")

    person_low = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    person_high = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("other person")
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    source = models.CharField(_("found"), max_length=12, choices=Source.choices)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    # Seen by who may see both persons; the view checks the second one.
    gate = Gate(
        project="person_low__registrations__project",
        partner="person_low__registrations__partner",
        multi=True,
    )

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["person_low", "person_high"], name="duplicate_candidate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(person_low__lt=models.F("person_high")),
                name="duplicate_candidate_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "-score"])]

    def __str__(self) -> str:
        return f"{self.person_low_id} ~ {self.person_high_id} ({self.score:.2f})"

    @property
    def reason_labels(self) -> list[str]:
        """The reasons in the active language (they are stored as codes)."""
        from suivi.registry.matching import reason_labels

        return reason_labels(self.reasons)


class PersonMerge(OwnedModel):
    """One person merged into another: what moved, so that the merge can be undone."""

    survivor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="merges", verbose_name=_("kept record")
    )
    merged = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged record")
    )
    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moved = models.JSONField(_("what moved"), default=dict)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    gate = Gate(
        project="survivor__registrations__project",
        partner="survivor__registrations__partner",
        multi=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("merge of persons")
        verbose_name_plural = _("merges of persons")

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"


# --- Eligibility rules -------------------------------------------------------------------------


class EligibilityRuleSet(OwnedModel):
    """A named set of eligibility criteria of a project, or of one of its planned activities.

    The active rule sets of the project itself (no planned activity) decide whether a person may
    be registered in it; those of a planned activity are checked on the compliance report.
    Ages are taken on a fixed reference date or on each person's registration date.
    """

    class Reference(models.TextChoices):
        REGISTRATION = "registration", _("The registration date of each person")
        FIXED = "fixed", _("A fixed date")

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="eligibility_rule_sets",
        verbose_name=_("project"),
    )
    planned_activity = models.ForeignKey(
        PlannedActivity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="eligibility_rule_sets",
        verbose_name=_("planned activity"),
        help_text=_("Leave empty for rules of the whole project, checked at registration."),
    )
    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(
        _("ages and dates taken on"),
        max_length=12,
        choices=Reference.choices,
        default=Reference.REGISTRATION,
    )
    reference_date = models.DateField(_("reference date"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    gate = Gate(partner=None)

    class Meta:
        ordering = ["project", "name", "pk"]
        verbose_name = _("eligibility rule set")
        verbose_name_plural = _("eligibility rule sets")

    def __str__(self) -> str:
        return self.name

    def reference_day(self, registered_on: datetime.date) -> datetime.date:
        """The date on which ages are taken for a person registered on ``registered_on``."""
        if self.reference == self.Reference.FIXED and self.reference_date:
            return self.reference_date
        return registered_on

    def clean(self):
        if self.reference == self.Reference.FIXED and not self.reference_date:
            raise ValidationError(
                {
                    "reference_date": _(
                        "Give the reference date, or take ages on the registration date."
                    )
                }
            )
        if self.reference == self.Reference.REGISTRATION:
            self.reference_date = None
        if (
            self.planned_activity_id
            and self.project_id
            and self.planned_activity.project_id != self.project_id
        ):
            raise ValidationError(
                {"planned_activity": _("This planned activity belongs to another project.")}
            )


class EligibilityCriterion(models.Model):
    """One criterion of a rule set: a registry field, an operator and the value(s) it compares.

    The fields and the operators each accepts are declared in ``suivi.registry.eligibility``;
    ``value`` is a list of codes, a ``[minimum, maximum]`` pair, a number or true/false.
    """

    class Operator(models.TextChoices):
        IN = "in", _("is one of")
        NOT_IN = "not_in", _("is none of")
        BETWEEN = "between", _("is between")
        AT_LEAST = "at_least", _("is at least")
        AT_MOST = "at_most", _("is at most")
        IS = "is", _("is")
        ANY = "any", _("includes at least one of")
        ALL = "all", _("includes all of")
        NONE = "none", _("includes none of")
        PRESENT = "present", _("is filled in")
        ABSENT = "absent", _("is empty")

    rule_set = models.ForeignKey(
        EligibilityRuleSet, on_delete=models.CASCADE, related_name="criteria"
    )
    field = models.CharField(_("field"), max_length=40)
    operator = models.CharField(_("operator"), max_length=10, choices=Operator.choices)
    value = models.JSONField(_("value"), null=True, blank=True)

    class Meta:
        ordering = ["rule_set", "pk"]
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        from suivi.registry import eligibility

        return eligibility.describe(self)

    def clean(self):
        from suivi.registry import eligibility

        self.value = eligibility.clean_criterion(self.field, self.operator, self.value)

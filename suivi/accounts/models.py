"""Users, organisations, memberships and the one access gate.

Every record a user can reach belongs to an organisation and usually to a project (and, for partner
work, to a partner organisation). A user reaches rows only through
``Model.objects.visible_to(user)``
which reads the user's memberships; the rules live in ``Gate`` below and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency")
    INTERNATIONAL_NGO = "ingo", _("International NGO")
    NATIONAL_NGO = "nngo", _("National NGO")
    COMMUNITY_BASED = "cbo", _("Community-based organisation")
    REFUGEE_LED = "rlo", _("Refugee-led organisation")
    GOVERNMENT = "government", _("Government service")
    CONTRACTOR = "contractor", _("Contractor")
    DONOR = "donor", _("Donor")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(_("country (ISO code)"), max_length=2, blank=True)
    iati_identifier = models.CharField(_("IATI organisation identifier"), max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.acronym or self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        choices=[("fr", "Français"), ("en", "English"), ("ar", "العربية")],
        default="fr",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ME_OFFICER = "me_officer", _("M&E officer")
    PROJECT_ASSISTANT = "project_assistant", _("Project assistant")
    PARTNER_FOCAL_POINT = "partner_focal_point", _("Partner focal point")
    DONOR_VIEWER = "donor_viewer", _("Donor viewer")


# Roles allowed to enter and change programme data (persons, sessions, distributions).
DATA_ENTRY_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.PROGRAMME_MANAGER,
        Role.ME_OFFICER,
        Role.PROJECT_ASSISTANT,
        Role.PARTNER_FOCAL_POINT,
    }
)
# Roles allowed to build logframes, validate indicator values and lock or unlock periods.
ME_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER})
# Evidence files may name the persons behind a figure: agency staff read them, donors and
# partners don't.
EVIDENCE_READERS = ME_ROLES | {Role.PROJECT_ASSISTANT}


class Membership(models.Model):
    """A role within an organisation, optionally limited to projects and to a partner."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    projects = models.ManyToManyField(
        "projects.Project",
        blank=True,
        related_name="+",
        verbose_name=_("limited to projects"),
        help_text=_("Leave empty for all projects of the organisation."),
    )
    partner = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_memberships",
        verbose_name=_("partner"),
        help_text=_("Required for partner focal points: the partner whose work they see."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="partner_focal_point") | Q(partner__isnull=False),
                name="membership_partner_focal_point_has_partner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class ApiToken(models.Model):
    """A token for the REST API. Only a SHA-256 digest of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# --- The access gate -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one membership lets its holder see."""

    organisation_id: int
    role: str
    project_ids: frozenset[int] | None  # None: every project of the organisation
    partner_id: int | None


def scopes_for(user) -> list[Scope]:
    """The user's scopes, read once per request and kept on the user object."""
    cached = getattr(user, "_suivi_scopes", None)
    if cached is not None:
        return cached
    scopes = []
    if user.is_authenticated and user.is_active:
        memberships = Membership.objects.filter(user=user).prefetch_related("projects")
        for m in memberships:
            ids = frozenset(p.pk for p in m.projects.all()) or None
            scopes.append(Scope(m.organisation_id, m.role, ids, m.partner_id))
    user._suivi_scopes = scopes
    return scopes


def has_role(user, roles, project, partner_id: int | None = None) -> bool:
    """Whether the user holds one of ``roles`` over ``project``.

    A partner focal point acts only on rows of their own partner: pass the row's partner.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for s in scopes_for(user):
        if s.role not in roles or s.organisation_id != project.organisation_id:
            continue
        if s.project_ids is not None and project.pk not in s.project_ids:
            continue
        if s.role == Role.PARTNER_FOCAL_POINT:
            if s.partner_id not in project.partner_ids():
                continue
            if partner_id is not None and partner_id != s.partner_id:
                continue
        return True
    return False


def partner_of(user, project) -> int | None:
    """The partner a focal point works for in ``project`` (None for agency staff)."""
    if user.is_superuser:
        return None
    staff = [
        s
        for s in scopes_for(user)
        if s.organisation_id == project.organisation_id
        and (s.project_ids is None or project.pk in s.project_ids)
        and s.role != Role.PARTNER_FOCAL_POINT
    ]
    if staff:
        return None
    for s in scopes_for(user):
        if s.role == Role.PARTNER_FOCAL_POINT and s.organisation_id == project.organisation_id:
            return s.partner_id
    return None


@dataclass(frozen=True)
class Gate:
    """How a model's rows relate to organisation, project and partner.

    Paths are ORM lookups from the model. ``project="pk"`` marks the Project model itself.
    A model with no partner path is seen by a partner focal point when their partner takes part
    in the row's project. ``donors`` lets donor viewers see the rows (aggregates and logframes,
    never persons). ``roles`` restricts the model to some roles (the audit trail to
    administrators).
    """

    organisation: str = "organisation"
    project: str | None = "project"
    partner: str | None = "partner"
    donors: bool = False
    roles: frozenset[str] | None = None
    multi: bool = False  # a path crosses a to-many relation: filter through a subquery

    def condition(self, scope: Scope) -> Q | None:
        if self.roles is not None and scope.role not in self.roles:
            return None
        if scope.role == Role.DONOR_VIEWER and not self.donors:
            return None
        q = Q(**{self.organisation: scope.organisation_id})
        if scope.project_ids is not None:
            if self.project is None:
                return None
            q &= Q(**{f"{self.project}__in": scope.project_ids})
        if scope.role == Role.PARTNER_FOCAL_POINT:
            if scope.partner_id is None:
                return None
            if self.partner is not None:
                q &= Q(**{self.partner: scope.partner_id})
            elif self.project == "pk":
                q &= Q(partners=scope.partner_id)
            elif self.project is not None:
                q &= Q(**{f"{self.project}__partners": scope.partner_id})
            else:
                return None
        return q

    def crosses_many(self, scopes: list[Scope]) -> bool:
        if self.multi:
            return True
        return any(s.role == Role.PARTNER_FOCAL_POINT and self.partner is None for s in scopes)


class GatedQuerySet(models.QuerySet):
    """Base QuerySet of every model a user can reach. ``visible_to`` is the one gate."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        gate: Gate = self.model.gate
        scopes = scopes_for(user)
        q = None
        for scope in scopes:
            cond = gate.condition(scope)
            if cond is not None:
                q = cond if q is None else q | cond
        if q is None:
            return self.none()
        if gate.crosses_many(scopes):
            inner = self.model._default_manager.filter(q).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(q)


class OwnedModel(models.Model):
    """The small base of every programme record: owner organisation and who touched it when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = GatedQuerySet.as_manager()
    gate = Gate()

    class Meta:
        abstract = True

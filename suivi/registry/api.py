"""The API of the registry: persons and their registration in projects.

Reads go through ``visible_to(user)`` (absent and forbidden are both 404; donor viewers see no
person). Writes follow the person pages exactly: the same form checks the values, the same
services write, and the same rule says who may write (``services.can_enter_data``): a partner
focal point writes for their own partner only, and it is the partner used when none is given.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from suivi.accounts.models import partner_of
from suivi.api.errors import READ_ERRORS, WRITE_ERRORS
from suivi.api.fields import Id
from suivi.api.pagination import LimitOffset
from suivi.projects.api import (
    OrganisationRef,
    ProjectRef,
    project_for_write,
    refuse_if_period_locked,
)
from suivi.projects.models import Project
from suivi.registry import forms, matching, services
from suivi.registry.models import (
    ConsentScope,
    Difficulty,
    ExternalId,
    Person,
    PopulationGroup,
    Registration,
    Sex,
    SpecificNeed,
)

router = Router(tags=["persons"])


# --- Schemas ---------------------------------------------------------------------------------


class AreaRef(Schema):
    id: int
    pcode: str
    name: str


class SiteRef(Schema):
    id: int
    name: str
    kind: str


class PersonRef(Schema):
    id: int
    reference: str
    family_name: str
    given_name: str
    sex: str


class RegistrationOut(Schema):
    project: ProjectRef
    partner: OrganisationRef | None = Field(description="null: the agency itself")
    registered_on: datetime.date
    status: str
    eligibility: str = Field(
        description="eligible, not_eligible, unknown (missing data) or empty (not evaluated): "
        "the outcome of the project's eligibility rules, evaluated again when the person changes."
    )
    override_reason: str = Field(
        description="Why the person was registered although they failed a rule (empty if not)."
    )


class FailedCriterionOut(Schema):
    rule_set: str
    criterion: str = Field(description="The criterion in words.")
    reason: str = Field(description="What the person's record holds, and the rule it breaks.")


class IneligibleOut(Schema):
    detail: str
    errors: dict[str, list[str]]
    failed_criteria: list[FailedCriterionOut]


class ExternalIdOut(Schema):
    scheme: str = Field(description="progres, national_id, partner or other")
    value: str


class PersonOut(Schema):
    id: int
    reference: str = Field(description="The reference shown on pages and lists, P-0000123.")
    family_name: str
    given_name: str
    sex: str = Field(description="F or M")
    birth_date: datetime.date | None
    birth_date_estimated: bool
    age: int | None = Field(description="Age in years today.")
    population_group: str
    wg_seeing: str
    wg_hearing: str
    wg_walking: str
    wg_cognition: str
    wg_self_care: str
    wg_communication: str
    has_disability: bool = Field(description="From the Washington Group answers.")
    phone: str
    area: AreaRef | None
    site: SiteRef | None
    household_id: int | None
    relationship_to_head: str
    specific_needs: list[str] = Field(description="Codes of the specific needs.")
    consent_date: datetime.date | None
    consent_scope: str
    external_ids: list[ExternalIdOut]
    registrations: list[RegistrationOut] = Field(
        description="The person's registrations in the projects you may see."
    )

    @staticmethod
    def resolve_age(obj) -> int | None:
        return obj.age_on(timezone.localdate())

    @staticmethod
    def resolve_specific_needs(obj) -> list[str]:
        return [need.code for need in obj.specific_needs.all()]

    @staticmethod
    def resolve_external_ids(obj) -> list:
        return list(obj.external_ids.all())

    @staticmethod
    def resolve_registrations(obj) -> list:
        return list(obj.visible_registrations)


class MatchOut(Schema):
    id: int = Field(description="Id of the person who may be the one sent.")
    score: float = Field(description="Probability (0 to 1) that it is the same person.")
    reasons: list[str] = Field(description="Why, in the language of the request.")


class DuplicatesOut(Schema):
    detail: str
    candidates: list[PersonOut]
    matches: list[MatchOut] = Field(description="Score and reasons of each candidate, best first.")


class PersonFilters(Schema):
    q: str = Field(
        "", description="Words of the name (accents ignored), phone, identifier or P-reference."
    )
    project: Id | None = Field(None, description="Only persons registered in this project.")
    partner: Id | None = Field(None, description="Only persons registered by this partner.")


class PersonFields(Schema):
    """The person's own facts, as on the person form."""

    model_config = ConfigDict(extra="forbid")

    family_name: str | None = Field(None, max_length=100)
    given_name: str | None = Field(None, max_length=150)
    sex: Sex | None = None
    birth_date: datetime.date | None = Field(
        None, description="Or, when it is unknown, `age`: not both."
    )
    age: int | None = Field(
        None,
        description="Age in years when the date of birth is unknown: Suivi records an "
        "estimated date of birth.",
    )
    birth_date_estimated: bool | None = None
    population_group: PopulationGroup | None = None
    wg_seeing: Difficulty | None = None
    wg_hearing: Difficulty | None = None
    wg_walking: Difficulty | None = None
    wg_cognition: Difficulty | None = None
    wg_self_care: Difficulty | None = None
    wg_communication: Difficulty | None = None
    phone: str | None = Field(
        None, max_length=30, description="+223 or +222 followed by 8 digits, or 8 digits."
    )
    area: Id | None = Field(None, description="Id of a region or cercle (admin 1 or 2).")
    site: Id | None = Field(None, description="Id of a site within the area.")
    specific_needs: list[str] | None = Field(None, description="Codes of specific needs.")
    consent_date: datetime.date | None = None
    consent_scope: ConsentScope | None = None
    progres: str | None = Field(None, max_length=60, description="proGres individual number.")


class PersonIn(PersonFields):
    """A new person and their registration in a project."""

    project: Id = Field(description="Id of the project that registers the person.")
    partner: Id | None = Field(
        None,
        description="Id of the partner registering the person; null for the agency itself. "
        "A partner focal point's own partner is used when it is left out.",
    )
    registered_on: datetime.date | None = Field(None, description="Default: today.")
    family_name: str = Field(max_length=100)
    given_name: str = Field(max_length=150)
    sex: Sex
    population_group: PopulationGroup
    confirm: bool = Field(
        False,
        description="true registers the person even when likely duplicates exist "
        "(they are answered with 409 otherwise).",
    )
    override_reason: str = Field(
        "",
        max_length=1000,
        description="Why the person is registered although they fail an eligibility rule of "
        "the project (answered with 422 and the failed criteria otherwise). Kept, with your "
        "name, in the audit trail.",
    )


class PersonPatch(PersonFields):
    """The facts to change; the others stay as they are."""


# --- Querysets and shared helpers ------------------------------------------------------------


def persons_for(user):
    """Visible persons with what ``PersonOut`` shows, in a fixed number of queries."""
    registrations = Registration.objects.visible_to(user).select_related("project", "partner")
    return (
        Person.objects.visible_to(user)
        .select_related("area", "site")
        .prefetch_related(
            "specific_needs",
            "external_ids",
            Prefetch("registrations", queryset=registrations, to_attr="visible_registrations"),
        )
    )


def partner_for_write(user, project: Project, partner_id: int | None) -> int | None:
    """The partner a write in ``project`` is for, once the user may write it.

    A partner focal point writes for their own partner (used when none is given); another
    partner is refused (403). Staff name any partner of the project, or none for the agency.
    """
    own = partner_of(user, project)
    if own is not None:
        if partner_id is not None and partner_id != own:
            raise PermissionDenied(
                _(
                    "A partner focal point enters data for their own organisation only: "
                    "leave the partner out or give %(id)s."
                )
                % {"id": own}
            )
        partner_id = own
    if partner_id is not None and partner_id not in project.partner_ids():
        raise ValidationError(
            {
                "partner": _(
                    "Organisation %(id)s is not a partner of project %(code)s: give the id of "
                    "one of its partners (GET /api/v1/projects/%(project)s)."
                )
                % {"id": partner_id, "code": project.code, "project": project.pk}
            }
        )
    if not services.can_enter_data(user, project, partner_id):
        raise PermissionDenied(
            _("You may not enter data in project %(code)s for this partner.")
            % {"code": project.code}
        )
    return partner_id


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [getattr(v, "pk", v) for v in value]
    return getattr(value, "pk", value)


def _form_data(fields: dict, base: dict | None = None) -> dict:
    """The person form's data: ``base`` (the current facts) overwritten by ``fields``."""
    data = {name: _form_value(value) for name, value in (base or {}).items()}
    sent = dict(fields)
    if "specific_needs" in sent:
        codes = sent.pop("specific_needs") or []
        needs = dict(SpecificNeed.objects.filter(code__in=codes).values_list("code", "pk"))
        unknown = sorted(set(codes) - set(needs))
        if unknown:
            raise ValidationError(
                {
                    "specific_needs": _("Unknown specific need codes: %(codes)s.")
                    % {"codes": ", ".join(unknown)}
                }
            )
        data["specific_needs"] = [needs[code] for code in codes]
    if sent.get("age") is not None and "birth_date" not in sent:
        data["birth_date"] = ""  # an age replaces the date of birth on record
    for name, value in sent.items():
        data[name] = _form_value(value)
    return data


def _refuse_form(form) -> None:
    raise ValidationError(form.errors.as_data())


# --- Endpoints -------------------------------------------------------------------------------


@router.get("/persons", response={200: list[PersonOut], **READ_ERRORS})
@paginate(LimitOffset)
def person_list(request, filters: Query[PersonFilters]):
    """The persons you may see, newest first (by name when searching with `q`).

    Filter by `project` and `partner` of their registrations.
    """
    user = request.auth
    persons = persons_for(user)
    if filters.q.strip():
        persons = services.person_search(persons, filters.q)
    registrations = Registration.objects.visible_to(user)
    if filters.project is not None:
        registrations = registrations.filter(project_id=filters.project)
    if filters.partner is not None:
        registrations = registrations.filter(partner_id=filters.partner)
    if filters.project is not None or filters.partner is not None:
        persons = persons.filter(pk__in=registrations.values("person_id"))
    order = ("family_name", "given_name", "pk") if filters.q.strip() else ("-pk",)
    return persons.order_by(*order)


@router.get("/persons/{person_id}", response={200: PersonOut, **READ_ERRORS})
def person_detail(request, person_id: int):
    """One person, with their registrations in the projects you may see."""
    return get_object_or_404(persons_for(request.auth), pk=person_id)


def _ineligible(error: services.IneligibleError):
    return Status(
        422,
        {
            "detail": _(
                "This person does not meet the eligibility rules of the project: send again "
                "with an override_reason to register them anyway."
            ),
            "errors": error.message_dict,
            "failed_criteria": [
                {
                    "rule_set": r.criterion.rule_set.name,
                    "criterion": r.description,
                    "reason": r.reason,
                }
                for r in error.failed
            ],
        },
    )


@router.post(
    "/persons",
    response={201: PersonOut, **WRITE_ERRORS, 409: DuplicatesOut, 422: IneligibleOut},
)
def person_register(request, payload: PersonIn):
    """Register a person in a project, for a partner or for the agency itself.

    The values are checked as on the person form: a date of birth or an age (not both), a
    Malian or Mauritanian phone number, a consent date with a consent scope, a proGres number
    not given to someone else. When persons you may see look like the same person (same names
    and sex, close birth year, same phone or proGres number), nothing is written and the answer
    is 409 with the candidates, each with a score and the reasons: check them, then send again
    with `"confirm": true` to register anyway (the pairs then wait in the duplicates review
    queue). A registration date in a locked reporting period is refused with 409.

    The project's eligibility rules are checked on the registration date: a person who fails
    one is refused with 422 and `failed_criteria` (each with its reason), unless
    `override_reason` says why they are registered anyway.
    """
    user = request.auth
    project = project_for_write(user, payload.project)
    partner_id = partner_for_write(user, project, payload.partner)
    registered_on = payload.registered_on or timezone.localdate()
    refuse_if_period_locked(project, registered_on)
    fields = payload.model_dump(exclude={"project", "partner", "registered_on", "confirm"})
    fields["birth_date_estimated"] = bool(fields.get("birth_date_estimated"))
    data = _form_data(fields)
    data.update(project=project.pk, partner=partner_id or "", registered_on=registered_on)
    data["registered_on"] = registered_on.isoformat()
    form = forms.PersonForm(data, user=user, projects=[project])
    if not form.is_valid():
        _refuse_form(form)
    cleaned = form.cleaned_data
    matches = matching.likely_matches(user, form.duplicate_probe())
    if matches and not payload.confirm:
        detail = _(
            "This person may already be registered: check the candidates, then send "
            'again with "confirm": true to register them anyway.'
        )
        found = persons_for(user).in_bulk([m.person_id for m in matches])
        return Status(
            409,
            {
                "detail": detail,
                "candidates": [found[m.person_id] for m in matches],
                "matches": [
                    {"id": m.person_id, "score": round(m.score, 4), "reasons": m.reason_labels}
                    for m in matches
                ],
            },
        )
    try:
        person = services.person_register(
            organisation=project.organisation,
            by=user,
            data=form.person_data(),
            project=project,
            partner=cleaned.get("partner"),
            registered_on=cleaned["registered_on"],
            specific_needs=cleaned["specific_needs"],
            external_ids={ExternalId.Scheme.PROGRES: cleaned["progres"]},
            possible_duplicates=matches,
            override_reason=cleaned["override_reason"],
        )
    except services.IneligibleError as error:
        return _ineligible(error)
    return Status(201, persons_for(user).get(pk=person.pk))


@router.patch("/persons/{person_id}", response={200: PersonOut, **WRITE_ERRORS})
def person_update(request, person_id: int, payload: PersonPatch):
    """Change some of a person's facts; the fields left out stay as they are.

    Send `age` without `birth_date` to replace the date of birth by an estimated one; send
    `"birth_date_estimated": false` with an exact date of birth. You need to be allowed to enter
    data in one of the projects the person is registered in (a partner focal point: with their
    own partner), otherwise 403.
    """
    user = request.auth
    person = get_object_or_404(Person.objects.visible_to(user), pk=person_id)
    if not services.person_can_edit(user=user, person=person):
        raise PermissionDenied(_("You may not change this person's record."))
    data = _form_data(
        payload.model_dump(exclude_unset=True), base=forms.PersonForm.initial_for(person)
    )
    form = forms.PersonForm(data, user=user, person=person)
    if not form.is_valid():
        _refuse_form(form)
    services.person_update(
        person=person,
        by=user,
        data=form.person_data(),
        specific_needs=list(form.cleaned_data["specific_needs"]),
        external_ids={ExternalId.Scheme.PROGRES: form.cleaned_data["progres"]},
    )
    return persons_for(user).get(pk=person.pk)


class RegistrationIn(Schema):
    """The registration of a person already in the registry in another project."""

    model_config = ConfigDict(extra="forbid")

    project: Id = Field(description="Id of the project that registers the person.")
    partner: Id | None = Field(
        None,
        description="Id of the partner registering the person; null for the agency itself. "
        "A partner focal point's own partner is used when it is left out.",
    )
    registered_on: datetime.date | None = Field(None, description="Default: today.")
    override_reason: str = Field(
        "",
        max_length=1000,
        description="Why the person is registered although they fail an eligibility rule of "
        "the project (answered with 422 and the failed criteria otherwise).",
    )


@router.post(
    "/persons/{person_id}/registrations",
    response={201: RegistrationOut, **WRITE_ERRORS, 422: IneligibleOut},
)
def registration_create(request, person_id: int, payload: RegistrationIn):
    """Register a person you may see in another project, as the person page does.

    The project's eligibility rules are checked on the registration date: a person who fails
    one is refused with 422 and `failed_criteria`, unless `override_reason` is given. A person
    is registered once per project; a date in a locked reporting period is refused with 409.
    """
    user = request.auth
    person = get_object_or_404(Person.objects.visible_to(user), pk=person_id)
    project = project_for_write(user, payload.project)
    partner_id = partner_for_write(user, project, payload.partner)
    registered_on = payload.registered_on or timezone.localdate()
    refuse_if_period_locked(project, registered_on)
    form = forms.RegistrationForm(
        {
            "project": project.pk,
            "partner": partner_id or "",
            "registered_on": registered_on.isoformat(),
            "override_reason": payload.override_reason,
        },
        user=user,
        projects=[project],
    )
    if not form.is_valid():
        _refuse_form(form)
    cleaned = form.cleaned_data
    try:
        registration = services.registration_create(
            person=person,
            project=project,
            partner=cleaned.get("partner"),
            registered_on=cleaned["registered_on"],
            by=user,
            override_reason=cleaned["override_reason"],
        )
    except services.IneligibleError as error:
        return _ineligible(error)
    return Status(
        201, Registration.objects.select_related("project", "partner").get(pk=registration.pk)
    )

"""Workflows of the registry: register and update persons, households, groups, registrations.

The read helpers at the end (who may write, name search, likely duplicates) are shared by the
pages and the API; they read only through the access gate.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from suivi.accounts.models import (
    DATA_ENTRY_ROLES,
    Organisation,
    Role,
    User,
    has_role,
    partner_of,
    scopes_for,
)
from suivi.audit import services as audit
from suivi.lib import bulk
from suivi.lib.text import accent_pattern
from suivi.projects.models import Project
from suivi.projects.services import refuse_if_locked
from suivi.registry.models import (
    WG_DOMAINS,
    ExternalId,
    Group,
    GroupMembership,
    Household,
    Person,
    Registration,
    SpecificNeed,
)

PERSON_FIELDS = [
    "family_name",
    "given_name",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "population_group",
    *[name for name, _label in WG_DOMAINS],
    "phone",
    "area",
    "site",
    "household",
    "relationship_to_head",
    "consent_date",
    "consent_scope",
]


def _clean_person_data(data: dict) -> dict:
    cleaned = dict(data)
    for name in ("family_name", "given_name", "phone", "relationship_to_head"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = " ".join(cleaned[name].split())
    birth = cleaned.get("birth_date")
    if birth and birth > datetime.date.today():
        raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
    if birth and birth.year < 1900:
        raise ValidationError({"birth_date": _("The date of birth is before 1900: check it.")})
    return cleaned


def _set_external_ids(person: Person, external_ids: dict[str, str]) -> dict[str, list]:
    """Give, change or remove the person's identifiers; returns {scheme: [old, new]} changed."""
    changes = {}
    for scheme, value in external_ids.items():
        value = (value or "").strip()
        current = person.external_ids.filter(scheme=scheme).first()
        if current and current.value == value:
            continue
        if not value:
            if current:
                changes[scheme] = [current.value, ""]
                current.delete()
            continue
        taken = ExternalId.objects.filter(scheme=scheme, value=value).exclude(person=person)
        if taken.exists():
            raise ValidationError(
                {
                    "external_ids": _(
                        "The identifier %(value)s is already given to another person."
                    )
                    % {"value": value}
                }
            )
        changes[scheme] = [current.value if current else "", value]
        if current:
            current.value = value
            current.save(update_fields=["value"])
        else:
            ExternalId.objects.create(person=person, scheme=scheme, value=value)
    return changes


@transaction.atomic
def person_register(
    *,
    organisation: Organisation,
    by: User | None,
    data: dict,
    project: Project | None = None,
    partner: Organisation | None = None,
    registered_on: datetime.date | None = None,
    specific_needs=(),
    external_ids: dict[str, str] | None = None,
) -> Person:
    """Create a person and, when a project is given, register them in it for the partner."""
    person = Person(organisation=organisation, **_clean_person_data(data))
    audit.save_new(person, by=by, action="person.register")
    if specific_needs:
        person.specific_needs.set(specific_needs)
    if external_ids:
        _set_external_ids(person, external_ids)
    if project is not None:
        registration_create(
            person=person,
            project=project,
            partner=partner,
            registered_on=registered_on or datetime.date.today(),
            by=by,
        )
    return person


@dataclass
class PersonRow:
    """One person of a bulk registration: checked values, specific needs, identifiers."""

    data: dict
    specific_needs: Sequence[SpecificNeed] = ()
    external_ids: dict[str, str] | None = None
    key: object = None  # the caller's reference of the row (a row number of a file)


@transaction.atomic
def persons_register_bulk(
    *,
    organisation: Organisation,
    by: User | None,
    rows: Iterable[PersonRow],
    project: Project | None = None,
    partner: Organisation | None = None,
    registered_on: datetime.date | None = None,
    source: models.Model | None = None,
    on_batch: Callable[[list[PersonRow], list[Person]], None] | None = None,
) -> int:
    """Create many persons whose values are already checked (an import's accepted rows) and,
    when a project is given, register them in it for the partner; returns how many.

    The same result as ``person_register`` row by row, written in batches of
    ``bulk.BATCH_ROWS`` (COPY on PostgreSQL), with one audit event for the whole call about
    ``source`` (the import) or the project. ``rows`` is read lazily, so a list of a million
    rows never sits whole in memory; ``on_batch`` is called after each batch with its rows and
    their persons (keys set). Identifiers must be free: a taken one raises IntegrityError and
    nothing is written.
    """
    registered_on = registered_on or datetime.date.today()
    if project is not None:
        refuse_if_locked(project=project, day=registered_on)
        if partner is not None and partner.pk not in project.partner_ids():
            raise ValidationError(
                {"partner": _("This organisation is not a partner of the project.")}
            )
    author = by if by is not None and by.is_authenticated else None
    needs_through = Person.specific_needs.through
    partner_id = partner.pk if partner is not None else None
    new_person = bulk.Builder(Person, organisation=organisation, created_by=author)
    total = 0
    for chunk in bulk.batched(rows):
        persons = []
        for row in chunk:
            person = new_person(_clean_person_data(row.data))
            person.fill_derived()
            persons.append(person)
        bulk.insert(Person, persons)
        needs, identifiers, registrations = [], [], []
        for row, person in zip(chunk, persons, strict=True):
            pk = person.pk
            for need in row.specific_needs:
                needs.append((pk, need.pk))
            for scheme, value in (row.external_ids or {}).items():
                if value := (value or "").strip():
                    identifiers.append((pk, scheme, value))
            if project is not None:
                registrations.append(
                    (project.organisation_id, pk, project.pk, partner_id, registered_on)
                )
        bulk.insert_values(needs_through, ["person_id", "specificneed_id"], needs)
        bulk.insert_values(ExternalId, ["person_id", "scheme", "value"], identifiers)
        bulk.insert_values(
            Registration,
            ["organisation_id", "person_id", "project_id", "partner_id", "registered_on"],
            registrations,
        )
        if on_batch is not None:
            on_batch(chunk, persons)
        total += len(persons)
    audit.record(
        actor=by,
        action="person.register_bulk",
        target=source if source is not None else (project or organisation),
        changes={
            "persons_created": total,
            "project": project.code if project is not None else None,
            "partner": partner.pk if partner is not None else None,
        },
    )
    return total


@transaction.atomic
def person_update(
    *,
    person: Person,
    by: User,
    data: dict,
    specific_needs=None,
    external_ids: dict[str, str] | None = None,
) -> Person:
    """Change a person's data; the audit event lists the fields that changed."""
    audit.save_changes(
        person, by=by, action="person.update", data=_clean_person_data(data), fields=PERSON_FIELDS
    )
    if specific_needs is not None:
        before = sorted(person.specific_needs.values_list("code", flat=True))
        person.specific_needs.set(specific_needs)
        after = sorted(n.code for n in specific_needs)
        if before != after:
            audit.record(
                actor=by,
                action="person.update",
                target=person,
                changes={"specific_needs": [before, after]},
            )
    if external_ids is not None:
        changed = _set_external_ids(person, external_ids)
        if changed:
            audit.record(
                actor=by,
                action="person.update",
                target=person,
                changes={f"external_id:{scheme}": values for scheme, values in changed.items()},
            )
    return person


@transaction.atomic
def registration_create(
    *,
    person: Person,
    project: Project,
    partner: Organisation | None,
    registered_on: datetime.date,
    by: User | None,
) -> Registration:
    """Register a person in a project for a partner; a person is registered once per project.

    Registrations are counted by indicators, so a date in a locked reporting period is refused.
    """
    refuse_if_locked(project=project, day=registered_on)
    if partner is not None and partner.pk not in project.partner_ids():
        raise ValidationError({"partner": _("This organisation is not a partner of the project.")})
    if Registration.objects.filter(person=person, project=project).exists():
        raise ValidationError(
            {
                "project": _("This person is already registered in project %(code)s.")
                % {"code": project.code}
            }
        )
    registration = Registration(
        organisation_id=project.organisation_id,
        person=person,
        project=project,
        partner=partner,
        registered_on=registered_on,
    )
    return audit.save_new(registration, by=by, action="registration.create")


@transaction.atomic
def household_create(
    *, organisation: Organisation, by: User | None, data: dict, members=(), head=None
) -> Household:
    """Create a household, attach its members and name its head."""
    code = " ".join(str(data.get("code", "")).split())
    if code and Household.objects.filter(organisation=organisation, code=code).exists():
        raise ValidationError(
            {"code": _("The household code %(code)s is already used.") % {"code": code}}
        )
    data = {**data, "code": code}
    household = Household(organisation=organisation, **data)
    audit.save_new(household, by=by, action="household.create")
    for member in members:
        household_member_add(household=household, person=member, by=by)
    if head is not None:
        if head.household_id != household.pk:
            household_member_add(household=household, person=head, by=by)
        household.head = head
        household.save(update_fields=["head"])
    return household


@transaction.atomic
def household_member_add(
    *, household: Household, person: Person, by: User | None, relationship: str = ""
) -> None:
    """Make the person a member of the household (moving them from another one, recorded)."""
    old = person.household_id
    person.household = household
    if relationship:
        person.relationship_to_head = relationship
    person.save(update_fields=["household", "relationship_to_head", "updated_at"])
    audit.record(
        actor=by,
        action="household.member_add",
        target=household,
        changes={"person": person.pk, "previous_household": old},
    )


@transaction.atomic
def group_create(*, organisation: Organisation, by: User | None, data: dict, members=()) -> Group:
    """Create a community group and add its first members."""
    project, partner = data.get("project"), data.get("partner")
    if partner is not None and (project is None or partner.pk not in project.partner_ids()):
        raise ValidationError({"partner": _("This organisation is not a partner of the project.")})
    group = Group(organisation=organisation, **data)
    audit.save_new(group, by=by, action="group.create")
    for member in members:
        group_member_add(group=group, person=member, by=by)
    return group


@transaction.atomic
def group_member_add(
    *,
    group: Group,
    person: Person,
    by: User | None,
    role: str = "",
    joined_on: datetime.date | None = None,
) -> GroupMembership:
    """Add a person to a group; adding a member twice changes nothing."""
    membership, created = GroupMembership.objects.get_or_create(
        group=group, person=person, defaults={"role": role, "joined_on": joined_on}
    )
    if created:
        audit.record(
            actor=by, action="group.member_add", target=group, changes={"person": person.pk}
        )
    return membership


# --- Read helpers: who may write, name search, likely duplicates ------------------------------


def can_enter_data(user: User, project: Project, partner_id: int | None) -> bool:
    """Whether ``user`` may enter data in ``project`` for ``partner_id`` (None: the agency itself).

    ``has_role`` lets a partner focal point act on rows without a partner; here a focal point acts
    only on rows of their own partner.
    """
    if not has_role(user, DATA_ENTRY_ROLES, project, partner_id):
        return False
    own = partner_of(user, project)
    return own is None or own == partner_id


def data_entry_projects(user: User) -> list[Project]:
    """Visible projects in which the user may enter data (for some partner, or the agency)."""
    return [
        project
        for project in Project.objects.visible_to(user).order_by("code")
        if has_role(user, DATA_ENTRY_ROLES, project, partner_of(user, project))
    ]


def person_can_edit(*, user: User, person: Person) -> bool:
    """Whether the user may enter data over one of the projects the person is registered in.

    A partner focal point needs a registration of the person with their own partner.
    """
    registrations = person.registrations.select_related("project")
    return any(can_enter_data(user, r.project, r.partner_id) for r in registrations)


def household_can_edit(*, user: User, household: Household) -> bool:
    """Whether the user may change a household: they may change one of its members."""
    members = household.members.prefetch_related(
        Prefetch("registrations", queryset=Registration.objects.select_related("project"))
    )
    return any(
        can_enter_data(user, r.project, r.partner_id)
        for m in members
        for r in m.registrations.all()
    )


def group_can_edit(*, user: User, group: Group) -> bool:
    """Whether the user may change a group: data entry in its project for its partner.

    A group without a project is changed only by organisation-wide staff with a data-entry role.
    """
    if group.project_id is not None:
        return can_enter_data(user, group.project, group.partner_id)
    if user.is_superuser:
        return True
    return any(
        s.organisation_id == group.organisation_id
        and s.role in DATA_ENTRY_ROLES
        and s.role != Role.PARTNER_FOCAL_POINT
        and s.project_ids is None
        for s in scopes_for(user)
    )


def external_id_holder(
    *, user: User, scheme: str, value: str, exclude: Person | None = None
) -> tuple[bool, Person | None]:
    """Whether another person already holds this identifier, and that person if the user sees them.

    The holder is named only to users who may see them; others learn only that it is taken.
    """
    taken = ExternalId.objects.filter(scheme=scheme, value=value.strip())
    if exclude is not None and exclude.pk:
        taken = taken.exclude(person=exclude)
    holder_ids = list(taken.values_list("person_id", flat=True)[:1])
    if not holder_ids:
        return False, None
    return True, Person.objects.visible_to(user).filter(pk=holder_ids[0]).first()


REFERENCE = re.compile(r"^p-?0*(\d{1,12})$", re.IGNORECASE)


def person_search(queryset: QuerySet, text: str) -> QuerySet:
    """Persons whose every word of ``text`` is in a name (accents and case ignored), the phone
    number, an external identifier, or is their reference (P-0000123)."""
    for word in text.split():
        reference = REFERENCE.match(word)
        if reference:
            queryset = queryset.filter(pk=int(reference.group(1)))
            continue
        pattern = accent_pattern(word)
        q = Q(family_name__regex=pattern) | Q(given_name__regex=pattern)
        if any(c.isdigit() for c in word):
            digits = re.sub(r"[\s.\-]", "", word)
            q |= Q(phone__contains=digits)
            q |= Q(pk__in=ExternalId.objects.filter(value__icontains=word).values("person_id"))
        queryset = queryset.filter(q)
    return queryset


def person_likely_duplicates(*, user: User, data: dict, limit: int = 10) -> list[Person]:
    """Persons visible to ``user`` who may be the person described by ``data``.

    Same sex, born within two years of each other (or birth date unknown), and the same family
    and given names ignoring accents and case (either way round, a common entry slip), or the
    same phone number, or the same proGres number. A first filter before a proper linkage engine.
    ``data`` holds family_name, given_name, sex, birth_date and optionally phone and progres.
    """
    family, given = data.get("family_name") or "", data.get("given_name") or ""
    if not (family.strip() and given.strip() and data.get("sex")):
        return []
    family_re, given_re = f"^{accent_pattern(family)}$", f"^{accent_pattern(given)}$"
    same = Q(family_name__regex=family_re, given_name__regex=given_re) | Q(
        family_name__regex=given_re, given_name__regex=family_re
    )
    phone_digits = re.sub(r"\D", "", data.get("phone") or "")
    if len(phone_digits) >= 8:
        same |= Q(phone__endswith=phone_digits[-8:])
    progres = (data.get("progres") or "").strip()
    if progres:
        holders = ExternalId.objects.filter(scheme=ExternalId.Scheme.PROGRES, value=progres)
        same |= Q(pk__in=holders.values("person_id"))
    candidates = Person.objects.visible_to(user).filter(same, sex=data["sex"])
    birth = data.get("birth_date")
    if birth:
        years = (birth.year - 2, birth.year + 2)
        candidates = candidates.filter(
            Q(birth_date__isnull=True) | Q(birth_date__year__range=years)
        )
    exclude = data.get("exclude")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    return list(candidates.select_related("area")[:limit])

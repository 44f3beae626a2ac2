"""Workflows of the registry: register and update persons, households, groups, registrations;
review possible duplicates and merge persons (undoably).

The read helpers at the end (who may write, name search, likely duplicates) are shared by the
pages and the API; they read only through the access gate.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
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
from suivi.registry import eligibility, matching
from suivi.registry.models import (
    WG_DOMAINS,
    DuplicateCandidate,
    Eligibility,
    EligibilityCriterion,
    EligibilityRuleSet,
    ExternalId,
    Group,
    GroupMembership,
    Household,
    Person,
    PersonMerge,
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
    possible_duplicates: list[matching.Match] = (),
    override_reason: str = "",
) -> Person:
    """Create a person and, when a project is given, register them in it for the partner.

    ``possible_duplicates``, the likely matches the user chose to register anyway, go to the
    review queue. A person who fails the project's eligibility rules is refused (nothing is
    written) unless ``override_reason`` says why they are registered anyway.
    """
    person = Person(organisation=organisation, **_clean_person_data(data))
    audit.save_new(person, by=by, action="person.register")
    for match in possible_duplicates:
        _candidate_put(
            organisation=organisation,
            ids=(person.pk, match.person_id),
            score=match.score,
            reasons=match.reasons,
            source=DuplicateCandidate.Source.REGISTRATION,
        )
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
            override_reason=override_reason,
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
    first_pk = None
    # Without any criterion, every registration is eligible: stored so as it is written.
    judged = project is not None and any(
        rule_set.criteria.all() for rule_set in eligibility.registration_rule_sets(project)
    )
    registration_fields = ["organisation_id", "person_id", "project_id", "partner_id"]
    registration_fields += ["registered_on"]
    outcome: tuple = ()
    if project is not None and not judged:
        registration_fields += ["eligibility", "eligibility_failures", "eligibility_evaluated_at"]
        outcome = (Eligibility.ELIGIBLE, [], timezone.now())
    for chunk in bulk.batched(rows):
        persons = []
        for row in chunk:
            person = new_person(_clean_person_data(row.data))
            person.fill_derived()
            persons.append(person)
        bulk.insert(Person, persons)
        if first_pk is None and persons:
            first_pk = min(p.pk for p in persons)
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
                    (project.organisation_id, pk, project.pk, partner_id, registered_on, *outcome)
                )
        bulk.insert_values(needs_through, ["person_id", "specificneed_id"], needs)
        bulk.insert_values(ExternalId, ["person_id", "scheme", "value"], identifiers)
        bulk.insert_values(Registration, registration_fields, registrations)
        if on_batch is not None:
            on_batch(chunk, persons)
        total += len(persons)
    if judged and total:
        # The outcome of the project's eligibility rules is stored as for one registration, so
        # that the compliance report names the imported persons who fail a criterion.
        project_eligibility_refresh(project=project, by=by, persons_from=first_pk)
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
    registrations_evaluate(registrations=person.registrations.all(), by=by)
    return person


class IneligibleError(ValidationError):
    """The person fails an eligibility rule of the project and no override reason was given.

    ``evaluations`` holds the outcome of each rule set, to show which criteria failed and why.
    """

    def __init__(self, evaluations: list[eligibility.Evaluation]):
        self.evaluations = evaluations
        reasons = [r.reason for e in evaluations for r in e.failed]
        super().__init__(
            {
                "override_reason": _(
                    "This person does not meet the eligibility rules of the project: %(reasons)s "
                    "Give the reason for registering them anyway, or do not register them."
                )
                % {"reasons": " ".join(reasons)}
            }
        )

    @property
    def failed(self) -> list[eligibility.CriterionResult]:
        return [r for e in self.evaluations for r in e.failed]


def _stored_outcome(evaluations: list[eligibility.Evaluation]) -> tuple[str, list[dict]]:
    results = [r for e in evaluations for r in e.results]
    failures = [
        {"criterion": r.criterion.pk, "status": r.outcome}
        for r in results
        if r.outcome != eligibility.PASSED
    ]
    return eligibility.combined_status(r.outcome for r in results), failures


@transaction.atomic
def registration_create(
    *,
    person: Person,
    project: Project,
    partner: Organisation | None,
    registered_on: datetime.date,
    by: User | None,
    override_reason: str = "",
) -> Registration:
    """Register a person in a project for a partner; a person is registered once per project.

    Registrations are counted by indicators, so a date in a locked reporting period is refused.
    The project's eligibility rules are checked on the registration date and their outcome is
    stored; a person who fails one is registered only with ``override_reason``, recorded with
    who gave it (``IneligibleError`` otherwise).
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
    evaluations = eligibility.evaluate_for_project(person, project, on=registered_on)
    status, failures = _stored_outcome(evaluations)
    override_reason = " ".join((override_reason or "").split())
    overriding = status == Eligibility.NOT_ELIGIBLE
    if overriding and not override_reason:
        raise IneligibleError(evaluations)
    registration = Registration(
        organisation_id=project.organisation_id,
        person=person,
        project=project,
        partner=partner,
        registered_on=registered_on,
        eligibility=status,
        eligibility_failures=failures,
        eligibility_evaluated_at=timezone.now(),
    )
    if overriding:
        registration.override_reason = override_reason
        registration.overridden_by = by if by is not None and by.is_authenticated else None
        registration.overridden_at = timezone.now()
    audit.save_new(registration, by=by, action="registration.create")
    if overriding:
        audit.record(
            actor=by,
            action="registration.eligibility_override",
            target=registration,
            changes={
                "override_reason": override_reason,
                "failed_criteria": [f["criterion"] for f in failures if f["status"] == "failed"],
            },
        )
    return registration


@transaction.atomic
def registrations_evaluate(*, registrations: QuerySet, by: User | None) -> int:
    """Evaluate again the project's eligibility rules for each registration and store the
    outcome; a change of outcome is audited. Returns how many outcomes changed.

    Called when a person's data changes. A registration that no longer passes keeps its
    place: the compliance report shows it.
    """
    changed = 0
    for registration in registrations.select_related("person", "project"):
        evaluations = eligibility.evaluate_for_project(
            registration.person, registration.project, on=registration.registered_on
        )
        status, failures = _stored_outcome(evaluations)
        before = registration.eligibility
        registration.eligibility = status
        registration.eligibility_failures = failures
        registration.eligibility_evaluated_at = timezone.now()
        registration.save(
            update_fields=["eligibility", "eligibility_failures", "eligibility_evaluated_at"]
        )
        if before != status:
            changed += 1
            audit.record(
                actor=by,
                action="registration.eligibility",
                target=registration,
                changes={"eligibility": [before, status]},
            )
    return changed


def _outcomes_store(annotated, columns, now) -> int:
    """Store the outcomes the database computed (``annotate_outcomes``) where they changed;
    returns how many changed."""
    names = [column for _rs, _c, column in columns]
    # Registrations grouped by their new outcome: one UPDATE per outcome and chunk of rows.
    changed: dict[tuple[str, str], list[int]] = {}
    rows = annotated.values_list("pk", "eligibility", "eligibility_failures", *names)
    for pk, before, before_failures, *codes in rows.iterator(chunk_size=5000):
        outcomes = [eligibility.OUTCOMES[code] for code in codes]
        failures = [
            {"criterion": criterion.pk, "status": outcome}
            for (_rs, criterion, _col), outcome in zip(columns, outcomes, strict=True)
            if outcome != eligibility.PASSED
        ]
        status = eligibility.combined_status(outcomes)
        if status != before or failures != before_failures:
            changed.setdefault((status, json.dumps(failures)), []).append(pk)
    for (status, failures), pks in changed.items():
        for start in range(0, len(pks), 5000):
            Registration.objects.filter(pk__in=pks[start : start + 5000]).update(
                eligibility=status,
                eligibility_failures=json.loads(failures),
                eligibility_evaluated_at=now,
            )
    return sum(len(pks) for pks in changed.values())


@transaction.atomic
def project_eligibility_refresh(
    *, project: Project, by: User | None, persons_from: int | None = None
) -> int:
    """Store again the eligibility outcome of every registration of the project, computed by
    the database (after its rules change); with ``persons_from``, only of the persons whose
    key is at least that (those a bulk registration just created). Returns how many outcomes
    changed."""
    rule_sets = eligibility.registration_rule_sets(project)
    registrations = Registration.objects.filter(project=project)
    if persons_from is not None:
        registrations = registrations.filter(person_id__gte=persons_from)
    annotated, columns = eligibility.annotate_outcomes(registrations, rule_sets)
    now = timezone.now()
    if not columns:
        # No criterion: every registration is eligible, with no failure.
        changed_count = registrations.exclude(eligibility=Eligibility.ELIGIBLE).update(
            eligibility=Eligibility.ELIGIBLE, eligibility_failures=[], eligibility_evaluated_at=now
        )
    else:
        changed_count = _outcomes_store(annotated, columns, now)
    audit.record(
        actor=by,
        action="project.eligibility_refresh",
        target=project,
        changes={"changed": changed_count},
    )
    return changed_count


RULE_SET_FIELDS = ["name", "planned_activity", "reference", "reference_date", "active"]


@transaction.atomic
def eligibility_rule_set_create(
    *, project: Project, by: User | None, data: dict
) -> EligibilityRuleSet:
    """Create a rule set of the project (or of one of its planned activities)."""
    rule_set = EligibilityRuleSet(
        organisation_id=project.organisation_id,
        project=project,
        **{k: v for k, v in data.items() if k in RULE_SET_FIELDS},
    )
    audit.save_new(rule_set, by=by, action="eligibility.rule_set_create")
    return rule_set


@transaction.atomic
def eligibility_rule_set_update(
    *, rule_set: EligibilityRuleSet, by: User, data: dict
) -> EligibilityRuleSet:
    """Change a rule set; the stored outcomes of the project's registrations follow."""
    audit.save_changes(
        rule_set, by=by, action="eligibility.rule_set_update", data=data, fields=RULE_SET_FIELDS
    )
    project_eligibility_refresh(project=rule_set.project, by=by)
    return rule_set


def _criterion_changes(criterion: EligibilityCriterion) -> dict:
    return {
        "rule_set": criterion.rule_set_id,
        "field": criterion.field,
        "operator": criterion.operator,
        "value": criterion.value,
    }


@transaction.atomic
def eligibility_criterion_add(
    *, rule_set: EligibilityRuleSet, by: User | None, data: dict
) -> EligibilityCriterion:
    """Add a criterion to a rule set; it is checked (field, operator, value) before saving."""
    criterion = EligibilityCriterion(
        rule_set=rule_set,
        field=data.get("field", ""),
        operator=data.get("operator", ""),
        value=data.get("value"),
    )
    criterion.full_clean()
    criterion.save()
    audit.record(
        actor=by,
        action="eligibility.criterion_add",
        target=rule_set,
        changes={"criterion": criterion.pk, **_criterion_changes(criterion)},
    )
    project_eligibility_refresh(project=rule_set.project, by=by)
    return criterion


@transaction.atomic
def eligibility_criterion_update(
    *, criterion: EligibilityCriterion, by: User, data: dict
) -> EligibilityCriterion:
    """Change a criterion's field, operator or value."""
    before = _criterion_changes(criterion)
    for name in ("field", "operator", "value"):
        if name in data:
            setattr(criterion, name, data[name])
    criterion.full_clean()
    criterion.save()
    after = _criterion_changes(criterion)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit.record(
            actor=by,
            action="eligibility.criterion_update",
            target=criterion.rule_set,
            changes={"criterion": criterion.pk, **changes},
        )
        project_eligibility_refresh(project=criterion.rule_set.project, by=by)
    return criterion


@transaction.atomic
def eligibility_criterion_delete(*, criterion: EligibilityCriterion, by: User) -> None:
    """Remove a criterion from its rule set."""
    rule_set = criterion.rule_set
    changes = {"criterion": criterion.pk, **_criterion_changes(criterion)}
    criterion.delete()
    audit.record(actor=by, action="eligibility.criterion_delete", target=rule_set, changes=changes)
    project_eligibility_refresh(project=rule_set.project, by=by)


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


# --- Duplicates: scan, review, merge ----------------------------------------------------------


def _candidate_put(
    *, organisation: Organisation, ids: tuple[int, int], score: float, reasons: list, source: str
) -> bool:
    """Store a pair for review unless it is stored already (a reviewed pair stays reviewed).
    Returns whether it was new."""
    low, high = sorted(ids)
    existing = DuplicateCandidate.objects.filter(person_low_id=low, person_high_id=high).first()
    if existing is not None:
        if existing.status == DuplicateCandidate.Status.OPEN and (
            abs(existing.score - score) > 1e-6 or existing.reasons != reasons
        ):
            existing.score, existing.reasons = score, reasons
            existing.save(update_fields=["score", "reasons", "updated_at"])
        return False
    DuplicateCandidate.objects.create(
        organisation=organisation,
        person_low_id=low,
        person_high_id=high,
        score=score,
        reasons=reasons,
        source=source,
    )
    return True


@transaction.atomic
def duplicates_scan(
    *, organisation: Organisation, by: User | None, threshold: float | None = None
) -> dict:
    """Compare every person of the organisation with the others and queue the likely pairs.

    Doing it again changes nothing: known pairs are kept (their score refreshed while open),
    rejected and merged pairs are not proposed again. Returns the figures of the scan.
    """
    persons = Person.objects.filter(organisation=organisation, merged_into__isnull=True)
    rows = matching.with_lineage(list(persons.order_by("pk").values(*matching.PERSON_COLUMNS)))
    frame = matching.Frame(rows)
    count = len(rows)
    del rows  # the columns hold what the scan reads: a million dicts let go
    found = matching.scan(frame, threshold=threshold)
    new = 0
    for k in range(len(found.left)):
        new += _candidate_put(
            organisation=organisation,
            ids=(int(frame.ids[found.left[k]]), int(frame.ids[found.right[k]])),
            score=round(float(found.probability[k]), 4),
            reasons=matching.reasons_for(found, k),
            source=DuplicateCandidate.Source.SCAN,
        )
    figures = {"persons": count, "pairs": len(found.left), "new": new}
    audit.record(actor=by, action="duplicates.scan", target=organisation, changes=figures)
    return figures


@transaction.atomic
def duplicates_queue(
    *,
    organisation: Organisation,
    by: User | None,
    pairs: Iterable[tuple[int, int, float, list]],
    source: str,
    target: models.Model,
) -> int:
    """Put pairs of persons (ids, score, reason codes) in the review queue as ``_candidate_put``
    does: a pair known already is not added again. Returns how many pairs are new; the audit
    event is about ``target`` (the import that found them)."""
    pairs = list(pairs)
    new = 0
    for first, second, score, reasons in pairs:
        new += _candidate_put(
            organisation=organisation,
            ids=(first, second),
            score=round(score, 4),
            reasons=reasons,
            source=source,
        )
    audit.record(
        actor=by,
        action="duplicates.queue",
        target=target,
        changes={"source": source, "pairs": len(pairs), "new": new},
    )
    return new


@transaction.atomic
def duplicate_reject(*, candidate: DuplicateCandidate, by: User) -> DuplicateCandidate:
    """Record that the two persons of a candidate pair are different persons."""
    candidate.status = DuplicateCandidate.Status.REJECTED
    candidate.reviewed_by, candidate.reviewed_at = by, timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(
        actor=by,
        action="duplicate.reject",
        target=candidate,
        changes={"persons": [candidate.person_low_id, candidate.person_high_id]},
    )
    return candidate


# Relations that a merge does not move: the review records themselves, and the merge link.
_NOT_MOVED = {"registry.duplicatecandidate", "registry.personmerge", "registry.person"}


def _person_relations():
    """Every foreign key pointing at Person from another model (registrations, external ids,
    group memberships, attendance, distributions and whatever later apps add), with the unique
    constraints that include it. Read from the models' meta so a merge moves every history."""
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if not relation.one_to_many or model._meta.label_lower in _NOT_MOVED:
            continue
        if model is Household:
            continue  # the head of a household is handled with the household
        field = relation.field
        uniques = [
            [f for f in c.fields if f != field.name]
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and field.name in c.fields
        ]
        yield model, field, uniques


@transaction.atomic
def person_merge(
    *,
    survivor: Person,
    merged: Person,
    by: User,
    candidate: DuplicateCandidate | None = None,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor``: both histories are kept on the survivor.

    Registrations, attendance, distributions, identifiers and group memberships move to the
    survivor; where the survivor already has the same row (registered in the same project,
    present at the same session), the merged person's row is removed and kept in the merge
    record. The survivor takes the household when it had none. ``person_merge_undo`` puts
    everything back.
    """
    if survivor.pk == merged.pk or survivor.merged_into_id or merged.merged_into_id:
        raise ValidationError(_("These two records cannot be merged: one is already merged."))
    moved: dict = {"relations": {}}
    for model, field, uniques in _person_relations():
        rows = model._base_manager.filter(**{field.name: merged})
        removed = []
        for fields in uniques:
            attnames = [model._meta.get_field(f).attname for f in fields]
            if not attnames:
                continue
            survivors = model._base_manager.filter(**{field.name: survivor})
            taken = set(survivors.values_list(*attnames))
            removed += [r for r in rows if tuple(getattr(r, a) for a in attnames) in taken]
        removed_pks = {r.pk for r in removed}
        moving = list(rows.exclude(pk__in=removed_pks).values_list("pk", flat=True))
        label = f"{model._meta.label_lower}:{field.name}"
        if not moving and not removed:
            continue
        moved["relations"][label] = {
            "moved": moving,
            "removed": serializers.serialize("json", removed) if removed else "",
        }
        if removed:
            model._base_manager.filter(pk__in=removed_pks).delete()
        model._base_manager.filter(pk__in=moving).update(**{field.name: survivor})
    added_needs = list(
        merged.specific_needs.exclude(pk__in=survivor.specific_needs.all()).values_list(
            "pk", flat=True
        )
    )
    survivor.specific_needs.add(*added_needs)
    moved["specific_needs"] = added_needs
    if survivor.household_id is None and merged.household_id is not None:
        moved["household"] = merged.household_id
        survivor.household_id = merged.household_id
        survivor.save(update_fields=["household", "updated_at"])
    heads = list(Household.objects.filter(head=merged).values_list("pk", flat=True))
    Household.objects.filter(pk__in=heads).update(head=survivor)
    moved["head_of"] = heads
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    if candidate is None:
        low, high = sorted((survivor.pk, merged.pk))
        candidate = DuplicateCandidate.objects.filter(
            person_low_id=low, person_high_id=high
        ).first()
    if candidate is not None:
        candidate.status = DuplicateCandidate.Status.CONFIRMED
        candidate.reviewed_by, candidate.reviewed_at = by, timezone.now()
        candidate.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    merge = PersonMerge(
        organisation_id=survivor.organisation_id,
        survivor=survivor,
        merged=merged,
        candidate=candidate,
        moved=moved,
    )
    audit.save_new(merge, by=by, action="person.merge")
    audit.record(
        actor=by,
        action="person.merge",
        target=survivor,
        changes={"merged": merged.pk, "moved": _moved_counts(moved)},
    )
    return merge


def _moved_counts(moved: dict) -> dict:
    counts = {}
    for label, rows in moved["relations"].items():
        removed = serializers.deserialize("json", rows["removed"]) if rows["removed"] else []
        counts[label] = len(rows["moved"]) + len(list(removed))
    return counts


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, by: User) -> PersonMerge:
    """Undo a merge: the rows that moved go back to the merged person, the removed rows come
    back, and the pair returns to the review queue."""
    if merge.undone_at is not None:
        raise ValidationError(_("This merge is already undone."))
    merged, survivor = merge.merged, merge.survivor
    for label, rows in merge.moved.get("relations", {}).items():
        model_label, field_name = label.split(":")
        model = next(m for m, f, _u in _person_relations() if m._meta.label_lower == model_label)
        model._base_manager.filter(pk__in=rows["moved"]).update(**{field_name: merged})
        if rows["removed"]:
            for obj in serializers.deserialize("json", rows["removed"]):
                obj.save()
    survivor.specific_needs.remove(*merge.moved.get("specific_needs", []))
    if merge.moved.get("household") is not None:
        survivor.household_id = None
        survivor.save(update_fields=["household", "updated_at"])
    Household.objects.filter(pk__in=merge.moved.get("head_of", [])).update(head=merged)
    merged.merged_into = None
    merged.save(update_fields=["merged_into", "updated_at"])
    if merge.candidate_id is not None:
        DuplicateCandidate.objects.filter(pk=merge.candidate_id).update(
            status=DuplicateCandidate.Status.OPEN, reviewed_by=None, reviewed_at=None
        )
    merge.undone_at, merge.undone_by = timezone.now(), by
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    audit.record(
        actor=by, action="person.merge_undo", target=survivor, changes={"merged": merged.pk}
    )
    return merge


def duplicate_candidates_for(user: User) -> QuerySet:
    """Candidate pairs whose two persons the user may see (a merged person through the one
    they were merged into).

    For organisation-wide staff the gate is a plain filter on the organisation (the queue of a
    whole registry stays one index scan); for scoped users both persons must be visible, checked
    with ``IN`` subqueries, not a correlated EXISTS per row.
    """
    candidates = DuplicateCandidate.objects.all()
    if user.is_superuser:
        return candidates
    scopes = scopes_for(user)
    whole = [
        s
        for s in scopes
        if s.project_ids is None and s.role not in (Role.PARTNER_FOCAL_POINT, Role.DONOR_VIEWER)
    ]
    if whole and len(whole) == len(scopes):
        return candidates.filter(organisation_id__in={s.organisation_id for s in whole})
    visible = Person.objects.visible_to(user)
    # A merged person is seen through the survivor, who holds their registrations now.
    reachable = Person.objects.filter(
        Q(pk__in=visible.values("pk")) | Q(merged_into__in=visible.values("pk"))
    ).values("pk")
    return candidates.filter(person_low__in=reachable, person_high__in=reachable)

"""Workflows of delivery: sessions, attendance, counted reach and distributions.

Every change to a row dated in a locked reporting period is refused (DESIGN rule 4).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from suivi.accounts.models import User
from suivi.audit import services as audit
from suivi.delivery.models import Attendance, Distribution, ReachCount, Session
from suivi.lib import ages
from suivi.projects.models import Project
from suivi.projects.services import refuse_if_locked
from suivi.registry.models import Person, Registration

SESSION_FIELDS = [
    "planned_activity",
    "partner",
    "kind",
    "title",
    "date",
    "area",
    "site",
    "facilitator",
    "notes",
]


def _check_partner(project: Project, partner) -> None:
    if partner is not None and partner.pk not in project.partner_ids():
        raise ValidationError({"partner": _("This organisation is not a partner of the project.")})


@transaction.atomic
def session_record(*, project: Project, by: User | None, data: dict) -> Session:
    """Record a session of a project."""
    refuse_if_locked(project=project, day=data["date"])
    _check_partner(project, data.get("partner"))
    session = Session(organisation_id=project.organisation_id, project=project, **data)
    return audit.save_new(session, by=by, action="session.record")


@transaction.atomic
def session_update(*, session: Session, by: User, data: dict) -> Session:
    refuse_if_locked(project=session.project, day=session.date)
    if "date" in data:
        refuse_if_locked(project=session.project, day=data["date"])
    if "partner" in data:
        _check_partner(session.project, data["partner"])
    return audit.save_changes(
        session, by=by, action="session.update", data=data, fields=SESSION_FIELDS
    )


def _unregistered(project: Project, person_ids: set[int]) -> set[int]:
    registered = set(
        Registration.objects.filter(project=project, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    return person_ids - registered


@transaction.atomic
def attendance_record(*, session: Session, persons: list[Person], by: User | None) -> int:
    """Mark registered persons present at a session; returns how many were added.

    Persons already marked present are left as they are, so recording twice changes nothing.
    """
    refuse_if_locked(project=session.project, day=session.date)
    ids = {p.pk for p in persons}
    missing = _unregistered(session.project, ids)
    if missing:
        names = ", ".join(str(p) for p in persons if p.pk in missing)
        raise ValidationError(
            {
                "persons": _("Not registered in project %(code)s: %(names)s. Register them first.")
                % {"code": session.project.code, "names": names}
            }
        )
    present = set(
        Attendance.objects.filter(session=session, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    new = [Attendance(session=session, person_id=pk) for pk in sorted(ids - present)]
    Attendance.objects.bulk_create(new)
    if new:
        audit.record(
            actor=by,
            action="attendance.record",
            target=session,
            changes={"persons_added": [a.person_id for a in new]},
        )
    return len(new)


@transaction.atomic
def attendance_remove(*, session: Session, person: Person, by: User) -> None:
    refuse_if_locked(project=session.project, day=session.date)
    deleted, _rows = Attendance.objects.filter(session=session, person=person).delete()
    if deleted:
        audit.record(
            actor=by,
            action="attendance.remove",
            target=session,
            changes={"person": person.pk},
        )


@transaction.atomic
def reach_counts_set(*, session: Session, counts: dict[tuple[str, str], int], by: User) -> None:
    """Set the people reached by sex and age band; a zero removes the cell."""
    refuse_if_locked(project=session.project, day=session.date)
    valid_bands = {*ages.AGE_BAND_CODES, ages.UNKNOWN}
    for (sex, band), count in counts.items():
        if sex not in ("F", "M") or band not in valid_bands:
            raise ValidationError(
                _("Unknown sex or age band: %(cell)s.") % {"cell": f"{sex} {band}"}
            )
        if count < 0:
            raise ValidationError(_("A number of people cannot be negative."))
    before = {(r.sex, r.age_band): r.count for r in ReachCount.objects.filter(session=session)}
    ReachCount.objects.filter(session=session).delete()
    merged = {**before, **counts}
    ReachCount.objects.bulk_create(
        ReachCount(session=session, sex=sex, age_band=band, count=count)
        for (sex, band), count in sorted(merged.items())
        if count
    )
    audit.record(
        actor=by,
        action="reach.set",
        target=session,
        changes={f"{s} {b}": [before.get((s, b)), c] for (s, b), c in counts.items()},
    )


DISTRIBUTION_FIELDS = [
    "partner",
    "planned_activity",
    "session",
    "date",
    "person",
    "household",
    "group",
    "kind",
    "item",
    "quantity",
    "unit",
    "value",
    "currency",
    "modality",
    "site",
]


@transaction.atomic
def distribution_record(*, project: Project, by: User | None, data: dict) -> Distribution:
    """Record items, cash or a scholarship given to a registered person, a household or a group."""
    refuse_if_locked(project=project, day=data["date"])
    _check_partner(project, data.get("partner"))
    person = data.get("person")
    if person is not None and _unregistered(project, {person.pk}):
        raise ValidationError(
            {
                "person": _("%(name)s is not registered in project %(code)s. Register them first.")
                % {"name": person, "code": project.code}
            }
        )
    distribution = Distribution(organisation_id=project.organisation_id, project=project, **data)
    return audit.save_new(distribution, by=by, action="distribution.record")


@transaction.atomic
def distribution_update(*, distribution: Distribution, by: User, data: dict) -> Distribution:
    refuse_if_locked(project=distribution.project, day=distribution.date)
    if "date" in data:
        refuse_if_locked(project=distribution.project, day=data["date"])
    return audit.save_changes(
        distribution, by=by, action="distribution.update", data=data, fields=DISTRIBUTION_FIELDS
    )


@transaction.atomic
def distribution_delete(*, distribution: Distribution, by: User) -> None:
    refuse_if_locked(project=distribution.project, day=distribution.date)
    audit.record(actor=by, action="distribution.delete", target=distribution)
    distribution.delete()

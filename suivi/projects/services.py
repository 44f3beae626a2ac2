"""Workflows of projects: logframe, indicators, targets, periods and their locks, values."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
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
from suivi.lib import periods
from suivi.projects.models import (
    Indicator,
    IndicatorValue,
    PlannedActivity,
    Project,
    ReportingPeriod,
    Result,
    Target,
)

PROJECT_FIELDS = [
    "code",
    "title_fr",
    "title_en",
    "summary",
    "status",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "iati_identifier",
    "humanitarian",
    "recipient_country",
]


def refuse_if_locked(*, project: Project, day: datetime.date) -> None:
    """Refuse a change to data dated in a locked period of the project."""
    if ReportingPeriod.objects.locked_on(project.pk, day):
        raise ValidationError(
            _(
                "The reporting period containing %(date)s is locked: its data can no longer "
                "change. Ask an M&E officer to unlock it."
            )
            % {"date": day.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def project_create(
    *, organisation, by: User | None, data: dict, donors=(), partners=(), sectors=(), areas=()
) -> Project:
    """Create a project with its donors, partners, sectors and areas, and its quarters."""
    project = Project(organisation=organisation, **{k: data[k] for k in data})
    audit.save_new(project, by=by, action="project.create")
    project.donors.set(donors)
    project.partners.set(partners)
    project.sectors.set(sectors)
    project.areas.set(areas)
    periods_generate(project=project, kind=periods.QUARTER, by=by)
    periods_generate(project=project, kind=periods.YEAR, by=by)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    by: User,
    data: dict,
    partners=None,
    donors=None,
    sectors=None,
    areas=None,
) -> Project:
    """Change a project's facts and, when given, its partners, donors, sectors and areas.

    New dates get their missing quarters and years; periods outside the new dates stay, with
    whatever data they hold.
    """
    dates = (project.start_date, project.end_date)
    audit.save_changes(project, by=by, action="project.update", data=data, fields=PROJECT_FIELDS)
    if partners is not None:
        before = sorted(project.partner_ids())
        project.partners.set(partners)
        project.__dict__.pop("_partner_ids", None)
        after = sorted(project.partner_ids())
        if before != after:
            audit.record(
                actor=by,
                action="project.partners",
                target=project,
                changes={"partners": [before, after]},
            )
    for name, values in (("donors", donors), ("sectors", sectors), ("areas", areas)):
        if values is None:
            continue
        related = getattr(project, name)
        before = sorted(related.values_list("pk", flat=True))
        related.set(values)
        after = sorted(related.values_list("pk", flat=True))
        if before != after:
            audit.record(
                actor=by, action=f"project.{name}", target=project, changes={name: [before, after]}
            )
    if (project.start_date, project.end_date) != dates:
        periods_generate(project=project, kind=periods.QUARTER, by=by)
        periods_generate(project=project, kind=periods.YEAR, by=by)
    return project


@transaction.atomic
def periods_generate(*, project: Project, kind: str, by: User | None) -> list[ReportingPeriod]:
    """Create the missing periods of ``kind`` covering the project's dates."""
    created = []
    for year, number in periods.iterate(kind, project.start_date, project.end_date):
        start, end = periods.bounds(kind, year, number)
        period, new = ReportingPeriod.objects.get_or_create(
            project=project,
            kind=kind,
            year=year,
            number=number,
            defaults={
                "organisation_id": project.organisation_id,
                "start": start,
                "end": end,
                "created_by": by,
            },
        )
        if new:
            created.append(period)
    if created:
        audit.record(
            actor=by,
            action="period.generate",
            target=project,
            changes={"kind": kind, "periods": [str(p) for p in created]},
        )
    return created


@transaction.atomic
def period_lock(*, period: ReportingPeriod, by: User) -> None:
    """Lock a period: its indicator values and the delivery rows dated in it stop changing."""
    if period.is_locked:
        return
    period.locked_at = timezone.now()
    period.locked_by = by
    period.save(update_fields=["locked_at", "locked_by"])
    audit.record(actor=by, action="period.lock", target=period)


@transaction.atomic
def period_unlock(*, period: ReportingPeriod, by: User, reason: str) -> None:
    """Unlock a period. The reason is required and kept in the audit trail."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the period is unlocked.")})
    if not period.is_locked:
        return
    period.locked_at = None
    period.locked_by = None
    period.save(update_fields=["locked_at", "locked_by"])
    audit.record(actor=by, action="period.unlock", target=period, changes={"reason": reason})


@transaction.atomic
def result_create(*, project: Project, by: User | None, data: dict) -> Result:
    result = Result(organisation_id=project.organisation_id, project=project, **data)
    return audit.save_new(result, by=by, action="result.create")


@transaction.atomic
def result_update(*, result: Result, by: User, data: dict) -> Result:
    fields = ["code", "level", "title_fr", "title_en", "parent"]
    return audit.save_changes(result, by=by, action="result.update", data=data, fields=fields)


INDICATOR_FIELDS = [
    "result",
    "code",
    "name_fr",
    "name_en",
    "unit",
    "method",
    "definition",
    "disaggregations",
    "cumulative",
    "baseline",
    "baseline_date",
    "means_of_verification",
]


@transaction.atomic
def indicator_create(*, project: Project, by: User | None, data: dict) -> Indicator:
    indicator = Indicator(organisation_id=project.organisation_id, project=project, **data)
    return audit.save_new(indicator, by=by, action="indicator.create")


@transaction.atomic
def indicator_update(*, indicator: Indicator, by: User, data: dict) -> Indicator:
    return audit.save_changes(
        indicator, by=by, action="indicator.update", data=data, fields=INDICATOR_FIELDS
    )


def _refuse_locked_period(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(
            _("The period %(period)s is locked: its values can no longer change.")
            % {"period": period.label}
        )


@transaction.atomic
def target_set(
    *, indicator: Indicator, period: ReportingPeriod, value: Decimal, by: User
) -> Target:
    """Set the target of an indicator for a period."""
    _refuse_locked_period(period)
    target, created = Target.objects.get_or_create(
        indicator=indicator,
        period=period,
        defaults={"organisation_id": indicator.organisation_id, "value": value, "created_by": by},
    )
    if not created and target.value != value:
        old = target.value
        target.value = value
        target.save(update_fields=["value", "updated_at"])
        audit.record(
            actor=by, action="target.update", target=target, changes={"value": [old, value]}
        )
    elif created:
        audit.record(actor=by, action="target.create", target=target, changes={"value": value})
    return target


@transaction.atomic
def indicator_value_set(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    value: Decimal,
    by: User,
    cell: str = "",
    evidence=None,
    note: str = "",
) -> IndicatorValue:
    """Enter a value by hand, with its evidence file. Validated values go back to draft."""
    _refuse_locked_period(period)
    if indicator.method != Indicator.Method.MANUAL:
        raise ValidationError(_("This indicator is computed from Suivi data: it is not entered."))
    if indicator.unit == Indicator.Unit.PERCENTAGE and not (0 <= value <= 100):
        raise ValidationError({"value": _("A percentage is between 0 and 100.")})
    if indicator.unit == Indicator.Unit.YES_NO and value not in (0, 1):
        raise ValidationError({"value": _("Enter 1 for yes or 0 for no.")})
    row = IndicatorValue.objects.filter(indicator=indicator, period=period, cell=cell).first()
    old = row.value if row else None
    if row is None:
        row = IndicatorValue(
            organisation_id=indicator.organisation_id,
            indicator=indicator,
            period=period,
            cell=cell,
            created_by=by,
            value=value,
        )
    row.value = value
    row.note = note or row.note
    row.status = IndicatorValue.Status.DRAFT
    if evidence is not None:
        row.evidence = evidence
    row.save()
    audit.record(
        actor=by,
        action="indicator_value.set",
        target=row,
        changes={"value": [old, value], "cell": cell, "evidence": bool(row.evidence)},
    )
    return row


@transaction.atomic
def indicator_values_store(
    *, indicator: Indicator, period: ReportingPeriod, values: dict[str, Decimal], by: User | None
) -> int:
    """Store computed values (cell -> value) of a period; returns how many rows changed.

    Cells no longer produced are removed; a changed value goes back to draft.
    """
    _refuse_locked_period(period)
    now = timezone.now()
    existing = {
        v.cell: v for v in IndicatorValue.objects.filter(indicator=indicator, period=period)
    }
    changed = 0
    for cell, value in values.items():
        row = existing.pop(cell, None)
        if row is None:
            IndicatorValue.objects.create(
                organisation_id=indicator.organisation_id,
                indicator=indicator,
                period=period,
                cell=cell,
                value=value,
                computed_at=now,
                created_by=by,
            )
            changed += 1
        elif row.value != value:
            row.value = value
            row.status = IndicatorValue.Status.DRAFT
            row.computed_at = now
            row.save(update_fields=["value", "status", "computed_at", "updated_at"])
            changed += 1
        else:
            IndicatorValue.objects.filter(pk=row.pk).update(computed_at=now)
    if existing:
        IndicatorValue.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
        changed += len(existing)
    if changed:
        audit.record(
            actor=by,
            action="indicator.compute",
            target=indicator,
            changes={"period": period.label, "total": values.get(""), "cells_changed": changed},
        )
    return changed


@transaction.atomic
def indicator_values_transition(
    *, indicator: Indicator, period: ReportingPeriod, status: str, by: User
) -> int:
    """Submit or validate all values of an indicator for a period."""
    _refuse_locked_period(period)
    allowed = {
        IndicatorValue.Status.SUBMITTED: {IndicatorValue.Status.DRAFT},
        IndicatorValue.Status.VALIDATED: {
            IndicatorValue.Status.DRAFT,
            IndicatorValue.Status.SUBMITTED,
        },
        IndicatorValue.Status.DRAFT: {
            IndicatorValue.Status.SUBMITTED,
            IndicatorValue.Status.VALIDATED,
        },
    }[status]
    rows = IndicatorValue.objects.filter(indicator=indicator, period=period, status__in=allowed)
    count = rows.update(status=status, updated_at=timezone.now())
    if count:
        audit.record(
            actor=by,
            action=f"indicator_value.{status}",
            target=indicator,
            changes={"period": period.label, "values": count},
        )
    return count


PLANNED_ACTIVITY_FIELDS = [
    "result",
    "partner",
    "title_fr",
    "title_en",
    "start_date",
    "end_date",
    "area",
    "site",
    "responsible",
    "status",
]


@transaction.atomic
def planned_activity_create(*, project: Project, by: User | None, data: dict) -> PlannedActivity:
    activity = PlannedActivity(organisation_id=project.organisation_id, project=project, **data)
    return audit.save_new(activity, by=by, action="planned_activity.create")


@transaction.atomic
def planned_activity_update(*, activity: PlannedActivity, by: User, data: dict) -> PlannedActivity:
    return audit.save_changes(
        activity,
        by=by,
        action="planned_activity.update",
        data=data,
        fields=PLANNED_ACTIVITY_FIELDS,
    )


# --- Who may change what ------------------------------------------------------------------------

# Roles that create projects and change their facts (dates, budget, donors, partners).
PROJECT_MANAGER_ROLES = frozenset({Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER})


def project_create_organisations(user: User):
    """Organisations in which ``user`` may create projects: they are an administrator or a
    programme manager of the whole organisation (a role limited to some projects would not see
    the new one)."""
    if user.is_superuser:
        return Organisation.objects.all()
    ids = {
        s.organisation_id
        for s in scopes_for(user)
        if s.role in PROJECT_MANAGER_ROLES and s.project_ids is None
    }
    return Organisation.objects.filter(pk__in=ids)


def planned_activity_can_edit(*, user: User, project: Project, partner_id: int | None) -> bool:
    """Whether ``user`` may plan or change work-plan activities of ``partner_id`` (None: the
    agency itself) in ``project``. A partner focal point plans only their own partner's work."""
    if not has_role(user, DATA_ENTRY_ROLES, project, partner_id):
        return False
    own = partner_of(user, project)
    return own is None or own == partner_id


# --- Targets --------------------------------------------------------------------------------


@transaction.atomic
def target_clear(*, indicator: Indicator, period: ReportingPeriod, by: User) -> bool:
    """Remove the target of an indicator for a period; returns whether there was one."""
    _refuse_locked_period(period)
    target = Target.objects.filter(indicator=indicator, period=period).first()
    if target is None:
        return False
    audit.record(
        actor=by, action="target.delete", target=target, changes={"value": [target.value, None]}
    )
    target.delete()
    return True


@transaction.atomic
def indicator_targets_set(
    *, indicator: Indicator, targets: dict[ReportingPeriod, Decimal | None], by: User
) -> int:
    """Set (or, with None, remove) the targets of an indicator for several periods at once.

    All or nothing: a locked period among them refuses the whole change. Returns how many
    targets changed.
    """
    current = {t.period_id: t.value for t in Target.objects.filter(indicator=indicator)}
    changed = 0
    for period, value in targets.items():
        if value is None:
            if period.pk in current:
                target_clear(indicator=indicator, period=period, by=by)
                changed += 1
        elif current.get(period.pk) != value:
            target_set(indicator=indicator, period=period, value=value, by=by)
            changed += 1
    return changed

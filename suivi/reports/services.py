"""Workflows of reports: computing indicator values from the rows the teams entered."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from suivi.accounts.models import User
from suivi.audit import services as audit
from suivi.places.models import Area
from suivi.projects import services as projects_services
from suivi.projects.models import Indicator, Project, ReportingPeriod
from suivi.reports import indicators
from suivi.reports.models import Dhis2CategoryOptionCombo, Dhis2DataElement, Dhis2OrgUnit


def _fresh_lock(period: ReportingPeriod) -> ReportingPeriod:
    """The period as it is now, its row held until the transaction ends.

    A lock taken by someone else in the meantime is seen, and cannot slip in between the
    check and the write.
    """
    return ReportingPeriod.objects.select_for_update().get(pk=period.pk)


@transaction.atomic
def indicator_compute(
    *, indicator: Indicator, period: ReportingPeriod, by: User | None
) -> dict[str, Decimal]:
    """Compute a computed indicator for a period and store its values (refused when locked).

    Changed cells go back to draft; unchanged ones keep their status.
    """
    period = _fresh_lock(period)
    values = indicators.compute(indicator, period)
    projects_services.indicator_values_store(
        indicator=indicator, period=period, values=values, by=by
    )
    return values


@transaction.atomic
def values_transition(
    *, indicator: Indicator, period: ReportingPeriod, status: str, by: User
) -> int:
    """Submit, validate or send back to draft an indicator's values of a period.

    A computed indicator's values are computed and stored first, so that what is validated is
    what the data says now. Returns how many stored cells changed status.
    """
    period = _fresh_lock(period)
    if indicator.method == Indicator.Method.COMPUTED:
        indicator_compute(indicator=indicator, period=period, by=by)
    return projects_services.indicator_values_transition(
        indicator=indicator, period=period, status=status, by=by
    )


def project_compute(*, project: Project, period_kinds=("quarter", "year"), by: User | None) -> int:
    """Recompute every computed indicator of a project for its unlocked periods."""
    count = 0
    computed = project.indicators.filter(method=Indicator.Method.COMPUTED).select_related("project")
    periods = list(project.periods.filter(kind__in=period_kinds, locked_at__isnull=True))
    for indicator in computed:
        for period in periods:
            indicator_compute(indicator=indicator, period=period, by=by)
            count += 1
    return count


@transaction.atomic
def dhis2_mapping_save(
    *,
    project: Project,
    by: User,
    data_elements: dict[Indicator, str],
    combos: dict[tuple[Indicator, str], str],
    org_units: dict[Area, str],
) -> int:
    """Store a project's DHIS2 mapping; an empty identifier removes that mapping.

    Returns how many mappings changed; each change is in the audit trail of its indicator
    (or of the project, for organisation units).
    """
    changed = 0
    for indicator, uid in data_elements.items():
        current = Dhis2DataElement.objects.filter(indicator=indicator).first()
        before = current.data_element if current else ""
        if uid == before:
            continue
        if not uid:
            current.delete()
        else:
            Dhis2DataElement.objects.update_or_create(
                indicator=indicator, defaults={"data_element": uid}
            )
        audit.record(
            actor=by,
            action="indicator.dhis2_map",
            target=indicator,
            changes={"data_element": [before, uid]},
        )
        changed += 1
    for (indicator, cell), uid in combos.items():
        current = Dhis2CategoryOptionCombo.objects.filter(indicator=indicator, cell=cell).first()
        before = current.category_option_combo if current else ""
        if uid == before:
            continue
        if not uid:
            current.delete()
        else:
            Dhis2CategoryOptionCombo.objects.update_or_create(
                indicator=indicator, cell=cell, defaults={"category_option_combo": uid}
            )
        audit.record(
            actor=by,
            action="indicator.dhis2_map",
            target=indicator,
            changes={f"category_option_combo:{cell}": [before, uid]},
        )
        changed += 1
    for area, uid in org_units.items():
        organisation = project.organisation
        current = Dhis2OrgUnit.objects.filter(organisation=organisation, area=area).first()
        before = current.org_unit if current else ""
        if uid == before:
            continue
        if not uid:
            current.delete()
        else:
            Dhis2OrgUnit.objects.update_or_create(
                organisation=organisation, area=area, defaults={"org_unit": uid}
            )
        audit.record(
            actor=by,
            action="project.dhis2_map",
            target=project,
            changes={f"org_unit:{area.pcode}": [before, uid]},
        )
        changed += 1
    return changed

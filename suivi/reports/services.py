"""Workflows of reports: computing indicator values from the rows the teams entered."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from suivi.accounts.models import User
from suivi.audit import services as audit
from suivi.projects import services as projects_services
from suivi.projects.models import Indicator, IndicatorValue, Project, ReportingPeriod
from suivi.reports import indicators


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
def period_validate(*, period: ReportingPeriod, by: User) -> int:
    """Validate the values of every indicator of the period's project for that period.

    Computed indicators are computed and stored first (what is validated is what the data says
    now). Refused when the period is locked. Returns how many indicators had values validated.
    """
    period = _fresh_lock(period)
    count = 0
    for indicator in period.project.indicators.select_related("project").order_by("code"):
        changed = values_transition(
            indicator=indicator,
            period=period,
            status=IndicatorValue.Status.VALIDATED,
            by=by,
        )
        count += 1 if changed else 0
    audit.record(actor=by, action="period.validate", target=period, changes={"indicators": count})
    return count

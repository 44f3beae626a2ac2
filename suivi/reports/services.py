"""Workflows of reports: computing indicator values from the rows the teams entered."""

from __future__ import annotations

from django.db import transaction

from suivi.accounts.models import User
from suivi.projects import services as projects_services
from suivi.projects.models import Indicator, ReportingPeriod
from suivi.reports import indicators


@transaction.atomic
def indicator_compute(*, indicator: Indicator, period: ReportingPeriod, by: User | None) -> dict:
    """Compute a computed indicator for a period and store its values (refused when locked)."""
    values = indicators.compute(indicator, period)
    projects_services.indicator_values_store(
        indicator=indicator, period=period, values=values, by=by
    )
    return values


def project_compute(*, project, period_kinds=("quarter", "year"), by: User | None) -> int:
    """Recompute every computed indicator of a project for its unlocked periods."""
    count = 0
    computed = project.indicators.filter(method=Indicator.Method.COMPUTED)
    periods = project.periods.filter(kind__in=period_kinds, locked_at__isnull=True)
    for indicator in computed:
        for period in periods:
            indicator_compute(indicator=indicator, period=period, by=by)
            count += 1
    return count

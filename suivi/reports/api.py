"""The API of reports: the figures of an indicator for a reporting period.

The figures come from the same place as the indicator page and the exports: computed live by
``suivi.reports.indicators.compute`` while the period is open, and the stored values once it
is locked (what was validated is what stays). A manual indicator always has its stored values.
"""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from suivi.api.errors import READ_ERRORS, ErrorOut
from suivi.api.fields import Id
from suivi.projects import definitions
from suivi.projects.api import PeriodOut
from suivi.projects.models import Indicator, IndicatorValue, ReportingPeriod, Target
from suivi.reports import indicators

router = Router(tags=["indicators"])


class ValuesQuery(Schema):
    period: Id = Field(
        description="Id of a reporting period of the indicator's project "
        "(listed by GET /api/v1/projects/{project_id})."
    )


class IndicatorValuesOut(Schema):
    indicator_id: int
    indicator_code: str
    period: PeriodOut
    live: bool = Field(
        description="true: computed now from the rows entered (open period); "
        "false: the values stored for the period (locked period or manual indicator)."
    )
    total: float | None = Field(description='The value of the whole (the cell "").')
    cells: dict[str, float] = Field(
        description='Every figure by cell: "" is the total, "sex=F" a margin, '
        '"sex=F|age_band=12-17" a cross of the disaggregations.'
    )
    target: float | None
    status: str | None = Field(
        description="Validation status of the stored total: draft, submitted or validated."
    )
    computed_at: datetime.datetime | None


@router.get(
    "/indicators/{indicator_id}/values",
    response={200: IndicatorValuesOut, **READ_ERRORS, 409: ErrorOut},
)
def indicator_values(request, indicator_id: int, query: Query[ValuesQuery]):
    """The figures of an indicator for one reporting period, with its target.

    While the period is open, a computed indicator is computed live from the rows the teams
    entered, so a new attendance shows at once. Once the period is locked, the stored values
    are returned: the numbers the page, the API and the exports give are the same.
    """
    user = request.auth
    indicator = get_object_or_404(
        Indicator.objects.visible_to(user).select_related("project"), pk=indicator_id
    )
    period = (
        ReportingPeriod.objects.visible_to(user)
        .filter(project_id=indicator.project_id, pk=query.period)
        .first()
    )
    if period is None:
        raise ValidationError(
            {
                "period": _(
                    "Period %(id)s is not a period of this indicator's project: choose one "
                    "listed by GET /api/v1/projects/%(project)s."
                )
                % {"id": query.period, "project": indicator.project_id}
            }
        )
    live = indicator.method == Indicator.Method.COMPUTED and not period.is_locked
    status = computed_at = None
    if live:
        problems = definitions.validate(indicator.definition)
        if problems:
            raise HttpError(
                409,
                _("This indicator's definition cannot be computed: %(problems)s")
                % {"problems": " ".join(problems)},
            )
        cells = indicators.compute(indicator, period)
    else:
        rows = IndicatorValue.objects.visible_to(user).filter(indicator=indicator, period=period)
        cells = {}
        for row in rows:
            cells[row.cell] = row.value
            if row.cell == "":
                status, computed_at = row.status, row.computed_at
    target = Target.objects.visible_to(user).filter(indicator=indicator, period=period).first()
    return {
        "indicator_id": indicator.pk,
        "indicator_code": indicator.code,
        "period": period,
        "live": live,
        "total": cells.get(""),
        "cells": cells,
        "target": target.value if target else None,
        "status": status,
        "computed_at": computed_at,
    }

"""The API of reports: the figures of an indicator for a reporting period.

The figures are ``suivi.reports.indicators.figures``, the one answer the indicator page and the
exports give too: computed live (``indicators.compute``) while the period is open, the stored
values once it is locked (what was validated is what stays), and always the stored values for
an indicator entered by hand.
"""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from suivi.api.errors import READ_ERRORS, ErrorOut
from suivi.api.fields import Id
from suivi.projects import definitions
from suivi.projects.api import PeriodOut
from suivi.projects.models import Indicator, Project, ReportingPeriod, Target
from suivi.reports import dhis2, iati, indicators

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
    stale: bool = Field(
        description="Live figures that differ from the stored ones: the data changed since "
        "they were stored."
    )
    status: str | None = Field(
        description="Validation status of the stored values (the least advanced cell): draft, "
        "submitted or validated; null when nothing is stored."
    )
    computed_at: datetime.datetime | None = Field(description="When the values were stored.")
    achievement: float | None = Field(description="The total as a percentage of the target.")
    achievement_status: str | None = Field(
        description="green from 90% of the target, amber from 60%, red below."
    )


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
    if indicator.method == Indicator.Method.COMPUTED and not period.is_locked:
        problems = definitions.validate(
            indicator.definition, project=indicator.project, code=indicator.code
        )
        if problems:
            raise HttpError(
                409,
                _("This indicator's definition cannot be computed: %(problems)s")
                % {"problems": " ".join(problems)},
            )
    found = indicators.figures(indicator, period)
    target = Target.objects.visible_to(user).filter(indicator=indicator, period=period).first()
    target_value = target.value if target else None
    achievement = indicators.achievement(found.total, target_value)
    return {
        "indicator_id": indicator.pk,
        "indicator_code": indicator.code,
        "period": period,
        "live": found.live,
        "total": found.total,
        "cells": found.cells,
        "target": target_value,
        "stale": found.stale,
        "status": found.status,
        "computed_at": found.computed_at,
        "achievement": achievement,
        "achievement_status": indicators.achievement_status(achievement),
    }


# --- Standard exports ---------------------------------------------------------------------------

exports_router = Router(tags=["exports"])


class DataValueOut(Schema):
    dataElement: str  # noqa: N815 (DHIS2's own field names)
    period: str
    orgUnit: str  # noqa: N815
    categoryOptionCombo: str | None = None  # noqa: N815
    value: str


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]  # noqa: N815


def _project_and_period(user, project_id: int, period_id: int):
    project = get_object_or_404(
        Project.objects.visible_to(user).select_related("organisation"), pk=project_id
    )
    period = ReportingPeriod.objects.visible_to(user).filter(project=project, pk=period_id).first()
    if period is None:
        raise ValidationError(
            {
                "period": _(
                    "Period %(id)s is not a period of this project: choose one listed by "
                    "GET /api/v1/projects/%(project)s."
                )
                % {"id": period_id, "project": project.pk}
            }
        )
    return project, period


@exports_router.get(
    "/projects/{project_id}/dhis2-data-values",
    response={200: DataValueSetOut, **READ_ERRORS, 409: ErrorOut},
    exclude_none=True,
)
def dhis2_data_values(request, project_id: int, query: Query[ValuesQuery]):
    """The project's validated indicator values of a period as a DHIS2 dataValueSets payload.

    POST it as is to DHIS2's ``/api/dataValueSets``. The indicators, their disaggregated cells
    and the areas go to the data elements, category option combos and organisation units of
    the project's DHIS2 mapping. 409 (nothing sent) when an indicator is not mapped or not
    validated for the period, with what to do.
    """
    user = request.auth
    project, period = _project_and_period(user, project_id, query.period)
    listed = list(
        Indicator.objects.visible_to(user).filter(project=project).select_related("project")
    )
    payload = dhis2.data_value_set(project=project, period=period, listed=listed)
    if payload.problems:
        raise HttpError(409, " ".join(payload.problems))
    return payload.as_json()


@exports_router.get(
    "/projects/{project_id}/iati-activity",
    response={200: None, **READ_ERRORS, 409: ErrorOut},
    openapi_extra={
        "responses": {200: {"description": "IATI 2.03 XML", "content": {"application/xml": {}}}}
    },
)
def iati_activity(request, project_id: int):
    """The project as an IATI 2.03 activities file (XML), with results and validated actuals.

    409 with what to fill in when the organisation has no IATI identifier, the project no DAC
    sector code or no recipient country.
    """
    user = request.auth
    project = get_object_or_404(
        Project.objects.visible_to(user).select_related("organisation"), pk=project_id
    )
    problems = iati.problems(project)
    if problems:
        raise HttpError(409, " ".join(problems))
    return HttpResponse(iati.activities_xml([project]), content_type="application/xml")

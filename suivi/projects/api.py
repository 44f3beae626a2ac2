"""The API of projects: projects, their periods, logframe and indicators (read only).

Every row comes through ``visible_to(user)``: donor viewers read projects, logframes and
indicators; a row the user may not see answers 404 like an absent one.

The helpers at the end (the project a write is for, the lock refusal) are shared by the
routers of the apps above.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from suivi.api.errors import READ_ERRORS
from suivi.api.fields import Id
from suivi.api.pagination import LimitOffset
from suivi.projects.models import Indicator, Project, ReportingPeriod, Result, Target
from suivi.projects.services import refuse_if_locked

router = Router(tags=["projects"])


# --- Schemas ---------------------------------------------------------------------------------


class OrganisationRef(Schema):
    id: int
    name: str
    acronym: str


class ProjectRef(Schema):
    id: int
    code: str
    title: str


class PeriodOut(Schema):
    id: int
    kind: str = Field(description="month, quarter or year")
    year: int
    number: int = Field(description="Month 1-12 or quarter 1-4; 1 for a year.")
    label: str
    start: datetime.date
    end: datetime.date
    locked: bool = Field(description="A locked period's data and values no longer change.")

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)

    @staticmethod
    def resolve_locked(obj) -> bool:
        return obj.is_locked


class ProjectOut(Schema):
    id: int
    code: str
    title: str
    title_fr: str
    title_en: str
    summary: str
    status: str = Field(description="pipeline, active or closed")
    start_date: datetime.date
    end_date: datetime.date
    budget: float
    currency: str
    organisation: OrganisationRef
    donors: list[OrganisationRef]
    partners: list[OrganisationRef]
    sectors: list[str] = Field(description="Sector codes.")

    @staticmethod
    def resolve_donors(obj) -> list:
        return list(obj.donors.all())

    @staticmethod
    def resolve_partners(obj) -> list:
        return list(obj.partners.all())

    @staticmethod
    def resolve_sectors(obj) -> list[str]:
        return [s.code for s in obj.sectors.all()]


class ProjectDetailOut(ProjectOut):
    periods: list[PeriodOut] = Field(
        description="Reporting periods: their ids select the period of indicator values."
    )

    @staticmethod
    def resolve_periods(obj) -> list:
        return list(obj.visible_periods)


class TargetOut(Schema):
    period_id: int
    period: str
    value: float

    @staticmethod
    def resolve_period(obj) -> str:
        return str(obj.period.label)


class IndicatorSummaryOut(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(description="number, percentage or yes_no")
    method: str = Field(description="computed from Suivi data, or manual (entered by hand)")
    disaggregations: list[str]
    cumulative: bool
    baseline: float | None
    baseline_date: datetime.date | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj) -> list:
        return list(obj.visible_targets)


class IndicatorOut(IndicatorSummaryOut):
    project: ProjectRef
    result_id: int
    result_code: str
    name_fr: str
    name_en: str
    definition: dict = Field(description="What a computed indicator counts.")
    means_of_verification: str

    @staticmethod
    def resolve_result_code(obj) -> str:
        return obj.result.code


class ResultNode(Schema):
    id: int
    level: str = Field(description="impact, outcome, output or activity")
    code: str
    title: str
    indicators: list[IndicatorSummaryOut]
    children: list["ResultNode"]


ResultNode.model_rebuild()


class LogframeOut(Schema):
    project: ProjectRef
    periods: list[PeriodOut]
    results: list[ResultNode] = Field(description="The top results; each holds its children.")


class ProjectFilters(Schema):
    q: str = Field("", description="Words in the code or the title.")
    status: Project.Status | None = None


class IndicatorFilters(Schema):
    project: Id | None = Field(None, description="Only the indicators of this project.")
    method: Indicator.Method | None = None


# --- Querysets -------------------------------------------------------------------------------


def _projects(user):
    return (
        Project.objects.visible_to(user)
        .select_related("organisation")
        .prefetch_related("donors", "partners", "sectors")
    )


def _indicators(user):
    targets = Target.objects.visible_to(user).select_related("period")
    targets = targets.order_by("period__start", "period__kind")
    return (
        Indicator.objects.visible_to(user)
        .select_related("project", "result")
        .prefetch_related(Prefetch("targets", queryset=targets, to_attr="visible_targets"))
    )


# --- Endpoints -------------------------------------------------------------------------------


@router.get("/projects", response={200: list[ProjectOut], **READ_ERRORS})
@paginate(LimitOffset)
def project_list(request, filters: Query[ProjectFilters]):
    """The projects you may see, by code. Search with `q`; filter by `status`."""
    projects = _projects(request.auth)
    for word in filters.q.split():
        projects = projects.filter(
            Q(code__icontains=word) | Q(title_fr__icontains=word) | Q(title_en__icontains=word)
        )
    if filters.status:
        projects = projects.filter(status=filters.status)
    return projects.order_by("code", "pk")


@router.get("/projects/{project_id}", response={200: ProjectDetailOut, **READ_ERRORS})
def project_detail(request, project_id: int):
    """One project, with its reporting periods (whose ids select indicator values)."""
    user = request.auth
    project = get_object_or_404(_projects(user), pk=project_id)
    project.visible_periods = ReportingPeriod.objects.visible_to(user).filter(project=project)
    return project


@router.get("/projects/{project_id}/logframe", response={200: LogframeOut, **READ_ERRORS})
def project_logframe(request, project_id: int):
    """The project's logframe: the results tree (impact > outcome > output > activity), each
    result with its indicators, their baselines and their targets per reporting period."""
    user = request.auth
    project = get_object_or_404(Project.objects.visible_to(user), pk=project_id)
    results = sorted(
        Result.objects.visible_to(user).filter(project=project), key=lambda r: r.sort_key()
    )
    indicators: dict[int, list] = {}
    for indicator in _indicators(user).filter(project=project).order_by("code", "pk"):
        indicators.setdefault(indicator.result_id, []).append(indicator)
    nodes = {
        r.pk: {
            "id": r.pk,
            "level": r.level,
            "code": r.code,
            "title": r.title,
            "indicators": indicators.get(r.pk, []),
            "children": [],
        }
        for r in results
    }
    roots = []
    for r in results:
        parent = nodes.get(r.parent_id)
        (parent["children"] if parent else roots).append(nodes[r.pk])
    periods = ReportingPeriod.objects.visible_to(user).filter(project=project)
    return {"project": project, "periods": list(periods), "results": roots}


@router.get("/indicators", response={200: list[IndicatorOut], **READ_ERRORS})
@paginate(LimitOffset)
def indicator_list(request, filters: Query[IndicatorFilters]):
    """The indicators you may see, by project and code, with baselines and targets.
    Filter with `project` and `method`."""
    indicators = _indicators(request.auth)
    if filters.project is not None:
        indicators = indicators.filter(project_id=filters.project)
    if filters.method:
        indicators = indicators.filter(method=filters.method)
    return indicators.order_by("project__code", "code", "pk")


@router.get("/indicators/{indicator_id}", response={200: IndicatorOut, **READ_ERRORS})
def indicator_detail(request, indicator_id: int):
    """One indicator: its definition, disaggregations, baseline and targets per period.
    Its figures are at `/indicators/{indicator_id}/values?period=`."""
    return get_object_or_404(_indicators(request.auth), pk=indicator_id)


# --- Shared by the routers of registry, delivery and reports ---------------------------------


def project_for_write(user, project_id: int) -> Project:
    """The visible project a write names; refused on the ``project`` field otherwise."""
    project = Project.objects.visible_to(user).filter(pk=project_id).first()
    if project is None:
        raise ValidationError(
            {
                "project": _(
                    "No project with id %(id)s is visible to you: give the id of one of your "
                    "projects (GET /api/v1/projects)."
                )
                % {"id": project_id}
            }
        )
    return project


def refuse_if_period_locked(project: Project, day: datetime.date) -> None:
    """Answer 409 when ``day`` falls in a locked reporting period of the project."""
    try:
        refuse_if_locked(project=project, day=day)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from error

"""Pages of reports: the home dashboard, an indicator's figures and the persons behind them.

Every figure comes from ``indicators.figures``: computed live while the period is open, the
stored values once it is locked (and always for indicators entered by hand). Indicators and
periods come through ``visible_to(request.user)`` (absent and forbidden are both 404). Donor
viewers see the figures and never the persons: the list of persons behind a figure is a 404 for
them. Computing, storing and validating values needs an M&E role over the project (else 403).
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from suivi.accounts.models import DATA_ENTRY_ROLES, EVIDENCE_READERS, ME_ROLES, Role, has_role
from suivi.delivery.models import Distribution, Session
from suivi.lib import ages, export, listing, periods
from suivi.places.models import Area
from suivi.projects.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    Project,
    ReportingPeriod,
    Target,
)
from suivi.registry import services as registry_services
from suivi.registry.models import Person, PopulationGroup, Registration, Sex
from suivi.reports import dashboard, dhis2, exports, forms, iati, indicators, iptt, services
from suivi.reports.models import (
    UID_PATTERN,
    Dhis2CategoryOptionCombo,
    Dhis2DataElement,
    Dhis2OrgUnit,
    DonorReport,
    ReportNarrative,
    ReportPhoto,
)

# Who writes a period's narrative: the project's agency staff, not partners nor donors.
NARRATIVE_WRITERS = ME_ROLES | {Role.PROJECT_ASSISTANT}
KIND_ORDER = {periods.MONTH: 0, periods.QUARTER: 1, periods.YEAR: 2}
# Beyond this many combined cells the page (read over slow links) lists only the margins.
CROSS_LIMIT = 100
TRANSITIONS = [
    IndicatorValue.Status.SUBMITTED,
    IndicatorValue.Status.VALIDATED,
    IndicatorValue.Status.DRAFT,
]


def _indicator(user, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(user).select_related("project", "result"), pk=pk
    )


def _period(user, indicator: Indicator, pk) -> ReportingPeriod:
    return get_object_or_404(
        ReportingPeriod.objects.visible_to(user).filter(project_id=indicator.project_id), pk=pk
    )


def _period_order(period: ReportingPeriod) -> tuple:
    """Quarters of a year, then the year itself (the order of the project's period list)."""
    return (period.year, KIND_ORDER.get(period.kind, 9), period.number)


def _current_quarter(quarters: list[ReportingPeriod], today: datetime.date):
    """The quarter containing today; else the last one begun, else the first one."""
    begun = [p for p in quarters if p.start <= today]
    for p in begun:
        if p.end >= today:
            return p
    if begun:
        return max(begun, key=lambda p: p.start)
    return min(quarters, key=lambda p: p.start) if quarters else None


def _can_see_persons(user, project: Project) -> bool:
    """Everyone who works on the project's data; donor viewers see aggregates only."""
    return has_role(user, DATA_ENTRY_ROLES, project)


def _achievement(actual: Decimal | None, target: Decimal | None) -> dict:
    percent = indicators.achievement(actual, target)
    return {
        "percent": percent,
        "colour": indicators.achievement_status(percent),
        "bar": min(int(percent), 100) if percent is not None else 0,
    }


# --- Home ------------------------------------------------------------------------------------


def _status_label(fig: indicators.Figures | None) -> str:
    if fig is None or fig.status is None:
        return ""
    return str(IndicatorValue.Status(fig.status).label)


def _count_by_project(rows) -> dict[int, int]:
    return dict(rows.order_by().values_list("project").annotate(n=Count("pk")))


@login_required
def home(request):
    """The user's active projects: this quarter's indicators against their targets, and activity.

    One computation per indicator; everything else in a fixed number of grouped queries.
    """
    user = request.user
    today = timezone.localdate()
    projects = list(
        Project.objects.visible_to(user).filter(status=Project.Status.ACTIVE).order_by("code")
    )
    quarters = defaultdict(list)
    quarter_rows = ReportingPeriod.objects.visible_to(user).filter(
        project__in=projects, kind=periods.QUARTER
    )
    for period in quarter_rows:
        quarters[period.project_id].append(period)
    current = {p.pk: _current_quarter(quarters[p.pk], today) for p in projects}
    current_ids = [c.pk for c in current.values() if c is not None]

    by_project = defaultdict(list)
    for indicator in (
        Indicator.objects.visible_to(user)
        .filter(project__in=projects)
        .select_related("project")
        .order_by("project", "code")
    ):
        by_project[indicator.project_id].append(indicator)
    pairs = [
        (i, current[i.project_id])
        for rows in by_project.values()
        for i in rows
        if current[i.project_id] is not None
    ]
    figures = indicators.figures_many(pairs, disaggregated=False)
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.visible_to(user).filter(
            indicator__in=[i for i, _p in pairs], period_id__in=current_ids
        )
    }

    # Counts of whole visible projects, like their indicators: aggregates every viewer may see.
    registered = _count_by_project(Registration.objects.filter(project__in=projects))
    windows = [
        Q(project_id=project_id, date__gte=period.start, date__lte=period.end)
        for project_id, period in current.items()
        if period is not None
    ]
    sessions, distributions = {}, {}
    if windows:
        in_quarter = functools.reduce(operator.or_, windows)
        sessions = _count_by_project(Session.objects.filter(in_quarter))
        distributions = _count_by_project(Distribution.objects.filter(in_quarter))

    cards = []
    for project in projects:
        period = current[project.pk]
        rows = []
        for indicator in by_project[project.pk] if period is not None else []:
            fig = figures[(indicator.pk, period.pk)]
            target = targets.get((indicator.pk, period.pk))
            rows.append(
                {
                    "indicator": indicator,
                    "figures": fig,
                    "target": target,
                    "status_label": _status_label(fig),
                    **_achievement(fig.total, target),
                }
            )
        cards.append(
            {
                "project": project,
                "period": period,
                "rows": rows,
                "registered": registered.get(project.pk, 0),
                "sessions": sessions.get(project.pk, 0),
                "distributions": distributions.get(project.pk, 0),
            }
        )
    return render(request, "reports/home.html", {"cards": cards})


# --- Indicator --------------------------------------------------------------------------------


def _value_label(dimension: str, value: str, area_names: dict[str, str]) -> str:
    if value == ages.UNKNOWN:
        return _("Unknown")
    if dimension == "sex":
        return str(dict(Sex.choices).get(value, value))
    if dimension == "population_group":
        return str(dict(PopulationGroup.choices).get(value, value))
    if dimension == "disability":
        return _("With a disability") if value == "yes" else _("Without a disability")
    if dimension == "area":
        name = area_names.get(value)
        return f"{name} ({value})" if name else value
    return value


def _value_order(dimension: str, value: str) -> tuple:
    known = {
        "sex": Sex.values,
        "age_band": ages.AGE_BAND_CODES,
        "population_group": PopulationGroup.values,
        "disability": ["yes", "no"],
    }.get(dimension, [])
    if value == ages.UNKNOWN:
        return (2, 0, "")
    if value in known:
        return (0, known.index(value), "")
    return (1, 0, value)


def _area_names(parsed_cells) -> dict[str, str]:
    pcodes = {p["area"] for p in parsed_cells if "area" in p}
    return {a.pcode: a.name for a in Area.objects.filter(pcode__in=pcodes)} if pcodes else {}


def _disaggregation(cells: dict[str, Decimal]) -> tuple[list[dict], dict | None]:
    """The figure of each cell, grouped by dimension (margins), and the full cross if any."""
    parsed = {cell: indicators.parse_cell(cell) for cell in cells if cell}
    dims = [d for d in indicators.DIMENSION_ORDER if any(d in p for p in parsed.values())]
    area_names = _area_names(parsed.values())
    margins = []
    for dim in dims:
        rows = [
            {"cell": cell, "value": cells[cell], "label": _value_label(dim, p[dim], area_names)}
            for cell, p in parsed.items()
            if list(p) == [dim]
        ]
        rows.sort(key=lambda r, dim=dim: _value_order(dim, parsed[r["cell"]][dim]))
        margins.append({"label": Dimension(dim).label, "rows": rows})
    cross = None
    if len(dims) > 1:
        full = [(cell, p) for cell, p in parsed.items() if len(p) == len(dims)]
        full.sort(key=lambda cp: [_value_order(d, cp[1].get(d, "")) for d in dims])
        cross = {
            "labels": [Dimension(d).label for d in dims],
            "count": len(full),
            "rows": [
                {
                    "cell": cell,
                    "value": cells[cell],
                    "labels": [_value_label(d, p.get(d, ""), area_names) for d in dims],
                }
                for cell, p in (full if len(full) <= CROSS_LIMIT else [])
            ],
        }
    return margins, cross


def _cell_labels(parsed: dict[str, str]) -> list[tuple[str, str]]:
    """(dimension, value) in words for a cell."""
    area_names = _area_names([parsed])
    return [(Dimension(d).label, _value_label(d, v, area_names)) for d, v in parsed.items()]


def _chosen_period(request, all_periods: list[ReportingPeriod], today: datetime.date):
    """The period asked for with ``?period=``, else the current quarter."""
    raw = request.GET.get("period", "").strip()
    if raw:
        chosen = next((p for p in all_periods if str(p.pk) == raw), None)
        if chosen is not None:
            return chosen
        messages.error(
            request,
            _("Period: %(value)s is not a reporting period of this project; choose one below.")
            % {"value": raw[:20]},
        )
    quarters = [p for p in all_periods if p.kind == periods.QUARTER]
    return _current_quarter(quarters, today) or (all_periods[0] if all_periods else None)


@login_required
def indicator_detail(request, pk: int):
    """An indicator explained, its figure in every period, and one period disaggregated."""
    user = request.user
    indicator = _indicator(user, pk)
    project = indicator.project
    today = timezone.localdate()
    all_periods = sorted(
        ReportingPeriod.objects.visible_to(user).filter(project=project), key=_period_order
    )
    listed = [p for p in all_periods if p.kind in (periods.QUARTER, periods.YEAR)]
    chosen = _chosen_period(request, all_periods, today)

    computed = indicator.method == Indicator.Method.COMPUTED
    # An open period that has not begun has no data yet: it is not computed.
    shown = [p for p in listed if p != chosen and (not computed or p.is_locked or p.start <= today)]
    figures = indicators.figures_many([(indicator, p) for p in shown], disaggregated=False)
    chosen_figures = indicators.figures(indicator, chosen) if chosen is not None else None
    if chosen is not None:
        figures[(indicator.pk, chosen.pk)] = chosen_figures
    targets = {t.period_id: t.value for t in Target.objects.filter(indicator=indicator)}
    evidence = set()
    if not computed:
        evidence = set(
            IndicatorValue.objects.filter(indicator=indicator, cell="")
            .exclude(evidence="")
            .values_list("period_id", flat=True)
        )

    rows = []
    for period in listed:
        fig = figures.get((indicator.pk, period.pk))
        target = targets.get(period.pk)
        rows.append(
            {
                "period": period,
                "figures": fig,
                "target": target,
                "status_label": _status_label(fig),
                "has_evidence": period.pk in evidence,
                "chosen": period == chosen,
                **_achievement(fig.total if fig else None, target),
            }
        )

    can_see_persons = _can_see_persons(user, project) and indicators.has_persons(indicator)
    margins, cross = _disaggregation(chosen_figures.cells) if chosen_figures else ([], None)
    chosen_target = targets.get(chosen.pk) if chosen else None
    context = {
        "indicator": indicator,
        "project": project,
        "definition": indicators.describe(indicator),
        "disaggregations": [Dimension(d).label for d in indicators.dimensions(indicator)],
        "rows": rows,
        "periods": all_periods,
        "chosen": chosen,
        "chosen_figures": chosen_figures,
        "chosen_target": chosen_target,
        "chosen_status": _status_label(chosen_figures),
        "chosen_achievement": _achievement(
            chosen_figures.total if chosen_figures else None, chosen_target
        ),
        "margins": margins,
        "cross": cross,
        "persons_url": (
            reverse("reports:indicator_persons", args=[indicator.pk, chosen.pk])
            if can_see_persons and chosen is not None
            else None
        ),
        "can_manage": has_role(user, ME_ROLES, project),
        "can_read_evidence": has_role(user, EVIDENCE_READERS, project),
        "transitions": TRANSITIONS,
        "computed": computed,
    }
    return render(request, "reports/indicator_detail.html", context)


@login_required
def indicator_persons(request, pk: int, period_pk: int):
    """The persons behind a figure, among those the user may see; ``?cell=sex=F`` narrows it."""
    user = request.user
    indicator = _indicator(user, pk)
    if not _can_see_persons(user, indicator.project) or not indicators.has_persons(indicator):
        raise Http404
    period = _period(user, indicator, period_pk)
    cell = request.GET.get("cell", "").strip()
    try:
        behind = indicators.qualifying_persons(indicator, period, cell)
    except ValueError as error:
        messages.error(request, _("Cell: %(reason)s") % {"reason": error})
        cell = ""
        behind = indicators.qualifying_persons(indicator, period)
    persons = Person.objects.visible_to(user).filter(pk__in=behind.values("pk"))
    query = request.GET.get("q", "").strip()
    if query:
        persons = registry_services.person_search(persons, query)
    persons = indicators.with_times(persons, indicator, period)
    persons = persons.select_related("area").order_by("family_name", "given_name", "pk")
    page = listing.paginate(request, persons)
    _start, end = indicators.window(indicator, period)
    for person in page.object_list:
        person.age = person.age_on(end)
    figures = indicators.figures(indicator, period)
    context = {
        "indicator": indicator,
        "project": indicator.project,
        "period": period,
        "cell": cell,
        "cell_labels": _cell_labels(indicators.parse_cell(cell)),
        "figure": figures.cells.get(cell),
        "figures": figures,
        "page": page,
        "query": query,
        "on": end,
        "counts_rows": indicator.definition.get("source") in ("attendance", "distribution"),
    }
    return render(request, "reports/indicator_persons.html", context)


# --- Computing and validating ----------------------------------------------------------------


def _for_change(request, pk: int, period_pk: int) -> tuple[Indicator, ReportingPeriod]:
    indicator = _indicator(request.user, pk)
    period = _period(request.user, indicator, period_pk)
    if not has_role(request.user, ME_ROLES, indicator.project):
        raise PermissionDenied(_("Only M&E officers and managers of the project do this."))
    return indicator, period


def _back(indicator: Indicator, period: ReportingPeriod):
    return redirect(
        reverse("reports:indicator_detail", args=[indicator.pk]) + f"?period={period.pk}"
    )


def _locked_message(request, period: ReportingPeriod) -> None:
    messages.error(
        request,
        _(
            "The period %(period)s is locked: its values can no longer change and nothing was "
            "written. Ask an M&E officer to unlock it first."
        )
        % {"period": period.label},
    )


@login_required
@require_POST
def values_compute(request, pk: int, period_pk: int):
    """Compute a computed indicator for a period and store its values (draft where changed)."""
    indicator, period = _for_change(request, pk, period_pk)
    if indicator.method != Indicator.Method.COMPUTED:
        messages.error(
            request,
            _("This indicator is entered by hand: enter its value with its evidence instead."),
        )
    elif period.is_locked:
        _locked_message(request, period)
    else:
        try:
            values = services.indicator_compute(indicator=indicator, period=period, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(period)s: the values are computed and stored (total %(total)s).")
                % {"period": period.label, "total": floatformat(values.get("", 0), "-2g")},
            )
    return _back(indicator, period)


@login_required
@require_POST
def values_transition(request, pk: int, period_pk: int):
    """Submit, validate or send back to draft the values of a period (computed ones fresh)."""
    indicator, period = _for_change(request, pk, period_pk)
    status = request.POST.get("status", "")
    if status not in TRANSITIONS:
        messages.error(
            request,
            _("Status: choose %(choices)s.")
            % {"choices": ", ".join(str(IndicatorValue.Status(s).label) for s in TRANSITIONS)},
        )
    elif period.is_locked:
        _locked_message(request, period)
    else:
        try:
            count = services.values_transition(
                indicator=indicator, period=period, status=status, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            label = IndicatorValue.Status(status).label
            if count:
                messages.success(
                    request,
                    _("%(period)s: the values are now %(status)s.")
                    % {"period": period.label, "status": label},
                )
            else:
                messages.info(
                    request,
                    _("%(period)s: no value could become %(status)s (none stored, or already so).")
                    % {"period": period.label, "status": label},
                )
    return _back(indicator, period)


# --- Exports ----------------------------------------------------------------------------------


def _export_project(user, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user).select_related("organisation"), pk=pk)


def _export_period(request, project: Project) -> ReportingPeriod | None:
    """The period chosen with ``?period=``; None (with a message saying what to do) if absent."""
    raw = request.GET.get("period", "").strip()
    period = None
    if raw.isdigit():
        period = (
            ReportingPeriod.objects.visible_to(request.user)
            .filter(project=project, pk=int(raw))
            .first()
        )
    if period is None:
        messages.error(
            request,
            _("Period: choose a reporting period of the project %(code)s for the export.")
            % {"code": project.code},
        )
    return period


def _export_format(request) -> str:
    fmt = request.GET.get("format", export.CSV)
    return fmt if fmt in export.FORMATS else export.CSV


def _export_name(what: str, project: Project, period: ReportingPeriod) -> str:
    return f"{what}-{project.code}-{exports.period_code(period)}"


@login_required
def indicators_export(request, pk: int):
    """The project's indicators in a period, as HXL-tagged CSV or XLSX.

    The figures are those of the indicator page and of the API; each row says whether its
    values are validated.
    """
    project = _export_project(request.user, pk)
    period = _export_period(request, project)
    if period is None:
        return redirect("projects:detail", pk=project.pk)
    rows = exports.indicator_rows(user=request.user, project=project, period=period)
    table = exports.indicator_table(project=project, period=period, rows=rows)
    return export.response(
        table, _export_name("indicateurs", project, period), _export_format(request)
    )


@login_required
def fivew_export(request, pk: int):
    """The 5W of the project in a period (who, what, where, when, for whom), HXL-tagged."""
    project = _export_project(request.user, pk)
    period = _export_period(request, project)
    if period is None:
        return redirect("projects:detail", pk=project.pk)
    rows = exports.fivew_rows(user=request.user, project=project, period=period)
    table = exports.fivew_table(project=project, period=period, rows=rows)
    return export.response(table, _export_name("5w", project, period), _export_format(request))


def _problems_page(request, project: Project, title: str, problems: list[str]):
    return render(
        request,
        "reports/export_problems.html",
        {"project": project, "title": title, "problems": problems},
    )


def _xml_download(content: bytes, filename: str) -> HttpResponse:
    answer = HttpResponse(content, content_type="application/xml; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}.xml"'
    return answer


@login_required
def iati_project(request, pk: int):
    """The project as an IATI 2.03 activity file, or what to fill in before it can be."""
    project = _export_project(request.user, pk)
    problems = iati.problems(project)
    if problems:
        return _problems_page(request, project, _("IATI export"), problems)
    return _xml_download(iati.activities_xml([project]), f"iati-{project.code}")


@login_required
def iati_organisation(request, pk: int):
    """Every project of an organisation that the user may see, as one IATI activities file."""
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(organisation_id=pk)
        .select_related("organisation")
        .order_by("code")
    )
    if not projects:
        raise Http404
    problems = [p for project in projects for p in iati.problems(project)]
    if problems:
        problems = list(dict.fromkeys(problems))
        return _problems_page(request, projects[0], _("IATI export"), problems)
    organisation = projects[0].organisation
    name = organisation.acronym or str(organisation.pk)
    return _xml_download(iati.activities_xml(projects), f"iati-{name}")


@login_required
def dhis2_export(request, pk: int):
    """The project's validated indicator values of a period as DHIS2 dataValueSets JSON."""
    project = _export_project(request.user, pk)
    period = _export_period(request, project)
    if period is None:
        return redirect("projects:detail", pk=project.pk)
    listed = list(
        Indicator.objects.visible_to(request.user).filter(project=project).select_related("project")
    )
    payload = dhis2.data_value_set(project=project, period=period, listed=listed)
    if payload.problems:
        return _problems_page(request, project, _("DHIS2 export"), payload.problems)
    answer = JsonResponse(payload.as_json())
    name = _export_name("dhis2", project, period)
    answer["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return answer


def _mapping_rows(project: Project, indicators_listed: list[Indicator], data) -> tuple:
    """The mapping form's rows (areas, indicators with their cells) with the values shown."""
    elements = dict(
        Dhis2DataElement.objects.filter(indicator__in=indicators_listed).values_list(
            "indicator_id", "data_element"
        )
    )
    combos = {
        (c.indicator_id, c.cell): c.category_option_combo
        for c in Dhis2CategoryOptionCombo.objects.filter(indicator__in=indicators_listed)
    }
    units = dict(
        Dhis2OrgUnit.objects.filter(organisation=project.organisation).values_list(
            "area_id", "org_unit"
        )
    )
    places = {a.pk: a for a in project.areas.select_related("parent__parent")}
    home = dhis2.project_area(project)
    for area in [home, *places.values()]:
        while area is not None:
            places.setdefault(area.pk, area)
            area = area.parent
    areas = []
    for area in sorted(places.values(), key=lambda a: a.pcode):
        name = f"ou_{area.pk}"
        value = data.get(name, units.get(area.pk, "")) if data else units.get(area.pk, "")
        areas.append({"area": area, "name": name, "value": value.strip()})
    rows = []
    for indicator in indicators_listed:
        name = f"de_{indicator.pk}"
        default = elements.get(indicator.pk, "")
        cells = []
        for cell in dhis2.mappable_cells(indicator):
            cell_name = f"coc_{indicator.pk}_{cell}"
            cell_default = combos.get((indicator.pk, cell), "")
            labels = _cell_labels(indicators.parse_cell(cell))
            cells.append(
                {
                    "cell": cell,
                    "name": cell_name,
                    "label": " · ".join(f"{d}: {v}" for d, v in labels),
                    "value": (data.get(cell_name, cell_default) if data else cell_default).strip(),
                }
            )
        value = data.get(name, default) if data else default
        rows.append({"indicator": indicator, "name": name, "value": value.strip(), "cells": cells})
    return areas, rows


@login_required
def dhis2_mapping(request, pk: int):
    """Edit which DHIS2 data elements, category option combos and organisation units the
    project's indicators go to (M&E officers and managers of the project)."""
    project = _export_project(request.user, pk)
    if not has_role(request.user, ME_ROLES, project):
        raise PermissionDenied(_("Only M&E officers and managers of the project do this."))
    listed = list(
        Indicator.objects.visible_to(request.user)
        .filter(project=project)
        .select_related("project")
        .order_by("code")
    )
    data = request.POST if request.method == "POST" else None
    areas, rows = _mapping_rows(project, listed, data)
    errors = []
    if data is not None:
        checked = [(a["area"].pcode, a["value"]) for a in areas]
        for row in rows:
            checked.append((row["indicator"].code, row["value"]))
            checked.extend(
                (f"{row['indicator'].code} {c['label']}", c["value"]) for c in row["cells"]
            )
        pattern = re.compile(UID_PATTERN)
        for where, value in checked:
            if value and not pattern.match(value):
                errors.append(
                    _(
                        "%(where)s: %(value)s is not a DHIS2 identifier; write its 11 letters "
                        "and digits, beginning with a letter (f7n9E0hX8qk)."
                    )
                    % {"where": where, "value": value}
                )
        if not errors:
            count = services.dhis2_mapping_save(
                project=project,
                by=request.user,
                data_elements={r["indicator"]: r["value"] for r in rows},
                combos={(r["indicator"], c["cell"]): c["value"] for r in rows for c in r["cells"]},
                org_units={a["area"]: a["value"] for a in areas},
            )
            messages.success(
                request,
                _("The DHIS2 mapping is saved (%(count)s changes).") % {"count": count},
            )
            return redirect("reports:dhis2_mapping", pk=project.pk)
    return render(
        request,
        "reports/dhis2_mapping.html",
        {"project": project, "areas": areas, "indicators": rows, "errors": errors},
    )


# --- Logframe report (IPTT) ------------------------------------------------------------------


def _project_for(user, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user), pk=pk)


def _kind(request) -> str:
    raw = request.GET.get("kind", periods.QUARTER)
    return raw if raw in iptt.KINDS else periods.QUARTER


def _year(request) -> int | None:
    raw = request.GET.get("year", "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
def logframe_report(request, pk: int):
    """The logframe report: every indicator by period, target against actual, and the LOP.

    An actual links to the persons behind it for those who may see persons (never donors).
    """
    user = request.user
    project = _project_for(user, pk)
    table = iptt.table(
        user=user,
        project=project,
        kind=_kind(request),
        year=_year(request),
        today=timezone.localdate(),
    )
    can_see_persons = _can_see_persons(user, project)
    for row in table.rows:
        drill = can_see_persons and indicators.has_persons(row.indicator)
        for cell in row.cells:
            cell.persons_url = (
                reverse("reports:indicator_persons", args=[row.indicator.pk, cell.period.pk])
                if drill and cell.figures is not None
                else None
            )
    can_validate = has_role(user, ME_ROLES, project)
    context = {
        "project": project,
        "table": table,
        "kind_choices": [(k, ReportingPeriod.Kind(k).label) for k in table.kinds],
        "can_validate": can_validate,
        "columns": 3 * len(table.periods) + 5,
    }
    statuses = _period_statuses(table) if can_validate else {}
    for period in table.periods:
        period.status_label = statuses.get(period.pk, "")
    return render(request, "reports/logframe_report.html", context)


def _period_statuses(table: iptt.Table) -> dict[int, str]:
    """The least advanced validation status of each period's figures, in words."""
    out = {}
    for n, period in enumerate(table.periods):
        statuses = [
            row.cells[n].figures.status
            for row in table.rows
            if row.cells[n].figures is not None and row.cells[n].figures.status is not None
        ]
        if statuses:
            least = min(statuses, key=indicators.STATUS_ORDER.index)
            out[period.pk] = str(IndicatorValue.Status(least).label)
    return out


@login_required
def logframe_report_xlsx(request, pk: int):
    """The logframe report as an Excel file (the same table as the page)."""
    user = request.user
    project = _project_for(user, pk)
    table = iptt.table(
        user=user,
        project=project,
        kind=_kind(request),
        year=_year(request),
        today=timezone.localdate(),
    )
    header, rows = iptt.flat_rows(table)
    return export.xlsx_response(
        [(_("Logframe report"), header, rows)], f"{project.code}-iptt-{table.kind}"
    )


@login_required
@require_POST
def period_validate(request, pk: int):
    """Validate every indicator of a project for one period (computed ones computed first)."""
    user = request.user
    period = get_object_or_404(
        ReportingPeriod.objects.visible_to(user).select_related("project"), pk=pk
    )
    project = period.project
    if not has_role(user, ME_ROLES, project):
        raise PermissionDenied(_("Only M&E officers and managers of the project do this."))
    back = reverse("reports:logframe_report", args=[project.pk]) + f"?kind={period.kind}"
    if period.is_locked:
        _locked_message(request, period)
        return redirect(back)
    try:
        count = services.period_validate(period=period, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(period)s: the values of %(count)s indicator are validated.",
                "%(period)s: the values of %(count)s indicators are validated.",
                count,
            )
            % {"period": period.label, "count": count},
        )
    return redirect(back)


# --- Dashboards ------------------------------------------------------------------------------


@login_required
def project_dashboard(request, pk: int):
    """A project's reach by sex, age and area, its activity by month and its indicators."""
    project = _project_for(request.user, pk)
    board = dashboard.build(user=request.user, projects=[project], today=timezone.localdate())
    return render(request, "reports/dashboard.html", {"project": project, "board": board})


@login_required
def portfolio_dashboard(request):
    """The same dashboard over every active project the user may see."""
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(status=Project.Status.ACTIVE)
        .order_by("code")
    )
    board = dashboard.build(user=request.user, projects=projects, today=timezone.localdate())
    return render(request, "reports/dashboard.html", {"project": None, "board": board})


# --- Narratives ------------------------------------------------------------------------------


def _require_writer(user, project: Project) -> None:
    if not has_role(user, NARRATIVE_WRITERS, project):
        raise PermissionDenied(
            _("The narrative is written by the project's M&E officers, managers and assistants.")
        )


@login_required
def narratives(request, pk: int):
    """Write the narrative of a period: achievements, challenges, lessons, success stories."""
    user = request.user
    project = _project_for(user, pk)
    _require_writer(user, project)
    all_periods = sorted(
        ReportingPeriod.objects.visible_to(user).filter(project=project), key=_period_order
    )
    period = _chosen_period(request, all_periods, timezone.localdate())
    if period is None:
        raise Http404(_("This project has no reporting period."))
    rows = {
        n.section: n
        for n in ReportNarrative.objects.visible_to(user)
        .filter(period=period)
        .prefetch_related("photos")
    }
    initial = {section: n.text for section, n in rows.items()}
    form = forms.NarrativeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.narratives_save(project=project, period=period, texts=form.texts(), by=user)
        photo = form.cleaned_data.get("photo")
        if photo:
            services.photo_add(
                project=project,
                period=period,
                section=form.cleaned_data.get("photo_section")
                or ReportNarrative.Section.SUCCESS_STORIES,
                image=photo,
                caption=form.cleaned_data.get("caption", ""),
                by=user,
            )
        messages.success(
            request, _("%(period)s: the narrative is saved.") % {"period": period.label}
        )
        return redirect(reverse("reports:narratives", args=[project.pk]) + f"?period={period.pk}")
    sections = [
        {
            "field": form[code],
            "photos": list(rows[code].photos.all()) if code in rows else [],
        }
        for code in ReportNarrative.Section.values
    ]
    context = {
        "project": project,
        "period": period,
        "periods": all_periods,
        "form": form,
        "sections": sections,
    }
    return render(request, "reports/narratives.html", context)


def _photo(user, pk: int) -> ReportPhoto:
    photo = get_object_or_404(
        ReportPhoto.objects.visible_to(user).select_related("narrative__project"), pk=pk
    )
    _require_writer(user, photo.narrative.project)
    return photo


@login_required
def photo_file(request, pk: int):
    """A narrative's photo, to the staff who write the narrative."""
    photo = _photo(request.user, pk)
    return FileResponse(photo.image.open("rb"), filename=Path(photo.image.name).name)


@login_required
@require_POST
def photo_remove(request, pk: int):
    photo = _photo(request.user, pk)
    narrative = photo.narrative
    services.photo_remove(photo=photo, by=request.user)
    messages.success(request, _("The photo is removed."))
    url = reverse("reports:narratives", args=[narrative.project_id])
    return redirect(f"{url}?period={narrative.period_id}")


# --- Donor reports ---------------------------------------------------------------------------

DONOR_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": export.XLSX_TYPE,
    "pdf": "application/pdf",
}


@login_required
def donor_reports(request, pk: int):
    """The project's donor reports (its documents for the donor), and the form to ask for one
    (for the staff who write). A report of a large project is generated in the background:
    the list follows its progress."""
    user = request.user
    project = _project_for(user, pk)
    can_generate = has_role(user, NARRATIVE_WRITERS, project)
    quarters = sorted(
        ReportingPeriod.objects.visible_to(user).filter(project=project, kind=periods.QUARTER),
        key=_period_order,
    )
    current = _current_quarter(quarters, timezone.localdate())
    form = forms.DonorReportForm(
        request.POST or None,
        quarters=quarters,
        initial={
            "kind": DonorReport.Kind.QUARTERLY,
            "quarter": current.pk if current else "",
            "language": "fr",
        },
    )
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied(
                _("Donor reports are generated by the project's M&E officers and managers.")
            )
        if form.is_valid():
            data = form.cleaned_data
            report = services.donor_report_request(
                project=project,
                kind=data["kind"],
                language=data["language"],
                format=data["format"],
                by=user,
                quarter=data.get("quarter_obj"),
                month=data.get("month_of"),
                week_start=data.get("week_start"),
            )
            if report.status == DonorReport.Status.READY:
                messages.success(
                    request,
                    _("The report is ready (%(seconds)s s): download it below.")
                    % {"seconds": floatformat(report.seconds, 1)},
                )
            elif report.status == DonorReport.Status.FAILED:
                messages.error(request, report.message)
            else:
                messages.info(
                    request,
                    _(
                        "The report is being generated in the background; this page follows "
                        "its progress. You may leave it and come back later."
                    ),
                )
            return redirect(reverse("reports:donor_reports", args=[project.pk]))
    context = {
        "project": project,
        "form": form,
        "can_generate": can_generate,
        **_donor_report_list(user, project, can_generate),
    }
    return render(request, "reports/donor_reports.html", context)


def _donor_report_list(user, project: Project, can_generate: bool) -> dict:
    """The reports the page lists: every one for the staff who ask for them, the ready ones
    for the others (donor viewers)."""
    reports = DonorReport.objects.visible_to(user).filter(project=project)
    if not can_generate:
        reports = reports.filter(status=DonorReport.Status.READY)
    reports = list(reports.select_related("created_by")[:50])
    return {
        "project": project,
        "reports": reports,
        "busy": any(r.is_busy for r in reports),
    }


@login_required
@require_GET
def donor_reports_progress(request, pk: int):
    """The list of reports, polled by the page every two seconds while one is generated."""
    user = request.user
    project = _project_for(user, pk)
    can_generate = has_role(user, NARRATIVE_WRITERS, project)
    return render(
        request,
        "reports/_donor_report_list.html",
        _donor_report_list(user, project, can_generate),
    )


@login_required
def donor_report_file(request, pk: int):
    """The file of a donor report, once it is ready (before, it is a 404)."""
    reports = DonorReport.objects.visible_to(request.user).filter(status=DonorReport.Status.READY)
    report = get_object_or_404(reports, pk=pk)
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=Path(report.file.name).name,
        content_type=DONOR_TYPES.get(report.format, "application/octet-stream"),
    )

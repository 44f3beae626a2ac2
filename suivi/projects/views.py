"""Pages of projects: the portfolio, a project's facts, its logframe with indicators and targets,
its reporting periods and their locks, values entered by hand, and the work plan.

Every row comes through ``visible_to(request.user)``: a row the user may not see is a 404. A
visible row the user may not change is a 403: the logframe, indicators, targets, values and
period locks need an M&E role over the project (``ME_ROLES``); a project's facts need an
administrator or a programme manager; the work plan needs a data-entry role, and a partner focal
point plans only for their own partner.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from suivi.accounts.models import EVIDENCE_READERS, ME_ROLES, has_role, partner_of
from suivi.lib import listing, periods
from suivi.lib.forms import add_service_error
from suivi.projects import forms, services
from suivi.projects.models import (
    Dimension,
    Indicator,
    IndicatorValue,
    PlannedActivity,
    Project,
    ReportingPeriod,
    Result,
    Target,
)

KIND_ORDER = {periods.MONTH: 0, periods.QUARTER: 1, periods.YEAR: 2}


def _project(user, pk: int) -> Project:
    return get_object_or_404(Project.objects.visible_to(user).select_related("organisation"), pk=pk)


def _require_me(user, project: Project) -> None:
    if not has_role(user, ME_ROLES, project):
        raise PermissionDenied(_("Only M&E officers and managers of the project change this."))


def _period_order(period: ReportingPeriod) -> tuple:
    """Quarters of a year, then the year itself."""
    return (period.year, KIND_ORDER.get(period.kind, 9), period.number)


def _target_periods(user, project: Project) -> list[ReportingPeriod]:
    """The quarters and years of a project: the periods that carry targets."""
    rows = ReportingPeriod.objects.visible_to(user).filter(
        project=project, kind__in=(periods.QUARTER, periods.YEAR)
    )
    return sorted(rows, key=_period_order)


# --- Projects ----------------------------------------------------------------------------------


@login_required
def project_list(request):
    user = request.user
    projects = Project.objects.visible_to(user)
    filters = forms.ProjectFilterForm(request.GET, projects=projects)
    values = filters.values()
    if values.get("q"):
        projects = listing.search(projects, values["q"], ["code", "title_fr", "title_en"])
    if "status" in values:
        projects = projects.filter(status=values["status"])
    if "donor" in values:
        projects = projects.filter(donors=values["donor"])
    projects = (
        projects.select_related("organisation").prefetch_related("donors").order_by("code", "pk")
    )
    page = listing.paginate(request, projects)
    context = {
        "page": page,
        "filters": filters,
        "can_create": services.project_create_organisations(user).exists(),
    }
    return render(request, "projects/project_list.html", context)


@login_required
def project_detail(request, pk: int):
    user = request.user
    project = _project(user, pk)
    context = {
        "project": project,
        "donors": project.donors.order_by("name"),
        "partners": project.partners.order_by("name"),
        "sectors": project.sectors.all(),
        "areas": project.areas.select_related("parent").order_by("pcode"),
        "result_count": Result.objects.visible_to(user).filter(project=project).count(),
        "indicator_count": Indicator.objects.visible_to(user).filter(project=project).count(),
        "activity_count": PlannedActivity.objects.visible_to(user).filter(project=project).count(),
        "can_edit": has_role(user, services.PROJECT_MANAGER_ROLES, project),
        "can_map_dhis2": has_role(user, ME_ROLES, project),
        "periods": ReportingPeriod.objects.visible_to(user)
        .filter(project=project)
        .order_by("start", "kind"),
    }
    return render(request, "projects/project_detail.html", context)


@login_required
def project_create(request):
    user = request.user
    organisations = services.project_create_organisations(user)
    if not organisations.exists():
        raise PermissionDenied(_("Only administrators and programme managers create projects."))
    form = forms.ProjectForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                organisation=form.cleaned_data["organisation"],
                by=user,
                data=form.project_data(),
                **form.links(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The project %(code)s is created.") % form.cleaned_data)
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request, pk: int):
    user = request.user
    project = _project(user, pk)
    if not has_role(user, services.PROJECT_MANAGER_ROLES, project):
        raise PermissionDenied(_("Only administrators and programme managers change a project."))
    form = forms.ProjectForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project, by=user, data=form.project_data(), **form.links()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


# --- Logframe ----------------------------------------------------------------------------------


def _results_tree(results: list[Result], indicators: list[Indicator]) -> list[Result]:
    """The top results; each result gets ``branches`` (its children in code order) and
    ``indicator_list``."""
    by_result: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_result.setdefault(indicator.result_id, []).append(indicator)
    known = {r.pk for r in results}
    children: dict[int | None, list[Result]] = {}
    for result in results:
        parent = result.parent_id if result.parent_id in known else None
        children.setdefault(parent, []).append(result)
    for result in results:
        result.branches = sorted(children.get(result.pk, []), key=Result.sort_key)
        result.indicator_list = sorted(by_result.get(result.pk, []), key=lambda i: i.code)
    return sorted(children.get(None, []), key=Result.sort_key)


@login_required
def logframe(request, pk: int):
    user = request.user
    project = _project(user, pk)
    results = list(Result.objects.visible_to(user).filter(project=project))
    indicators = list(Indicator.objects.visible_to(user).filter(project=project))
    target_periods = _target_periods(user, project)
    targets = {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.visible_to(user).filter(indicator__project=project)
    }
    stored = {
        (v.indicator_id, v.period_id): v
        for v in IndicatorValue.objects.visible_to(user).filter(indicator__project=project, cell="")
    }
    for indicator in indicators:
        indicator.dimension_labels = [
            Dimension(d).label for d in indicator.disaggregations or [] if d in Dimension.values
        ]
        indicator.period_rows = [
            (period, targets.get((indicator.pk, period.pk)), stored.get((indicator.pk, period.pk)))
            for period in target_periods
            if (indicator.pk, period.pk) in targets or (indicator.pk, period.pk) in stored
        ]
    context = {
        "project": project,
        "tree": _results_tree(results, indicators),
        "periods": target_periods,
        "can_change": has_role(user, ME_ROLES, project),
    }
    return render(request, "projects/logframe.html", context)


@login_required
def result_create(request, pk: int):
    user = request.user
    project = _project(user, pk)
    _require_me(user, project)
    initial = {}
    raw = request.GET.get("parent", "")
    parent = project.results.filter(pk=raw).first() if raw.isdigit() else None
    if parent is not None and parent.level != Result.Level.ACTIVITY:
        next_level = Result.LEVEL_ORDER[Result.LEVEL_ORDER.index(parent.level) + 1]
        initial = {"parent": parent.pk, "level": next_level, "code": parent.next_child_code()}
    form = forms.ResultForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.result_create(project=project, by=user, data=form.result_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The result %(code)s is added.") % {"code": result.code})
            return redirect(reverse("projects:logframe", args=[project.pk]) + f"#r{result.pk}")
    return render(request, "projects/result_form.html", {"form": form, "project": project})


@login_required
def result_edit(request, pk: int):
    user = request.user
    result = get_object_or_404(Result.objects.visible_to(user).select_related("project"), pk=pk)
    project = result.project
    _require_me(user, project)
    form = forms.ResultForm(request.POST or None, project=project, result=result)
    if request.method == "POST" and form.is_valid():
        try:
            services.result_update(result=result, by=user, data=form.result_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(reverse("projects:logframe", args=[project.pk]) + f"#r{result.pk}")
    context = {"form": form, "project": project, "result": result}
    return render(request, "projects/result_form.html", context)


def _indicator(user, pk: int) -> Indicator:
    queryset = Indicator.objects.visible_to(user).select_related("project", "result")
    return get_object_or_404(queryset, pk=pk)


@login_required
def indicator_create(request, pk: int):
    user = request.user
    project = _project(user, pk)
    _require_me(user, project)
    raw = request.GET.get("result", "")
    initial = {"result": int(raw)} if raw.isdigit() else {}
    form = forms.IndicatorForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(
                project=project, by=user, data=form.indicator_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The indicator %(code)s is added.") % {"code": indicator.code}
            )
            return redirect(reverse("projects:logframe", args=[project.pk]) + f"#i{indicator.pk}")
    return render(request, "projects/indicator_form.html", {"form": form, "project": project})


@login_required
def indicator_edit(request, pk: int):
    user = request.user
    indicator = _indicator(user, pk)
    project = indicator.project
    _require_me(user, project)
    form = forms.IndicatorForm(request.POST or None, project=project, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(indicator=indicator, by=user, data=form.indicator_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(reverse("projects:logframe", args=[project.pk]) + f"#i{indicator.pk}")
    context = {"form": form, "project": project, "indicator": indicator}
    return render(request, "projects/indicator_form.html", context)


# --- Targets and values ------------------------------------------------------------------------


@login_required
def target_edit(request, pk: int):
    user = request.user
    indicator = _indicator(user, pk)
    project = indicator.project
    _require_me(user, project)
    form = forms.TargetsForm(
        request.POST or None, indicator=indicator, periods=_target_periods(user, project)
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.indicator_targets_set(
                indicator=indicator, targets=form.targets(), by=user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            message = ngettext(
                "%(n)s target changed for indicator %(code)s.",
                "%(n)s targets changed for indicator %(code)s.",
                changed,
            )
            messages.success(request, message % {"n": changed, "code": indicator.code})
            return redirect(reverse("projects:logframe", args=[project.pk]) + f"#i{indicator.pk}")
    context = {"form": form, "project": project, "indicator": indicator}
    return render(request, "projects/target_form.html", context)


def _indicator_period(user, pk: int, period: int) -> tuple[Indicator, ReportingPeriod]:
    indicator = _indicator(user, pk)
    periods_of_project = ReportingPeriod.objects.visible_to(user).filter(
        project_id=indicator.project_id
    )
    return indicator, get_object_or_404(periods_of_project, pk=period)


@login_required
def value_enter(request, pk: int, period: int):
    user = request.user
    indicator, period = _indicator_period(user, pk, period)
    project = indicator.project
    _require_me(user, project)
    current = IndicatorValue.objects.filter(indicator=indicator, period=period, cell="").first()
    refusal = ""
    if indicator.method != Indicator.Method.MANUAL:
        refusal = _(
            "This indicator is computed from Suivi data: its values come from the reports, "
            "they are not entered here."
        )
    elif period.is_locked:
        refusal = _(
            "The period %(period)s is locked: its values can no longer change. Ask an M&E "
            "officer to unlock it first."
        ) % {"period": period.label}
    form = None
    if not refusal:
        form = forms.ValueForm(
            request.POST or None,
            request.FILES or None,
            indicator=indicator,
            has_evidence=bool(current and current.evidence),
            initial={"value": current.value, "note": current.note} if current else None,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.indicator_value_set(
                    indicator=indicator,
                    period=period,
                    value=data["value"],
                    by=user,
                    evidence=data["evidence"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("The value of %(code)s for %(period)s is saved as a draft.")
                    % {"code": indicator.code, "period": period.label},
                )
                return redirect(
                    reverse("projects:logframe", args=[project.pk]) + f"#i{indicator.pk}"
                )
    context = {
        "form": form,
        "project": project,
        "indicator": indicator,
        "period": period,
        "current": current,
        "refusal": refusal,
        "target": Target.objects.filter(indicator=indicator, period=period).first(),
    }
    return render(request, "projects/value_form.html", context)


@login_required
@require_GET
def value_evidence(request, pk: int, period: int):
    """The evidence file of a value, to agency staff of the project only."""
    user = request.user
    indicator, period = _indicator_period(user, pk, period)
    if not has_role(user, EVIDENCE_READERS, indicator.project):
        raise PermissionDenied(_("Evidence files are read by the agency's staff only."))
    row = IndicatorValue.objects.visible_to(user).filter(
        indicator=indicator, period=period, cell=""
    )
    value = row.first()
    if value is None or not value.evidence:
        raise Http404(_("No evidence is attached to this value."))
    return FileResponse(
        value.evidence.open("rb"), as_attachment=True, filename=Path(value.evidence.name).name
    )


# --- Periods -----------------------------------------------------------------------------------


@login_required
def period_list(request, pk: int):
    user = request.user
    project = _project(user, pk)
    rows = ReportingPeriod.objects.visible_to(user).filter(project=project)
    context = {
        "project": project,
        "periods": sorted(rows.select_related("locked_by"), key=_period_order),
        "can_lock": has_role(user, ME_ROLES, project),
        "unlock_form": forms.UnlockForm(),
    }
    return render(request, "projects/period_list.html", context)


def _period_for_change(user, pk: int) -> ReportingPeriod:
    period = get_object_or_404(
        ReportingPeriod.objects.visible_to(user).select_related("project"), pk=pk
    )
    if not has_role(user, ME_ROLES, period.project):
        raise PermissionDenied(_("Only M&E officers and managers lock and unlock periods."))
    return period


@login_required
@require_POST
def period_lock(request, pk: int):
    period = _period_for_change(request.user, pk)
    services.period_lock(period=period, by=request.user)
    messages.success(
        request,
        _("The period %(period)s is locked: its values and the data dated in it cannot change.")
        % {"period": period.label},
    )
    return redirect("projects:period_list", pk=period.project_id)


@login_required
@require_POST
def period_unlock(request, pk: int):
    period = _period_for_change(request.user, pk)
    form = forms.UnlockForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, f"{period.label}: {error}")
        return redirect("projects:period_list", pk=period.project_id)
    try:
        services.period_unlock(period=period, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("The period %(period)s is unlocked.") % {"period": period.label}
        )
    return redirect("projects:period_list", pk=period.project_id)


# --- Work plan ---------------------------------------------------------------------------------


def _percent(days: int, total: int) -> str:
    """A CSS percentage written with a dot whatever the language of the page."""
    return f"{100 * days / total:.3f}%"


def _months(start: datetime.date, end: datetime.date, total: int) -> list[dict]:
    """The months of the project, each with its width on the timeline."""
    months = []
    first = start
    while first <= end:
        following = (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        last = min(following - datetime.timedelta(days=1), end)
        months.append({"start": first, "width": _percent((last - first).days + 1, total)})
        first = following
    return months


def _years(start: datetime.date, end: datetime.date, total: int) -> list[dict]:
    """The calendar years of the project, each with its width on the timeline."""
    years = []
    for year in range(start.year, end.year + 1):
        first = max(start, datetime.date(year, 1, 1))
        last = min(end, datetime.date(year, 12, 31))
        years.append({"year": year, "width": _percent((last - first).days + 1, total)})
    return years


def _place_on_timeline(activities, start: datetime.date, end: datetime.date, total: int) -> None:
    for activity in activities:
        first, last = max(activity.start_date, start), min(activity.end_date, end)
        activity.outside = last < first
        if activity.outside:
            activity.offset, activity.span = "0%", "0%"
        else:
            activity.offset = _percent((first - start).days, total)
            activity.span = _percent((last - first).days + 1, total)


@login_required
def workplan(request, pk: int):
    user = request.user
    project = _project(user, pk)
    activities = list(
        PlannedActivity.objects.visible_to(user)
        .filter(project=project)
        .select_related("partner", "area", "site", "result")
        .order_by("start_date", "end_date", "pk")
    )
    start, end = project.start_date, project.end_date
    total = (end - start).days + 1
    _place_on_timeline(activities, start, end, total)
    for activity in activities:
        activity.can_edit = services.planned_activity_can_edit(
            user=user, project=project, partner_id=activity.partner_id
        )
    today = timezone.localdate()
    context = {
        "project": project,
        "activities": activities,
        "months": _months(start, end, total),
        "years": _years(start, end, total),
        "today": _percent((today - start).days, total) if start <= today <= end else None,
        "can_plan": services.planned_activity_can_edit(
            user=user, project=project, partner_id=partner_of(user, project)
        ),
    }
    return render(request, "projects/workplan.html", context)


@login_required
def activity_create(request, pk: int):
    user = request.user
    project = _project(user, pk)
    own = partner_of(user, project)
    if not services.planned_activity_can_edit(user=user, project=project, partner_id=own):
        raise PermissionDenied(_("You may not plan activities in this project."))
    form = forms.ActivityForm(request.POST or None, project=project, own_partner=own)
    if request.method == "POST" and form.is_valid():
        try:
            services.planned_activity_create(project=project, by=user, data=form.activity_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The activity is added to the work plan."))
            return redirect("projects:workplan", pk=project.pk)
    return render(request, "projects/activity_form.html", {"form": form, "project": project})


@login_required
def activity_edit(request, pk: int):
    user = request.user
    activity = get_object_or_404(
        PlannedActivity.objects.visible_to(user).select_related("project"), pk=pk
    )
    project = activity.project
    if not services.planned_activity_can_edit(
        user=user, project=project, partner_id=activity.partner_id
    ):
        raise PermissionDenied(_("You may not change this activity."))
    form = forms.ActivityForm(
        request.POST or None,
        project=project,
        activity=activity,
        own_partner=partner_of(user, project),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.planned_activity_update(activity=activity, by=user, data=form.activity_data())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("projects:workplan", pk=project.pk)
    context = {"form": form, "project": project, "activity": activity}
    return render(request, "projects/activity_form.html", context)

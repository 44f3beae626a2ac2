"""Pages of delivery: sessions and who attended them, counted reach, and distributions.

Every row comes through ``visible_to(request.user)``: a row the user may not see is a 404. Writes
need data entry in the row's project for its partner (``can_enter_data``); a visible row the user
may not change is a 403. A partner focal point's own partner is forced on what they record. Rows
dated in a locked reporting period are refused by the services, and the page says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from suivi.delivery import forms, services
from suivi.delivery.models import Distribution, ReachCount, Session
from suivi.lib import listing
from suivi.lib.forms import add_service_error
from suivi.places.models import Area
from suivi.projects.models import PlannedActivity
from suivi.registry.models import Group, Household, Person, Registration
from suivi.registry.services import (
    can_enter_data,
    data_entry_projects,
    person_search,
)

CANDIDATES_SHOWN = 50


def _require_data_entry(user) -> list:
    projects = data_entry_projects(user)
    if not projects:
        raise PermissionDenied(_("You may not enter data in any project."))
    return projects


def _session_for(user, pk: int) -> Session:
    related = ("project", "partner", "planned_activity", "area", "site")
    return get_object_or_404(Session.objects.visible_to(user).select_related(*related), pk=pk)


def _can_change(user, row) -> bool:
    return can_enter_data(user, row.project, row.partner_id)


def _require_change(user, session: Session) -> None:
    if not _can_change(user, session):
        raise PermissionDenied(_("You may not change this session."))


def _date_filters(rows, values: dict):
    if "date_from" in values:
        rows = rows.filter(date__gte=values["date_from"])
    if "date_to" in values:
        rows = rows.filter(date__lte=values["date_to"])
    return rows


# --- Sessions ----------------------------------------------------------------------------------


@login_required
def session_list(request):
    user = request.user
    filters = forms.SessionFilterForm(request.GET, user=user)
    values = filters.values()
    sessions = Session.objects.visible_to(user)
    if values.get("q"):
        sessions = listing.search(sessions, values["q"], ["title", "facilitator"])
    for name in ("project", "kind", "partner"):
        if name in values:
            sessions = sessions.filter(**{name: values[name]})
    sessions = _date_filters(sessions, values)
    if "area" in values:
        sessions = sessions.filter(area__in=Area.objects.within(values["area"]))
    sessions = (
        sessions.select_related("project", "partner", "area").with_counts().order_by("-date", "-pk")
    )
    page = listing.paginate(request, sessions)
    return render(
        request,
        "delivery/session_list.html",
        {"page": page, "filters": filters, "can_create": bool(data_entry_projects(user))},
    )


def _with_age_bands(attendances, on) -> list:
    """Attach the age band of each attendee on the session's date."""
    attendances = list(attendances)
    for attendance in attendances:
        attendance.age_band = attendance.person.age_band_on(on)
    return attendances


def _reach_grid(session: Session) -> tuple[list, int]:
    """Rows (age band label, count F, count M) of the counted reach, and their total."""
    counts = {(r.sex, r.age_band): r.count for r in session.reach_counts.all()}
    bands = dict(ReachCount._meta.get_field("age_band").choices)
    rows = []
    for code in [*bands]:
        women, men = counts.get(("F", code), 0), counts.get(("M", code), 0)
        rows.append((bands[code], women, men))
    return rows, sum(counts.values())


@login_required
def session_detail(request, pk: int):
    user = request.user
    session = _session_for(user, pk)
    visible_persons = Person.objects.visible_to(user)
    attendances = (
        session.attendances.filter(person__in=visible_persons)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person__pk")
    )
    attendances = _with_age_bands(attendances, session.date)
    reach_rows, reach_total = _reach_grid(session)
    can_edit = _can_change(user, session)
    context = {
        "session": session,
        "attendances": attendances,
        "hidden_attendances": session.attendances.count() - len(attendances),
        "reach_rows": reach_rows,
        "reach_total": reach_total,
        "distributions": session.distributions.visible_to(user).select_related("project")[:100],
        "can_edit": can_edit,
        "locked": session.is_locked(),
        "can_distribute": can_edit and session.kind == Session.Kind.DISTRIBUTION_EVENT,
    }
    return render(request, "delivery/session_detail.html", context)


@login_required
def session_create(request):
    user = request.user
    projects = _require_data_entry(user)
    form = forms.SessionForm(request.POST or None, user=user, projects=projects)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_record(
                project=form.cleaned_data["project"], by=user, data=form.session_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The session %(title)s is recorded.") % form.cleaned_data)
            return redirect("delivery:session_detail", pk=session.pk)
    return render(request, "delivery/session_form.html", {"form": form, "creating": True})


@login_required
def session_edit(request, pk: int):
    user = request.user
    session = _session_for(user, pk)
    _require_change(user, session)
    form = forms.SessionForm(
        request.POST or None, user=user, projects=[session.project], session=session
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, by=user, data=form.session_data())
        except ValidationError as error:
            add_service_error(form, error)
            session.refresh_from_db()
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("delivery:session_detail", pk=session.pk)
    context = {
        "form": form,
        "session": session,
        "creating": False,
        "locked": session.is_locked(),
    }
    return render(request, "delivery/session_form.html", context)


@login_required
@require_GET
def activity_options(request):
    """The options of a planned activity select for the chosen project (htmx)."""
    raw = request.GET.get("project", "")
    activities = []
    if raw.isdigit():
        activities = (
            PlannedActivity.objects.visible_to(request.user)
            .filter(project_id=raw)
            .select_related("project")
            .order_by("start_date", "pk")
        )
    return render(request, "delivery/_activity_options.html", {"activities": activities})


# --- Attendance --------------------------------------------------------------------------------


def _candidates(user, session: Session, query: str) -> list[Person]:
    """Visible persons registered in the session's project who match ``query``; those already
    present are marked. Nothing is listed without a search: never the whole registry."""
    if not query:
        return []
    registered = Registration.objects.filter(project=session.project).values("person_id")
    found = person_search(Person.objects.visible_to(user).filter(pk__in=registered), query)
    candidates = list(
        found.select_related("area").order_by("family_name", "given_name", "pk")[:CANDIDATES_SHOWN]
    )
    present = set(
        session.attendances.filter(person__in=[p.pk for p in candidates]).values_list(
            "person_id", flat=True
        )
    )
    for person in candidates:
        person.present = person.pk in present
        person.age_band = person.age_band_on(session.date)
    return candidates


def _candidates_page(request, session: Session, query: str, form):
    checked = {str(pk) for pk in request.POST.getlist("persons")}
    context = {
        "session": session,
        "query": query,
        "candidates": _candidates(request.user, session, query),
        "checked": checked,
        "form": form,
        "locked": session.is_locked(),
        "limit": CANDIDATES_SHOWN,
    }
    return render(request, "delivery/attendance_candidates.html", context)


@login_required
@require_GET
def attendance_candidates(request, pk: int):
    """The registered persons matching ``q`` with a checkbox each: a fragment for htmx, a page
    with its own search box and form without JavaScript."""
    user = request.user
    session = _session_for(user, pk)
    _require_change(user, session)
    query = request.GET.get("q", "").strip()
    if request.headers.get("HX-Request"):
        context = {
            "session": session,
            "query": query,
            "candidates": _candidates(user, session, query),
            "checked": set(),
            "limit": CANDIDATES_SHOWN,
        }
        return render(request, "delivery/_attendance_candidates.html", context)
    return _candidates_page(request, session, query, form=None)


@login_required
@require_POST
def attendance_add(request, pk: int):
    user = request.user
    session = _session_for(user, pk)
    _require_change(user, session)
    form = forms.AttendanceForm(request.POST, user=user)
    if form.is_valid():
        persons = list(form.cleaned_data["persons"])
        try:
            added = services.attendance_record(session=session, persons=persons, by=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if added:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s person is marked present.",
                        "%(n)s persons are marked present.",
                        added,
                    )
                    % {"n": added},
                )
            else:
                messages.info(request, _("These persons were already marked present."))
            return redirect("delivery:session_detail", pk=session.pk)
    return _candidates_page(request, session, request.POST.get("q", "").strip(), form)


@login_required
@require_POST
def attendance_remove(request, pk: int, person_pk: int):
    user = request.user
    session = _session_for(user, pk)
    _require_change(user, session)
    attendees = Person.objects.visible_to(user).filter(attendances__session=session)
    person = get_object_or_404(attendees, pk=person_pk)
    try:
        services.attendance_remove(session=session, person=person, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is no longer marked present.") % {"name": person})
    return redirect("delivery:session_detail", pk=session.pk)


# --- Counted reach -----------------------------------------------------------------------------


@login_required
def reach_edit(request, pk: int):
    """People reached by a mass activity, counted by sex and age band (nobody registered)."""
    user = request.user
    session = _session_for(user, pk)
    _require_change(user, session)
    counts = {(r.sex, r.age_band): r.count for r in session.reach_counts.all()}
    form = forms.ReachForm(request.POST or None, counts=counts)
    if request.method == "POST" and form.is_valid():
        try:
            services.reach_counts_set(session=session, counts=form.counts(), by=user)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The counted reach is saved."))
            return redirect("delivery:session_detail", pk=session.pk)
    context = {"form": form, "session": session, "locked": session.is_locked()}
    return render(request, "delivery/reach_form.html", context)


# --- Distributions -----------------------------------------------------------------------------


def _attach_visible_recipients(user, distributions) -> None:
    """Set ``visible_recipient`` on each distribution: the recipient when the user may see it.

    A distribution may be visible while its recipient is not (a household whose members the user
    does not see); such a recipient is not named.
    """
    kinds = [("person", Person), ("household", Household), ("group", Group)]
    visible = {}
    for name, model in kinds:
        ids = {getattr(d, f"{name}_id") for d in distributions} - {None}
        visible[name] = (
            set(model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
            if ids
            else set()
        )
    for d in distributions:
        d.visible_recipient = None
        for name, _model in kinds:
            if getattr(d, f"{name}_id") in visible[name]:
                d.visible_recipient = getattr(d, name)
                d.recipient_kind = name


@login_required
def distribution_list(request):
    user = request.user
    filters = forms.DistributionFilterForm(request.GET, user=user)
    values = filters.values()
    distributions = Distribution.objects.visible_to(user)
    if values.get("q"):
        distributions = listing.search(distributions, values["q"], ["item"])
    for name in ("project", "kind", "modality", "partner"):
        if name in values:
            distributions = distributions.filter(**{name: values[name]})
    distributions = _date_filters(distributions, values)
    distributions = distributions.select_related(
        "project", "partner", "person", "household", "group"
    ).order_by("-date", "-pk")
    page = listing.paginate(request, distributions)
    page.object_list = list(page.object_list)
    _attach_visible_recipients(user, page.object_list)
    return render(
        request,
        "delivery/distribution_list.html",
        {"page": page, "filters": filters, "can_create": bool(data_entry_projects(user))},
    )


@login_required
def distribution_detail(request, pk: int):
    user = request.user
    related = ("project", "partner", "person", "household", "group", "planned_activity", "site")
    distribution = get_object_or_404(
        Distribution.objects.visible_to(user).select_related(*related), pk=pk
    )
    _attach_visible_recipients(user, [distribution])
    session = None
    if distribution.session_id:
        session = Session.objects.visible_to(user).filter(pk=distribution.session_id).first()
    context = {
        "distribution": distribution,
        "session": session,
        "locked": distribution.is_locked(),
    }
    return render(request, "delivery/distribution_detail.html", context)


def _distribution_form(request, user, projects):
    """The distribution form, and whether it was submitted for saving.

    The person picker's Search button (used without JavaScript) posts ``_search``: the page comes
    back with the typed values and the matching persons, without refusing the half-filled form.
    A distribution event (``?session=``) preselects its project and the event.
    """
    if request.method == "POST":
        query = request.POST.get("q", "")
        if "_search" not in request.POST:
            form = forms.DistributionForm(request.POST, user=user, projects=projects, query=query)
            return form, True
        initial = request.POST.dict()
        return forms.DistributionForm(
            initial=initial, user=user, projects=projects, query=query
        ), False
    initial = {}
    raw = request.GET.get("session", "")
    if raw.isdigit():
        event = Session.objects.visible_to(user).filter(pk=raw).first()
        if event is not None:
            initial = {
                "session": event.pk,
                "project": event.project_id,
                "partner": event.partner_id,
                "date": event.date,
                "area": event.area_id,
                "site": event.site_id,
                "planned_activity": event.planned_activity_id,
            }
    form = forms.DistributionForm(
        initial=initial, user=user, projects=projects, query=request.GET.get("q", "")
    )
    return form, False


@login_required
def distribution_create(request):
    user = request.user
    projects = _require_data_entry(user)
    form, submitted = _distribution_form(request, user, projects)
    if submitted and form.is_valid():
        try:
            distribution = services.distribution_record(
                project=form.cleaned_data["project"], by=user, data=form.distribution_data()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The distribution is recorded."))
            return redirect("delivery:distribution_detail", pk=distribution.pk)
    return render(request, "delivery/distribution_form.html", {"form": form})

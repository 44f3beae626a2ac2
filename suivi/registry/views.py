"""Pages of the registry: persons and their registrations in projects, households and groups.

Every row comes through ``visible_to(request.user)``: a row the user may not see is a 404. Writes
need a data-entry role (``services.can_enter_data``); a visible row the user may not change is a
403. A partner focal point's own partner is forced on what they create.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from suivi.accounts.models import DATA_ENTRY_ROLES, ME_ROLES, Organisation, has_role, partner_of
from suivi.lib import ages, export, listing
from suivi.lib.forms import add_service_error
from suivi.places.models import Area, Site
from suivi.projects.models import Project
from suivi.registry import eligibility, forms, matching, services
from suivi.registry import exports as registry_exports
from suivi.registry.models import (
    WG_DOMAINS,
    DuplicateCandidate,
    EligibilityCriterion,
    EligibilityRuleSet,
    ExternalId,
    Group,
    Household,
    Person,
    PersonMerge,
    Registration,
    Sex,
)

PICKER_FIELDS = {"person", "head"}


def _add_service_error(form, error: ValidationError) -> None:
    # The services name the proGres number "external_ids"; the person form calls it "progres".
    add_service_error(form, error, renames={"external_ids": "progres"})


def _with_ages(persons) -> list[Person]:
    """Attach today's age to each person for display (``~`` marks an estimated date)."""
    today = timezone.localdate()
    persons = list(persons)
    for person in persons:
        person.age = person.age_on(today)
    return persons


def _picker_form(request, form_class, **kwargs):
    """The form of a page with a person picker, and whether it was submitted for saving.

    The Search button (used without JavaScript) posts ``_search``: the page comes back with the
    typed values and the matching persons, without refusing the half-filled form.
    """
    if request.method == "POST":
        query = request.POST.get("q", "")
        if "_search" not in request.POST:
            return form_class(request.POST, query=query, **kwargs), True
        return form_class(initial=request.POST.dict(), query=query, **kwargs), False
    return form_class(query=request.GET.get("q", ""), **kwargs), False


def _likely_duplicates(user, probe: dict) -> tuple[list[Person], list[matching.Match]]:
    """The persons who may be the one being registered, best first, each with ``match`` (score
    and reasons), and the matches themselves."""
    found = matching.likely_matches(user, probe)
    persons = (
        Person.objects.visible_to(user).select_related("area").in_bulk([m.person_id for m in found])
    )
    shown = []
    for match in found:
        person = persons[match.person_id]
        person.match = match
        person.score_percent = round(match.score * 100)
        shown.append(person)
    return _with_ages(shown), found


def _require_data_entry(user) -> list:
    projects = services.data_entry_projects(user)
    if not projects:
        raise PermissionDenied(_("You may not enter data in any project."))
    return projects


# --- Persons -----------------------------------------------------------------------------------


def _filtered_persons(user, values: dict):
    """The persons the user may see, narrowed by the list's filters (shared by the export)."""
    persons = Person.objects.visible_to(user)
    if values.get("q"):
        persons = services.person_search(persons, values["q"])
    registrations = Registration.objects.visible_to(user)
    if "project" in values:
        in_project = registrations.filter(project=values["project"])
        persons = persons.filter(pk__in=in_project.values("person_id"))
    if "partner" in values:
        with_partner = registrations.filter(partner=values["partner"])
        persons = persons.filter(pk__in=with_partner.values("person_id"))
    for name in ("sex", "population_group"):
        if name in values:
            persons = persons.filter(**{name: values[name]})
    if "disability" in values:
        persons = persons.filter(has_disability=values["disability"] == "yes")
    if "area" in values:
        persons = persons.filter(area__in=Area.objects.within(values["area"]))
    return persons


@login_required
def person_list(request):
    user = request.user
    filters = forms.PersonFilterForm(request.GET, user=user)
    values = filters.values()
    persons = _filtered_persons(user, values)
    registrations = Registration.objects.visible_to(user)
    # Newest first by default: it is what the data-entry team checks, and at a million rows it
    # reads the primary key index instead of sorting every visible person by name.
    order = ("family_name", "given_name", "pk") if values.get("q") else ("-pk",)
    persons = (
        persons.order_by(*order)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=registrations.select_related("project"),
                to_attr="visible_registrations",
            )
        )
    )
    page = listing.paginate(request, persons)
    page.object_list = _with_ages(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/person_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": bool(services.data_entry_projects(user)),
            "export_query": query.urlencode(),
        },
    )


@login_required
@require_GET
def person_export(request):
    """The persons of the list, with its current filters, as CSV or XLSX with an HXL row.

    Only the persons the user may see; donor viewers (aggregates only) get a 404.
    """
    user = request.user
    if not services.data_entry_projects(user):
        raise Http404
    fmt = request.GET.get("format", export.CSV)
    if fmt not in export.FORMATS:
        fmt = export.CSV
    filters = forms.PersonFilterForm(request.GET, user=user)
    persons = _filtered_persons(user, filters.values())
    table = registry_exports.person_table(user=user, persons=persons, on=timezone.localdate())
    stamp = timezone.localdate().isoformat()
    return export.response(table, f"personnes-{stamp}", fmt)


@login_required
def person_detail(request, pk: int):
    user = request.user
    person = get_object_or_404(
        Person.objects.visible_to(user).select_related("area__parent", "site"), pk=pk
    )
    person.age = person.age_on(timezone.localdate())
    household = None
    if person.household_id:
        household = Household.objects.visible_to(user).filter(pk=person.household_id).first()
    wg = [
        (label, getattr(person, f"get_{name}_display")())
        for name, label in WG_DOMAINS
        if getattr(person, name)
    ]
    visible_groups = Group.objects.visible_to(user)
    registrations = list(
        Registration.objects.visible_to(user)
        .filter(person=person)
        .select_related("project", "partner", "overridden_by")
    )
    for registration in registrations:
        registration.evaluations = eligibility.evaluate_for_project(
            person, registration.project, on=registration.registered_on
        )
    context = {
        "person": person,
        "household": household,
        "wg_answers": wg,
        "specific_needs": person.specific_needs.all(),
        "external_ids": person.external_ids.all(),
        "registrations": registrations,
        "group_memberships": person.group_memberships.filter(group__in=visible_groups)
        .select_related("group")
        .order_by("group__name"),
        "attendances": person.attendances.visible_to(user)
        .select_related("session__project")
        .order_by("-session__date", "-pk")[:100],
        "distributions": person.distributions.visible_to(user).select_related("project")[:100],
        "can_edit": services.person_can_edit(user=user, person=person),
        "can_register": bool(services.data_entry_projects(user)),
    }
    return render(request, "registry/person_detail.html", context)


@login_required
def person_create(request):
    user = request.user
    projects = _require_data_entry(user)
    form = forms.PersonForm(request.POST or None, user=user, projects=projects)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates, matches = _likely_duplicates(user, form.duplicate_probe())
        if data["confirm"] or not duplicates:
            try:
                person = services.person_register(
                    organisation=data["project"].organisation,
                    by=user,
                    data=form.person_data(),
                    project=data["project"],
                    partner=data["partner"],
                    registered_on=data["registered_on"],
                    specific_needs=data["specific_needs"],
                    external_ids={ExternalId.Scheme.PROGRES: data["progres"]},
                    possible_duplicates=matches,
                    override_reason=data["override_reason"],
                )
            except ValidationError as error:
                _add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is registered as %(reference)s.")
                    % {"name": person, "reference": person.reference},
                )
                return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
    )


@login_required
def person_edit(request, pk: int):
    user = request.user
    person = get_object_or_404(Person.objects.visible_to(user), pk=pk)
    if not services.person_can_edit(user=user, person=person):
        raise PermissionDenied(_("You may not change this person's record."))
    form = forms.PersonForm(request.POST or None, user=user, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                person=person,
                by=user,
                data=form.person_data(),
                specific_needs=list(form.cleaned_data["specific_needs"]),
                external_ids={ExternalId.Scheme.PROGRES: form.cleaned_data["progres"]},
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("registry:person_detail", pk=person.pk)
    return render(
        request, "registry/person_form.html", {"form": form, "person": person, "creating": False}
    )


@login_required
def registration_create(request, pk: int):
    user = request.user
    person = get_object_or_404(Person.objects.visible_to(user), pk=pk)
    projects = _require_data_entry(user)
    form = forms.RegistrationForm(request.POST or None, user=user, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_create(
                person=person,
                project=data["project"],
                partner=data["partner"],
                registered_on=data["registered_on"],
                by=user,
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is registered in project %(code)s.")
                % {"name": person, "code": data["project"].code},
            )
            return redirect("registry:person_detail", pk=person.pk)
    return render(request, "registry/registration_form.html", {"form": form, "person": person})


@login_required
@require_GET
def person_search(request):
    """The persons matching ``q``, as radio buttons for a picker (an htmx fragment)."""
    field = request.GET.get("field", "person")
    if field not in PICKER_FIELDS:
        field = "person"
    query = request.GET.get("q", "").strip()
    candidates = []
    if query:
        found = services.person_search(Person.objects.visible_to(request.user), query)
        candidates = _with_ages(found.select_related("area")[:20])
    return render(
        request,
        "registry/_person_candidates.html",
        {"candidates": candidates, "name": field, "query": query, "value": ""},
    )


@login_required
@require_GET
def site_options(request):
    """The options of a site select for the chosen area and the areas below it (htmx)."""
    raw = request.GET.get("area", "")
    area = Area.objects.filter(pk=raw).first() if raw.isdigit() else None
    sites = []
    if area is not None:
        within = Site.objects.filter(area__in=Area.objects.within(area))
        sites = within.select_related("area").order_by("name")
    return render(request, "registry/_site_options.html", {"sites": sites})


# --- Households --------------------------------------------------------------------------------


@login_required
def household_list(request):
    user = request.user
    filters = forms.HouseholdFilterForm(request.GET)
    values = filters.values()
    households = Household.objects.visible_to(user)
    if values.get("q"):
        households = listing.search(households, values["q"], ["code"])
    if "area" in values:
        households = households.filter(area__in=Area.objects.within(values["area"]))
    households = (
        households.select_related("area", "head")
        .annotate(member_count=Count("members"))
        .order_by("code", "pk")
    )
    page = listing.paginate(request, households)
    # The head is named only to users who may see that person.
    head_ids = [h.head_id for h in page.object_list if h.head_id]
    visible_heads = set(
        Person.objects.visible_to(user).filter(pk__in=head_ids).values_list("pk", flat=True)
    )
    for household in page.object_list:
        household.visible_head = household.head if household.head_id in visible_heads else None
    return render(
        request,
        "registry/household_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": bool(services.data_entry_projects(user)),
        },
    )


@login_required
def household_detail(request, pk: int):
    user = request.user
    household = get_object_or_404(
        Household.objects.visible_to(user).select_related("area", "site"), pk=pk
    )
    members = _with_ages(household.members.visible_to(user).select_related("area"))
    head = None
    if household.head_id:
        head = Person.objects.visible_to(user).filter(pk=household.head_id).first()
    context = {
        "household": household,
        "head": head,
        "members": members,
        "hidden_members": household.members.count() - len(members),
        "distributions": household.distributions.visible_to(user).select_related("project")[:100],
        "can_edit": services.household_can_edit(user=user, household=household),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
def household_create(request):
    user = request.user
    _require_data_entry(user)
    form, submitted = _picker_form(request, forms.HouseholdForm, user=user)
    if submitted and form.is_valid():
        data = form.cleaned_data
        head = data["head"]
        try:
            household = services.household_create(
                organisation=head.organisation,
                by=user,
                data={"code": data["code"], "area": data["area"], "site": data["site"]},
                head=head,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The household %(code)s is created.") % data)
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form})


@login_required
def household_member_add(request, pk: int):
    user = request.user
    household = get_object_or_404(Household.objects.visible_to(user), pk=pk)
    if not services.household_can_edit(user=user, household=household):
        raise PermissionDenied(_("You may not change this household."))
    form, submitted = _picker_form(
        request, forms.HouseholdMemberForm, user=user, household=household
    )
    if submitted and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.household_member_add(
                household=household,
                person=person,
                by=user,
                relationship=form.cleaned_data["relationship"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is added to household %(code)s.")
                % {"name": person, "code": household.code},
            )
            return redirect("registry:household_detail", pk=household.pk)
    context = {"form": form, "household": household, "relationships": forms.RELATIONSHIPS}
    return render(request, "registry/household_member_form.html", context)


# --- Groups ------------------------------------------------------------------------------------


@login_required
def group_list(request):
    user = request.user
    filters = forms.GroupFilterForm(request.GET, user=user)
    values = filters.values()
    groups = Group.objects.visible_to(user)
    if values.get("q"):
        groups = listing.search(groups, values["q"], ["name"])
    for name in ("kind", "project"):
        if name in values:
            groups = groups.filter(**{name: values[name]})
    groups = (
        groups.select_related("project", "partner", "area")
        .annotate(member_count=Count("memberships"))
        .order_by("name", "pk")
    )
    page = listing.paginate(request, groups)
    return render(
        request,
        "registry/group_list.html",
        {
            "page": page,
            "filters": filters,
            "can_create": bool(services.data_entry_projects(user)),
        },
    )


@login_required
def group_detail(request, pk: int):
    user = request.user
    group = get_object_or_404(
        Group.objects.visible_to(user).select_related("project", "partner", "area", "site"), pk=pk
    )
    memberships = list(
        group.memberships.filter(person__in=Person.objects.visible_to(user))
        .select_related("person")
        .order_by("person__family_name", "person__given_name")
    )
    context = {
        "group": group,
        "memberships": memberships,
        "hidden_members": group.memberships.count() - len(memberships),
        "distributions": group.distributions.visible_to(user).select_related("project")[:100],
        "can_edit": services.group_can_edit(user=user, group=group),
    }
    return render(request, "registry/group_detail.html", context)


@login_required
def group_create(request):
    user = request.user
    projects = _require_data_entry(user)
    form = forms.GroupForm(request.POST or None, user=user, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.group_data()
        try:
            group = services.group_create(
                organisation=data["project"].organisation, by=user, data=data
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The group %(name)s is created.") % data)
            return redirect("registry:group_detail", pk=group.pk)
    return render(request, "registry/group_form.html", {"form": form})


@login_required
def group_member_add(request, pk: int):
    user = request.user
    group = get_object_or_404(Group.objects.visible_to(user).select_related("project"), pk=pk)
    if not services.group_can_edit(user=user, group=group):
        raise PermissionDenied(_("You may not change this group."))
    form, submitted = _picker_form(request, forms.GroupMemberForm, user=user, group=group)
    if submitted and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.group_member_add(
                group=group,
                person=person,
                by=user,
                role=form.cleaned_data["role"],
                joined_on=form.cleaned_data["joined_on"],
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is added to the group %(group)s.") % {"name": person, "group": group},
            )
            return redirect("registry:group_detail", pk=group.pk)
    return render(request, "registry/group_member_form.html", {"form": form, "group": group})


# --- Possible duplicates: review queue, pair, merge and undo ----------------------------------


@login_required
def duplicate_list(request):
    """Pairs of persons who may be the same, most likely first."""
    user = request.user
    filters = forms.DuplicateFilterForm(request.GET, auto_id="f_%s")
    values = filters.values()
    candidates = services.duplicate_candidates_for(user)
    for name in ("status", "source"):
        if name in values:
            candidates = candidates.filter(**{name: values[name]})
    if "min_score" in values:
        candidates = candidates.filter(score__gte=values["min_score"] / 100)
    if values.get("q"):
        persons = services.person_search(Person.objects.all(), values["q"]).values("pk")
        candidates = candidates.filter(Q(person_low__in=persons) | Q(person_high__in=persons))
    candidates = candidates.order_by("-score", "pk").select_related(
        "person_low__area", "person_high__area"
    )
    page = listing.paginate(request, candidates)
    return render(request, "registry/duplicate_list.html", {"page": page, "filters": filters})


def _candidate_for(user, pk: int) -> DuplicateCandidate:
    return get_object_or_404(
        services.duplicate_candidates_for(user).select_related("person_low", "person_high"), pk=pk
    )


def _may_review(user, candidate: DuplicateCandidate) -> bool:
    return all(
        services.person_can_edit(user=user, person=p)
        for p in (candidate.person_low, candidate.person_high)
    )


def _side(user, person: Person) -> dict:
    today = timezone.localdate()
    person.age = person.age_on(today)
    return {
        "person": person,
        "external_ids": list(person.external_ids.all()),
        "registrations": list(
            Registration.objects.visible_to(user)
            .filter(person=person)
            .select_related("project", "partner")
        ),
        "attendances": person.attendances.visible_to(user).count(),
        "distributions": person.distributions.visible_to(user).count(),
    }


@login_required
def duplicate_detail(request, pk: int):
    """The two persons side by side, the score and the reasons; merge or reject."""
    user = request.user
    candidate = _candidate_for(user, pk)
    merge = (
        PersonMerge.objects.filter(candidate=candidate, undone_at__isnull=True)
        .select_related("survivor", "merged")
        .first()
    )
    context = {
        "candidate": candidate,
        "score_percent": round(candidate.score * 100),
        "sides": [_side(user, candidate.person_low), _side(user, candidate.person_high)],
        "can_review": merge is None and _may_review(user, candidate),
        "can_undo": merge is not None
        and services.person_can_edit(user=user, person=merge.survivor),
        "merge": merge,
    }
    return render(request, "registry/duplicate_detail.html", context)


@login_required
@require_POST
def duplicate_merge(request, pk: int):
    user = request.user
    candidate = _candidate_for(user, pk)
    if not _may_review(user, candidate):
        raise PermissionDenied(_("You may not change these persons' records."))
    pair = {
        candidate.person_low_id: candidate.person_low,
        candidate.person_high_id: candidate.person_high,
    }
    try:
        survivor = pair[int(request.POST.get("survivor", ""))]
    except (KeyError, ValueError):
        messages.error(request, _("Choose the record to keep."))
        return redirect("registry:duplicate_detail", pk=candidate.pk)
    merged = next(p for p in pair.values() if p.pk != survivor.pk)
    try:
        services.person_merge(survivor=survivor, merged=merged, by=user, candidate=candidate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:duplicate_detail", pk=candidate.pk)
    messages.success(
        request,
        _("%(merged)s is merged into %(survivor)s.")
        % {"merged": merged.reference, "survivor": survivor.reference},
    )
    return redirect("registry:duplicate_detail", pk=candidate.pk)


@login_required
@require_POST
def duplicate_reject(request, pk: int):
    user = request.user
    candidate = _candidate_for(user, pk)
    if not _may_review(user, candidate):
        raise PermissionDenied(_("You may not change these persons' records."))
    services.duplicate_reject(candidate=candidate, by=user)
    messages.success(request, _("Recorded: these are two different persons."))
    return redirect("registry:duplicate_list")


@login_required
@require_POST
def merge_undo(request, pk: int):
    user = request.user
    merge = get_object_or_404(
        PersonMerge.objects.visible_to(user).select_related("survivor", "merged"),
        pk=pk,
        undone_at__isnull=True,
    )
    if not services.person_can_edit(user=user, person=merge.survivor):
        raise PermissionDenied(_("You may not change these persons' records."))
    services.person_merge_undo(merge=merge, by=user)
    messages.success(
        request, _("The merge is undone: %(ref)s is back.") % {"ref": merge.merged.reference}
    )
    if merge.candidate_id:
        return redirect("registry:duplicate_detail", pk=merge.candidate_id)
    return redirect("registry:person_detail", pk=merge.merged_id)


# --- Eligibility rules and compliance ------------------------------------------------------------


def _project_for(user, pk: int) -> Project:
    """A visible project whose registry work the user takes part in (donors: aggregates only)."""
    project = get_object_or_404(Project.objects.visible_to(user), pk=pk)
    if not has_role(user, DATA_ENTRY_ROLES, project):
        raise PermissionDenied(_("You may not see the eligibility rules of this project."))
    return project


def _require_rule_manager(user, project: Project) -> None:
    if not has_role(user, ME_ROLES, project):
        raise PermissionDenied(
            _("Only the M&E officer, the programme manager or an administrator change the rules.")
        )


def _rule_set_for(user, pk: int) -> EligibilityRuleSet:
    return get_object_or_404(
        EligibilityRuleSet.objects.visible_to(user).select_related("project", "planned_activity"),
        pk=pk,
    )


@login_required
def rule_set_list(request, pk: int):
    user = request.user
    project = _project_for(user, pk)
    rule_sets = (
        EligibilityRuleSet.objects.visible_to(user)
        .filter(project=project)
        .select_related("planned_activity")
        .prefetch_related("criteria")
    )
    return render(
        request,
        "registry/rule_set_list.html",
        {
            "project": project,
            "rule_sets": rule_sets,
            "can_manage": has_role(user, ME_ROLES, project),
        },
    )


@login_required
def rule_set_create(request, pk: int):
    user = request.user
    project = _project_for(user, pk)
    _require_rule_manager(user, project)
    form = forms.RuleSetForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.eligibility_rule_set_create(
                project=project, by=user, data=form.cleaned_data
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The rule set is created: add its criteria."))
            return redirect("registry:rule_set_detail", pk=rule_set.pk)
    return render(request, "registry/rule_set_form.html", {"form": form, "project": project})


@login_required
def rule_set_detail(request, pk: int):
    user = request.user
    rule_set = _rule_set_for(user, pk)
    project = _project_for(user, rule_set.project_id)
    return render(
        request,
        "registry/rule_set_detail.html",
        {
            "rule_set": rule_set,
            "project": project,
            "criteria": rule_set.criteria.all(),
            "can_manage": has_role(user, ME_ROLES, project),
        },
    )


@login_required
def rule_set_edit(request, pk: int):
    user = request.user
    rule_set = _rule_set_for(user, pk)
    project = _project_for(user, rule_set.project_id)
    _require_rule_manager(user, project)
    form = forms.RuleSetForm(
        request.POST or None, project=project, initial=forms.RuleSetForm.initial_for(rule_set)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.eligibility_rule_set_update(rule_set=rule_set, by=user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("registry:rule_set_detail", pk=rule_set.pk)
    return render(
        request,
        "registry/rule_set_form.html",
        {"form": form, "project": project, "rule_set": rule_set},
    )


def _criterion_form_page(request, rule_set, criterion=None):
    user = request.user
    project = _project_for(user, rule_set.project_id)
    _require_rule_manager(user, project)
    initial = forms.CriterionForm.initial_for(criterion) if criterion else None
    form = forms.CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if criterion is None:
                services.eligibility_criterion_add(
                    rule_set=rule_set, by=user, data=form.criterion_data()
                )
            else:
                services.eligibility_criterion_update(
                    criterion=criterion, by=user, data=form.criterion_data()
                )
        except ValidationError as error:
            # The value is typed in the box its operator uses.
            add_service_error(form, error, renames={"value": _value_box(form)})
        else:
            messages.success(request, _("The criterion is saved."))
            return redirect("registry:rule_set_detail", pk=rule_set.pk)
    return render(
        request,
        "registry/criterion_form.html",
        {
            "form": form,
            "rule_set": rule_set,
            "criterion": criterion,
            "field_operators": [
                (spec, [EligibilityCriterion.Operator(op).label for op in spec.operators])
                for spec in eligibility.FIELDS.values()
            ],
        },
    )


def _value_box(form) -> str:
    Op = EligibilityCriterion.Operator
    op = form.cleaned_data.get("operator")
    if op in (Op.BETWEEN, Op.AT_LEAST):
        return "low"
    if op == Op.AT_MOST:
        return "high"
    if op == Op.IS:
        return "flag"
    return "codes"


@login_required
def criterion_add(request, pk: int):
    return _criterion_form_page(request, _rule_set_for(request.user, pk))


def _criterion_for(user, pk: int) -> EligibilityCriterion:
    rule_sets = EligibilityRuleSet.objects.visible_to(user)
    return get_object_or_404(
        EligibilityCriterion.objects.filter(rule_set__in=rule_sets).select_related(
            "rule_set__project"
        ),
        pk=pk,
    )


@login_required
def criterion_edit(request, pk: int):
    criterion = _criterion_for(request.user, pk)
    return _criterion_form_page(request, criterion.rule_set, criterion)


@login_required
def criterion_delete(request, pk: int):
    user = request.user
    criterion = _criterion_for(user, pk)
    rule_set = criterion.rule_set
    _require_rule_manager(user, _project_for(user, rule_set.project_id))
    if request.method == "POST":
        services.eligibility_criterion_delete(criterion=criterion, by=user)
        messages.success(request, _("The criterion is removed."))
        return redirect("registry:rule_set_detail", pk=rule_set.pk)
    return render(
        request, "registry/criterion_delete.html", {"criterion": criterion, "rule_set": rule_set}
    )


@login_required
def compliance_report(request, pk: int):
    """Who passes and who does not pass each criterion, over the project's registrations the
    user may see (a partner focal point: their own), with an Excel download."""
    user = request.user
    project = _project_for(user, pk)
    rule_sets_qs = EligibilityRuleSet.objects.visible_to(user).filter(project=project, active=True)
    partners = None
    if partner_of(user, project) is None:
        partners = Organisation.objects.filter(pk__in=project.partner_ids()).order_by("name")
    filters = forms.ComplianceFilterForm(
        request.GET, project=project, rule_sets=rule_sets_qs, partners=partners
    )
    values = filters.values()
    if "rule_set" in values:
        rule_sets = [values["rule_set"]]
    else:
        rule_sets = eligibility.registration_rule_sets(project)
    registrations = Registration.objects.visible_to(user).filter(project=project)
    if "partner" in values:
        registrations = registrations.filter(partner=values["partner"])
    report = eligibility.compliance(registrations, rule_sets)
    rows = report.not_passing.select_related("person", "partner").order_by(
        "person__family_name", "person__given_name", "pk"
    )
    if request.GET.get("format") == "xlsx":
        return _compliance_xlsx(project, report, rows)
    page = listing.paginate(request, _Counted(rows, report.not_passing_count))
    for registration in page.object_list:
        registration.not_passed = eligibility.failures_of(registration, report.counts)
        # The age the rules judged: on the reference day of the first rule set not passed.
        rule_set = registration.not_passed[0][0].rule_set if registration.not_passed else None
        day = rule_set.reference_day(registration.registered_on) if rule_set else None
        registration.age = registration.person.age_on(day) if day else None
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "xlsx"
    return render(
        request,
        "registry/compliance_report.html",
        {
            "project": project,
            "filters": filters,
            "report": report,
            "rule_sets": rule_sets,
            "page": page,
            "outcome_labels": eligibility.OUTCOME_LABELS,
            "xlsx_query": query.urlencode(),
        },
    )


class _Counted:
    """A queryset whose row count is already known: the paginator does not count it again
    (over a whole project, counting means evaluating every criterion of every row)."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def _compliance_xlsx(project, report, rows) -> HttpResponse:
    today = timezone.localdate()
    outcome_labels = {k: str(v) for k, v in eligibility.OUTCOME_LABELS.items()}
    summary_header = [
        _("Rule set"),
        _("Criterion"),
        _("Passed"),
        _("Failed"),
        _("Unknown (missing data)"),
    ]
    summary = [
        [c.rule_set.name, c.description, c.passed, c.failed, c.unknown] for c in report.counts
    ]
    summary.append([_("Registrations"), "", report.total, "", ""])
    header = [
        _("Reference"),
        _("Family name"),
        _("Given names"),
        _("Sex"),
        _("Age on the reference day"),
        _("Partner"),
        _("Registration date"),
        _("Rule set"),
        _("Criterion"),
        _("Result"),
        _("Reason for registering despite the eligibility rules"),
    ]
    sexes = dict(Sex.choices)
    agency = _("The agency itself")
    fields = [
        "person_id",
        "person__family_name",
        "person__given_name",
        "person__sex",
        "person__birth_date",
        "partner__name",
        "registered_on",
        "override_reason",
    ]

    def lines():
        # Plain values, not model instances: the whole list is written in one pass.
        for r in rows.values(*fields, *report.columns).iterator(chunk_size=5000):
            for count, outcome in eligibility.failures_of(r, report.counts):
                yield [
                    Person.reference_of(r["person_id"]),
                    r["person__family_name"],
                    r["person__given_name"],
                    sexes.get(r["person__sex"], ""),
                    ages.age_on(
                        r["person__birth_date"], count.rule_set.reference_day(r["registered_on"])
                    ),
                    r["partner__name"] or agency,
                    r["registered_on"],
                    count.rule_set.name,
                    count.description,
                    outcome_labels[outcome],
                    r["override_reason"],
                ]

    return export.xlsx_response(
        [(_("Summary"), summary_header, summary), (_("Not passing"), header, lines())],
        f"conformite-{project.code}-{today.isoformat()}",
    )

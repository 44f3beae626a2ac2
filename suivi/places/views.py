"""Pages of the places app: administrative areas and sites.

Areas and sites are reference data shared by every organisation: every signed-in user reads
them. Staff of any organisation may add sites (``services.site_can_create``); others get a 403.
Areas change only through ``manage.py places_load``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from suivi.lib import listing
from suivi.places import forms, services
from suivi.places.models import Area, Site


@login_required
def area_list(request):
    filters = forms.AreaFilterForm(request.GET)
    values = filters.values()
    areas = Area.objects.all()
    if values.get("q"):
        areas = areas.search(values["q"])
    if "country" in values:
        areas = areas.filter(country=values["country"])
    if "level" in values:
        areas = areas.filter(level=values["level"])
    areas = areas.select_related("parent").order_by("pcode")
    return render(
        request,
        "places/area_list.html",
        {"page": listing.paginate(request, areas), "filters": filters},
    )


@login_required
def area_detail(request, pk: int):
    area = get_object_or_404(Area.objects.select_related("parent__parent__parent"), pk=pk)
    children = area.children.annotate(site_count=Count("sites")).order_by("pcode")
    sites = Site.objects.within(area).select_related("area__parent").order_by("name", "pk")
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "ancestors": area.ancestors(),
            "children": children,
            "page": listing.paginate(request, sites),
            "can_create": services.site_can_create(request.user),
        },
    )


@login_required
def site_list(request):
    filters = forms.SiteFilterForm(request.GET)
    values = filters.values()
    sites = Site.objects.all()
    if values.get("q"):
        sites = sites.search(values["q"])
    if "kind" in values:
        sites = sites.filter(kind=values["kind"])
    if "area" in values:
        sites = sites.within(values["area"])
    sites = sites.select_related("area__parent").order_by("name", "pk")
    return render(
        request,
        "places/site_list.html",
        {
            "page": listing.paginate(request, sites),
            "filters": filters,
            "can_create": services.site_can_create(request.user),
        },
    )


@login_required
def site_create(request):
    user = request.user
    if not services.site_can_create(user):
        raise PermissionDenied(_("You may not add sites."))
    area = request.GET.get("area", "")
    initial = {"area": area} if area.isdigit() else {}
    form = forms.SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(data=form.site_data(), by=user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The site %(name)s is added to %(area)s.")
                % {"name": site.name, "area": site.area},
            )
            return redirect("places:area_detail", pk=site.area_id)
    return render(request, "places/site_form.html", {"form": form})

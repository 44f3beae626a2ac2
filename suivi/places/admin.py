"""Areas and sites in the Django admin.

Areas come from their P-code file (``manage.py places_load``): here only their names and date
can be corrected. Sites can be added and corrected. Every change is written to the audit trail.
"""

from __future__ import annotations

from django.contrib import admin

from suivi.audit.admin import AuditedModelAdmin
from suivi.places.models import Area, Site


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    list_display = ["pcode", "name_fr", "name_en", "level", "parent", "valid_from"]
    list_filter = ["country", "level"]
    search_fields = ["pcode", "name_fr", "name_en"]
    list_select_related = ["parent"]
    fields = ["pcode", "country", "level", "parent", "name_fr", "name_en", "valid_from"]
    readonly_fields = ["pcode", "country", "level", "parent"]
    ordering = ["pcode"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "area", "latitude", "longitude"]
    list_filter = ["kind", "area__country"]
    search_fields = ["name", "area__name_fr", "area__name_en", "area__pcode"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    ordering = ["name"]

"""The registry's reference data in the Django admin: the list of specific needs."""

from __future__ import annotations

from django.contrib import admin

from suivi.audit.admin import AuditedModelAdmin
from suivi.registry.models import SpecificNeed


@admin.register(SpecificNeed)
class SpecificNeedAdmin(AuditedModelAdmin):
    """Names can be corrected; a need recorded for a person cannot be deleted, since deleting it
    would silently remove it from their records."""

    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]
    ordering = ["code"]
    actions = None

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.person_set.exists():
            return False
        return super().has_delete_permission(request, obj)

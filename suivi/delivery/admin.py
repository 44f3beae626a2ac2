"""Admin of delivery: for inspection only.

Sessions, attendance, counted reach and distributions change only through the services (pages,
API, imports), which refuse locked periods and write the audit trail; the admin would bypass both.
"""

from django.contrib import admin

from suivi.delivery.models import Attendance, Distribution, ReachCount, Session


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["person", "recorded_at"]
    readonly_fields = fields
    raw_id_fields = ["person"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReachCountInline(admin.TabularInline):
    model = ReachCount
    fields = ["sex", "age_band", "count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "date", "kind", "project", "partner", "organisation"]
    list_filter = ["kind", "project", "organisation"]
    search_fields = ["title", "facilitator"]
    date_hierarchy = "date"
    list_select_related = ["project", "partner", "organisation"]
    raw_id_fields = ["project", "planned_activity", "partner", "area", "site"]
    inlines = [AttendanceInline, ReachCountInline]


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "date", "quantity", "unit", "modality", "project", "partner"]
    list_filter = ["kind", "modality", "project", "organisation"]
    search_fields = ["item"]
    date_hierarchy = "date"
    list_select_related = ["project", "partner"]
    raw_id_fields = [
        "project",
        "partner",
        "planned_activity",
        "session",
        "person",
        "household",
        "group",
        "site",
    ]

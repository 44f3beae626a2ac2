"""The Django admin of projects: reference data (sectors) and a support view of the rest.

Day-to-day changes go through the pages, whose services write the audit trail; here the lock of
a period and the stored values are read-only so that the admin cannot bypass a lock unseen.
"""

from django.contrib import admin

from suivi.audit.admin import AuditedModelAdmin
from suivi.projects.models import (
    Indicator,
    IndicatorValue,
    PlannedActivity,
    Project,
    ProjectBudget,
    ProjectTransaction,
    ReportingPeriod,
    Result,
    Sector,
    Target,
)


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "dac_code"]
    search_fields = ["code", "name_fr", "name_en", "dac_code"]


class ProjectBudgetInline(admin.TabularInline):
    model = ProjectBudget
    extra = 0


class ProjectTransactionInline(admin.TabularInline):
    model = ProjectTransaction
    extra = 0
    raw_id_fields = ["provider", "receiver"]


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    """Budgets per year and transactions (for IATI) are entered here; changes are audited."""

    inlines = [ProjectBudgetInline, ProjectTransactionInline]
    list_display = ["code", "title_fr", "organisation", "status", "start_date", "end_date"]
    list_filter = ["status", "organisation", "currency"]
    search_fields = ["code", "title_fr", "title_en"]
    filter_horizontal = ["donors", "partners", "sectors"]
    raw_id_fields = ["areas"]
    date_hierarchy = "start_date"


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "level", "project"]
    list_filter = ["level", "project"]
    search_fields = ["code", "title_fr", "title_en", "project__code"]
    raw_id_fields = ["project", "parent"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "project", "unit", "method", "cumulative"]
    list_filter = ["method", "unit", "project"]
    search_fields = ["code", "name_fr", "name_en", "project__code"]
    raw_id_fields = ["project", "result"]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "year", "number", "start", "end", "locked_at", "locked_by"]
    list_filter = ["kind", "year", "project"]
    search_fields = ["project__code"]
    raw_id_fields = ["project"]
    readonly_fields = ["locked_at", "locked_by"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "value"]
    list_filter = ["period__kind", "indicator__project"]
    search_fields = ["indicator__code", "indicator__project__code"]
    raw_id_fields = ["indicator", "period"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "cell", "value", "status", "computed_at"]
    list_filter = ["status", "period__kind", "indicator__project"]
    search_fields = ["indicator__code", "indicator__project__code", "cell"]
    raw_id_fields = ["indicator", "period"]
    readonly_fields = ["value", "cell", "computed_at", "status"]


@admin.register(PlannedActivity)
class PlannedActivityAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "project", "partner", "start_date", "end_date", "status"]
    list_filter = ["status", "project"]
    search_fields = ["title_fr", "title_en", "responsible", "project__code"]
    raw_id_fields = ["project", "result", "partner", "area", "site"]
    date_hierarchy = "start_date"

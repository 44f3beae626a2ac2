"""The Django admin of partners: a support view of agreements and their reports.

Day-to-day changes go through the pages, whose services write the audit trail; changes made
here are audited too.
"""

from django.contrib import admin

from suivi.audit.admin import AuditedModelAdmin
from suivi.partners.models import Agreement, PartnerReport


class PartnerReportInline(admin.TabularInline):
    model = PartnerReport
    extra = 0
    fields = ["kind", "final", "period_start", "period_end", "due_date", "status"]
    readonly_fields = ["status"]


@admin.register(Agreement)
class AgreementAdmin(AuditedModelAdmin):
    inlines = [PartnerReportInline]
    list_display = ["reference", "title", "project", "partner", "start_date", "end_date", "status"]
    list_filter = ["status", "report_frequency", "organisation"]
    search_fields = ["reference", "title", "project__code", "partner__name", "partner__acronym"]
    raw_id_fields = ["project", "partner"]
    date_hierarchy = "start_date"


@admin.register(PartnerReport)
class PartnerReportAdmin(AuditedModelAdmin):
    list_display = [
        "agreement",
        "kind",
        "final",
        "period_start",
        "period_end",
        "due_date",
        "status",
    ]
    list_filter = ["status", "kind", "final"]
    search_fields = ["agreement__reference", "agreement__partner__name", "project__code"]
    raw_id_fields = ["agreement", "project", "submitted_by", "reviewed_by"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by"]
    date_hierarchy = "due_date"

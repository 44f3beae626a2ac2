"""The Django admin of reports: a support view of the DHIS2 mapping (edited on its page)."""

from django.contrib import admin

from suivi.audit.admin import AuditedModelAdmin
from suivi.reports.models import Dhis2CategoryOptionCombo, Dhis2DataElement, Dhis2OrgUnit


@admin.register(Dhis2DataElement)
class Dhis2DataElementAdmin(AuditedModelAdmin):
    list_display = ["indicator", "data_element"]
    search_fields = ["indicator__code", "indicator__project__code", "data_element"]
    raw_id_fields = ["indicator"]


@admin.register(Dhis2CategoryOptionCombo)
class Dhis2CategoryOptionComboAdmin(AuditedModelAdmin):
    list_display = ["indicator", "cell", "category_option_combo"]
    search_fields = ["indicator__code", "cell", "category_option_combo"]
    raw_id_fields = ["indicator"]


@admin.register(Dhis2OrgUnit)
class Dhis2OrgUnitAdmin(AuditedModelAdmin):
    list_display = ["organisation", "area", "org_unit"]
    list_filter = ["organisation"]
    search_fields = ["area__pcode", "area__name_fr", "org_unit"]
    raw_id_fields = ["area"]

from django.contrib import admin

from suivi.imports.models import ColumnMapping, ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["original_name", "project", "partner", "status", "created_at", "created_by"]
    list_filter = ["status"]
    search_fields = ["original_name", "file_sha256"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ["header", "target", "organisation", "partner"]
    search_fields = ["header"]

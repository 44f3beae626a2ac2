"""The audit trail in the Django admin: read only. And the base of the admin pages that change
reference data, which writes an audit event for every change made there."""

from __future__ import annotations

from django.contrib import admin
from django.db import models, transaction

from suivi.audit import services as audit
from suivi.audit.models import AuditEvent


def _value(value):
    """A form value as the audit trail keeps it (rows by primary key, sets as lists)."""
    if isinstance(value, models.QuerySet):
        return sorted(obj.pk for obj in value)
    if isinstance(value, list | tuple | set):
        return [getattr(v, "pk", v) for v in value]
    return value


def form_changes(form) -> dict:
    """{field: [old, new]} for the fields the admin form changed; passwords never appear."""
    changes = {}
    for name in form.changed_data:
        if "password" in name:
            continue
        field = form.fields.get(name)
        old = form.initial.get(name)
        if field is not None and old is not None:
            old = field.prepare_value(old)
        changes[name] = [_value(old), _value(form.cleaned_data.get(name))]
    return changes


class AuditedModelAdmin(admin.ModelAdmin):
    """An admin page whose creations, changes and deletions are written to the audit trail,
    as the services do for the rest of Suivi."""

    def _action(self, verb: str) -> str:
        return f"{self.model._meta.model_name}.admin_{verb}"

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            changes = form_changes(form)
            super().save_model(request, obj, form, change)
            if change and not changes:
                return
            verb = "change" if change else "create"
            audit.record(actor=request.user, action=self._action(verb), target=obj, changes=changes)

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(actor=request.user, action=self._action("delete"), target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit.record(actor=request.user, action=self._action("delete"), target=obj)
            super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        """Inline rows (memberships of a user...) are audited one by one."""
        with transaction.atomic():
            deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
            edited = {
                f.instance.pk: form_changes(f)
                for f in formset.initial_forms
                if f.instance.pk and f.has_changed() and f not in formset.deleted_forms
            }
            for obj in deleted:
                label = obj._meta.model_name
                audit.record(actor=request.user, action=f"{label}.admin_delete", target=obj)
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                label = obj._meta.model_name
                audit.record(actor=request.user, action=f"{label}.admin_create", target=obj)
            for obj, _fields in formset.changed_objects:
                label = obj._meta.model_name
                audit.record(
                    actor=request.user,
                    action=f"{label}.admin_change",
                    target=obj,
                    changes=edited.get(obj.pk, {}),
                )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only: events are written by services and never changed or deleted."""

    list_display = [
        "at",
        "actor",
        "organisation",
        "action",
        "target_type",
        "target_id",
        "target_repr",
    ]
    list_filter = ["target_type", "organisation"]
    search_fields = ["action", "target_id", "target_repr", "actor__email"]
    date_hierarchy = "at"
    list_select_related = ["actor", "organisation"]
    readonly_fields = [
        "at",
        "actor",
        "organisation",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
    ]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

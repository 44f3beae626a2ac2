"""Pages of the audit app: the audit trail, read by administrators.

Events come through ``AuditEvent.objects.visible_to(user)``: an administrator reads the events of
their organisation, a superuser every event. Other users get a 403. Events are written only by
services; no page changes or deletes them.
"""

from __future__ import annotations

import datetime
import json
import unicodedata

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from suivi.accounts.models import Role, scopes_for
from suivi.audit.models import AuditEvent
from suivi.lib import listing


def can_read_trail(user) -> bool:
    return user.is_superuser or any(s.role == Role.ADMINISTRATOR for s in scopes_for(user))


def _record_types() -> list[tuple[str, str]]:
    """Suivi's models as (label, name): the record types an event may be about."""
    models = [m for m in apps.get_models() if m.__module__.startswith("suivi.")]
    types = [(m._meta.label_lower, capfirst(str(m._meta.verbose_name))) for m in models]
    return sorted(types, key=lambda t: _sort_key(t[1]))


def _sort_key(text: str) -> str:
    """Alphabetical order whatever the accents: "Événement" files under E."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class DateInput(forms.DateInput):
    """The browser's date picker; it needs ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EventFilterForm(forms.Form):
    """Filters of the trail, read from the query string. A bad date is shown, not ignored."""

    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        help_text=gettext_lazy("For example person.update, or person for every person action."),
    )
    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), required=False)
    record_id = forms.CharField(label=gettext_lazy("Record id"), required=False, max_length=64)
    actor = forms.CharField(label=gettext_lazy("Who (email)"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", _("All")), *_record_types()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date: swap them."))
        return cleaned

    def values(self) -> dict:
        """The valid filters; the invalid ones carry their message on the form."""
        self.is_valid()
        return {
            name: value.strip() if isinstance(value, str) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name not in self.errors
        }


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filtered(events, values: dict):
    if values.get("action"):
        events = events.filter(action__startswith=values["action"].lower())
    if values.get("record_type"):
        events = events.filter(target_type=values["record_type"])
    if values.get("record_id"):
        events = events.filter(target_id=values["record_id"])
    if values.get("actor"):
        events = events.filter(actor__email__icontains=values["actor"])
    if values.get("date_from"):
        events = events.filter(at__gte=_start_of(values["date_from"]))
    if values.get("date_to"):
        events = events.filter(at__lt=_start_of(values["date_to"] + datetime.timedelta(days=1)))
    return events


def _shown(value) -> str:
    if value is None or value in ("", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        field = model._meta.get_field(name.removesuffix("_id"))
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def readable_changes(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's changed fields as (label, text): "old → new" for an update, else the value.

    Updates store {field: [old, new]}; other events store plain values.
    """
    changes = event.changes or {}
    if not isinstance(changes, dict):
        return [("", _shown(changes))]
    try:
        model = apps.get_model(event.target_type)
    except (LookupError, ValueError):
        model = None
    pairs = bool(changes) and all(isinstance(v, list) and len(v) == 2 for v in changes.values())
    rows = []
    for name, value in changes.items():
        label = _field_label(model, name)
        if pairs:
            rows.append((label, f"{_shown(value[0])} → {_shown(value[1])}"))
        else:
            rows.append((label, _shown(value)))
    return rows


@login_required
@require_GET
def event_list(request):
    user = request.user
    if not can_read_trail(user):
        raise PermissionDenied(_("Only administrators read the audit trail."))
    filters = EventFilterForm(request.GET)
    events = _filtered(AuditEvent.objects.visible_to(user), filters.values())
    events = events.select_related("actor", "organisation").order_by("-at", "-id")
    page = listing.paginate(request, events)
    type_names = dict(_record_types())
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.readable_changes = readable_changes(event)
        event.type_name = type_names.get(event.target_type, event.target_type)
    return render(
        request,
        "audit/event_list.html",
        {"page": page, "filters": filters, "all_organisations": user.is_superuser},
    )

"""The one audit call. Services call ``record`` inside their own transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models

from suivi.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, list]:
    """Changed fields as {field: [old, new]}, for the audit event of an update."""
    changes = {}
    for name in fields:
        new = _plain(getattr(instance, name))
        old = _plain(before.get(name))
        if old != new:
            changes[name] = [old, new]
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def record(
    *,
    actor,
    action: str,
    target: models.Model,
    changes: dict | None = None,
) -> AuditEvent:
    """Write one audit event about ``target`` (with its organisation and project, when it has
    them)."""
    organisation_id = getattr(target, "organisation_id", None)
    if organisation_id is None and target._meta.label_lower == "accounts.organisation":
        organisation_id = target.pk
    project_pk = getattr(target, "project_id", None)
    if project_pk is None and target._meta.label_lower == "projects.project":
        project_pk = target.pk
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation_id=organisation_id,
        project_pk=project_pk,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )


def save_new(instance: models.Model, *, by, action: str) -> models.Model:
    """Validate and insert a new row, stamping its author, and record the event."""
    if hasattr(instance, "created_by_id"):
        instance.created_by = by if by is not None and by.is_authenticated else None
    instance.full_clean()
    instance.save()
    record(actor=by, action=action, target=instance)
    return instance


def save_changes(
    instance: models.Model, *, by, action: str, data: dict[str, Any], fields: list[str]
) -> models.Model:
    """Apply ``data`` to the ``fields`` it names, validate, save what changed and record it."""
    before = snapshot(instance, fields)
    for name, value in data.items():
        if name in fields:
            setattr(instance, name, value)
    instance.full_clean()
    changes = diff(instance, before, fields)
    if changes:
        update = list(changes)
        if hasattr(instance, "updated_at"):
            update.append("updated_at")
        instance.save(update_fields=update)
        record(actor=by, action=action, target=instance, changes=changes)
    return instance

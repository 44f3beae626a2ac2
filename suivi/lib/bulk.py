"""Insert many rows at once: ``COPY`` on PostgreSQL, ``bulk_create`` on the other databases.

``insert(Model, objects)`` takes unsaved instances whose values are already checked (no
``full_clean``, no ``save``, no signals) and gives each its primary key. On PostgreSQL the keys
are taken from the table's sequence first, then the rows are streamed with ``COPY``, which is
several times faster than a multi-row ``INSERT``; elsewhere ``bulk_create`` is used, which also
sets the keys (SQLite 3.35+ returns them).

``insert_values(Model, fields, rows)`` does the same for rows given as tuples of values, when
nothing needs the keys back (link rows: registrations, identifiers, many-to-many rows): building
a model instance costs more than writing its row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connections, models
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

BATCH_ROWS = 5000


def batched(items: Iterable, size: int | None = None) -> Iterator[list]:
    """Lists of at most ``size`` (default ``BATCH_ROWS``) items, read lazily from ``items``."""
    size = size or BATCH_ROWS
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Builder:
    """Unsaved instances of ``model`` built from dicts of field values. Defaults are computed
    once per builder, so all its instances share one ``created_at``.

    When nothing listens to the model's ``pre_init`` and ``post_init`` signals, an instance is
    its attribute values set directly, as ``__init__`` would set them, without going through
    each field's descriptor: six times faster, which matters at a million rows. Otherwise the
    values are given to the constructor by position."""

    def __init__(self, model: type[models.Model], **common):
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.relations = {f.name: f.attname for f in fields if f.is_relation}
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.defaults.update(self._attvalues(common))
        self.direct = not (
            signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
        )

    def _attvalues(self, data: dict) -> dict:
        values = {}
        for name, value in data.items():
            if name in self.relations:
                attname = self.relations[name]
                values[attname] = value.pk if isinstance(value, models.Model) else value
            else:
                values[name] = value
        return values

    def __call__(self, data: dict) -> models.Model:
        values = {**self.defaults, **self._attvalues(data)}
        if len(values) != len(self.defaults):
            unknown = sorted(values.keys() - self.defaults.keys())
            raise TypeError(f"{self.model.__name__} has no field {unknown[0]!r}")
        if not self.direct:
            return self.model(*[values[name] for name in self.attnames])
        instance = self.model.__new__(self.model)
        instance.__dict__.update(values)
        instance._state = ModelState()
        return instance


def can_copy(using: str = "default") -> bool:
    """Whether the database takes rows through ``COPY`` (PostgreSQL with psycopg 3)."""
    if connections[using].vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _plain_rows(using: str) -> bool:
    """Whether rows can be written by ``COPY`` or by SQLite's ``executemany``: SQLite has one
    writer at a time, so keys above the largest one are free for the transaction that holds the
    lock (Suivi opens SQLite transactions IMMEDIATE)."""
    connection = connections[using]
    return can_copy(using) or (connection.vendor == "sqlite" and connection.in_atomic_block)


def insert(model: type[models.Model], objects: list, *, using: str = "default") -> list:
    """Insert ``objects`` (unsaved instances of ``model``) and set their primary keys."""
    if not objects:
        return objects
    if not _plain_rows(using):
        return model._default_manager.using(using).bulk_create(objects)
    meta = model._meta
    pk = meta.pk
    missing = [o for o in objects if getattr(o, pk.attname) is None]
    for obj, key in zip(missing, _new_keys(model, len(missing), using), strict=True):
        setattr(obj, pk.attname, key)
    fields = list(meta.concrete_fields)
    now = timezone.now()
    for field in fields:
        if _stamped(field):
            for obj in objects:
                setattr(obj, field.attname, now)
    attnames = [f.attname for f in fields]
    _write(model, fields, ([getattr(o, a) for a in attnames] for o in objects), using)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = using
    return objects


def insert_values(
    model: type[models.Model], fields: list[str], rows: list[tuple], *, using: str = "default"
) -> None:
    """Insert ``rows`` (tuples of values of the ``fields``, by attribute name such as
    ``person_id``); the other fields take their defaults, computed once for all the rows."""
    if not rows:
        return
    meta = model._meta
    if not _plain_rows(using):
        model._default_manager.using(using).bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows]
        )
        return
    now = timezone.now()
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    others = [f for f in meta.concrete_fields if f.attname not in fields and f is not meta.pk]
    defaults = tuple(now if _stamped(f) else f.get_default() for f in others)
    _write(model, given + others, (row + defaults for row in rows), using)


def _stamped(field: models.Field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _new_keys(model: type[models.Model], count: int, using: str) -> list[int]:
    if not count:
        return []
    connection = connections[using]
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        table = connection.ops.quote_name(meta.db_table)
        column = connection.ops.quote_name(meta.pk.column)
        # Above the largest key ever given (sqlite_sequence), so a deleted row's key, which
        # the audit trail may still name, is never given again.
        cursor.execute(
            f"SELECT MAX(k) FROM (SELECT MAX({column}) AS k FROM {table} "
            "UNION ALL SELECT seq AS k FROM sqlite_sequence WHERE name = %s)",
            [meta.db_table],
        )
        first = (cursor.fetchone()[0] or 0) + 1
        return list(range(first, first + count))


# Fields whose Python values both databases' drivers take as they are.
_RAW_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _taken_as_is(value) -> bool:
    """Values psycopg writes itself in a COPY, as Django would prepare them: None, dates, and
    datetimes that carry their time zone (a naive one goes through Django, which makes it
    aware)."""
    if value is None or type(value) is datetime.date:
        return True
    return type(value) is datetime.datetime and value.tzinfo is not None


def _write(model: type[models.Model], fields: list, rows: Iterable, using: str) -> None:
    """Write ``rows`` (values of ``fields``, in order) with COPY or executemany."""
    connection = connections[using]
    prepare = [None if f.get_internal_type() in _RAW_TYPES else f for f in fields]
    if connection.vendor == "postgresql":
        # Dates and aware datetimes cost a chain of field methods each for nothing.
        dated = {"DateField", "DateTimeField"}
        prepare = [
            (f, True) if f is not None and f.get_internal_type() in dated else (f, False)
            for f in prepare
        ]
    else:
        prepare = [(f, False) for f in prepare]
    if any(f is not None for f, _dated in prepare):
        rows = (
            [
                v if f is None or (dated and _taken_as_is(v)) else f.get_db_prep_save(v, connection)
                for (f, dated), v in zip(prepare, row, strict=True)
            ]
            for row in rows
        )
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # Django's error wrapper, so that a violated constraint is an IntegrityError.
            with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)

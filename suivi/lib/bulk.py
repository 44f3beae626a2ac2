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

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connections, models
from django.utils import timezone

BATCH_ROWS = 5000


def batched(items: Iterable, size: int = BATCH_ROWS) -> Iterator[list]:
    """Lists of at most ``size`` items, read lazily from ``items``."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Builder:
    """Unsaved instances of ``model`` built from dicts of field values, the way Django builds
    the rows it reads (positional values by attribute name): several times faster than keyword
    arguments, which matters at a million rows. Defaults are computed once per builder, so all
    its instances share one ``created_at``."""

    def __init__(self, model: type[models.Model], **common):
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.relations = {f.name: f.attname for f in fields if f.is_relation}
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.defaults.update(self._attvalues(common))

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
        return self.model(*[values[name] for name in self.attnames])


def can_copy(using: str = "default") -> bool:
    """Whether the database takes rows through ``COPY`` (PostgreSQL with psycopg 3)."""
    if connections[using].vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def insert(model: type[models.Model], objects: list, *, using: str = "default") -> list:
    """Insert ``objects`` (unsaved instances of ``model``) and set their primary keys."""
    if not objects:
        return objects
    if can_copy(using):
        _copy(model, objects, using)
    else:
        model._default_manager.using(using).bulk_create(objects)
    return objects


def insert_values(
    model: type[models.Model], fields: list[str], rows: list[tuple], *, using: str = "default"
) -> None:
    """Insert ``rows`` (tuples of values of the ``fields``, by attribute name such as
    ``person_id``); the other fields take their defaults, computed once for all the rows."""
    if not rows:
        return
    meta = model._meta
    if not can_copy(using):
        model._default_manager.using(using).bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows]
        )
        return
    now = timezone.now()
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    others = [f for f in meta.concrete_fields if f.attname not in fields and f is not meta.pk]
    defaults = tuple(
        now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_db_prep_save(f.get_default(), connections[using])
        for f in others
    )
    connection = connections[using]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in given + others)
    table = connection.ops.quote_name(meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row + defaults)


def _copy(model: type[models.Model], objects: list, using: str) -> None:
    connection = connections[using]
    meta = model._meta
    pk = meta.pk
    fields = list(meta.concrete_fields)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if any(getattr(o, pk.attname) is None for o in objects):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objects)],
            )
            ids = iter([row[0] for row in cursor.fetchall()])
            for obj in objects:
                if getattr(obj, pk.attname) is None:
                    setattr(obj, pk.attname, next(ids))
        now = timezone.now()
        getters = [_getter(f, now, connection) for f in fields]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([get(obj) for get in getters])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = using


def _getter(field: models.Field, now, connection):
    """How to read a field's value for COPY, decided once per field rather than once per row."""
    name = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):

        def stamped(obj):
            setattr(obj, name, now)
            return now

        return stamped
    if isinstance(field, models.JSONField):
        return lambda obj: field.get_db_prep_save(getattr(obj, name), connection)
    return lambda obj: getattr(obj, name)

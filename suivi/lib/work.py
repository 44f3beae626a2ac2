"""Background work kept in the database: the rows that wait for the worker, and who holds them.

A row of background work (an import being checked or committed, a donor report being generated)
has a ``heartbeat_at``: empty while it waits, the time its worker last said it was alive while
it runs. ``claim`` takes the oldest waiting row, or one whose heartbeat went stale because its
worker stopped (a restart, a power cut), so no work is lost; ``beat`` keeps a row held and
writes its progress; ``release`` gives a row back at once when a worker is stopped cleanly, so
that the next start takes it without waiting for the heartbeat to go stale.

On PostgreSQL the claim locks the row with SKIP LOCKED, so several workers never take the same
row, and a row held by a long transaction (an import's commit) is never taken twice. SQLite
runs one writer at a time (transactions are IMMEDIATE), which serialises the claims.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

# A row whose worker has not said it is alive for this long is taken again by another worker.
STALE_AFTER = datetime.timedelta(minutes=5)


def claim(waiting: models.QuerySet) -> models.Model | None:
    """Take the oldest row of ``waiting`` (the rows in a status the worker processes) that no
    live worker holds; its heartbeat is set, so no other worker takes it."""
    now = timezone.now()
    with transaction.atomic():
        free = waiting.filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER))
        if connection.features.has_select_for_update_skip_locked:
            free = free.select_for_update(skip_locked=True)
        row = free.order_by("pk").first()
        if row is None:
            return None
        # Compare and set: a worker that read the same row first has changed its heartbeat.
        taken = (
            type(row)
            .objects.filter(pk=row.pk, heartbeat_at=row.heartbeat_at)
            .update(heartbeat_at=now)
        )
        if not taken:
            return None
        row.heartbeat_at = now
    return row


def beat(row: models.Model, **progress) -> None:
    """Say that ``row``'s worker is alive, writing its progress fields (``progress_done=...``)
    with the heartbeat in one short UPDATE, seen at once by the page that polls it."""
    progress["heartbeat_at"] = timezone.now()
    for name, value in progress.items():
        setattr(row, name, value)
    type(row).objects.filter(pk=row.pk).update(**progress)


def release(row: models.Model) -> None:
    """Give a row back to the queue: the next worker takes it at once."""
    row.heartbeat_at = None
    type(row).objects.filter(pk=row.pk).update(heartbeat_at=None)


@contextlib.contextmanager
def claimed(waiting: models.QuerySet) -> Iterator[models.Model | None]:
    """``claim`` a row for the block; when the worker is stopped inside it (Ctrl+C, SIGTERM),
    the row is released so that the next start goes on with it."""
    row = claim(waiting)
    try:
        yield row
    except (KeyboardInterrupt, SystemExit):
        if row is not None:
            release(row)
        raise

"""Large lists: checked and committed by the `work` command, with a progress bar."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from suivi.imports import services
from suivi.imports.models import ImportBatch
from suivi.lib import work
from suivi.registry.models import Person
from tests.imports import files
from tests.imports.pages import run_to_preview, text

Status = ImportBatch.Status


def test_large_list_is_checked_and_committed_by_the_worker(world, login, places, monkeypatch):
    monkeypatch.setattr(services, "INLINE_ROWS", 3)
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook(), partner=world.p)
    assert batch.status == Status.VALIDATING
    progress_url = reverse("imports:batch_progress", args=[batch.pk])
    page = text(client.get(reverse("imports:batch_detail", args=[batch.pk])))
    assert 'hx-trigger="every 2s"' in page and progress_url in page
    fragment = client.get(progress_url)
    assert fragment.status_code == 200 and "<progress" in text(fragment)

    call_command("work", "--once")
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED and batch.accepted_rows == 4
    done = client.get(progress_url)
    assert done.status_code == 200
    assert done["HX-Redirect"] == reverse("imports:batch_detail", args=[batch.pk])

    persons = Person.objects.count()
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTING and Person.objects.count() == persons
    assert "Registering the persons" in text(client.get(progress_url))

    call_command("work", "--once")
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.created_by == world.assistant_a
    assert Person.objects.count() == persons + 4
    assert batch.committed_by == world.assistant_a


def test_worker_leaves_a_batch_another_worker_holds_and_takes_over_a_stopped_one(
    world, login, places, monkeypatch
):
    monkeypatch.setattr(services, "INLINE_ROWS", 3)
    batch = run_to_preview(login(world.assistant_a), world.pa, files.messy_workbook())
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    assert services.work_once() is None  # someone is working on it
    stopped = timezone.now() - work.STALE_AFTER - datetime.timedelta(seconds=1)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=stopped, progress_done=2)
    assert services.work_once().pk == batch.pk
    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    assert (batch.total_rows, batch.rejected_rows, batch.row_errors.count()) == (6, 2, 2)


def test_commit_that_no_longer_passes_lands_nothing_and_says_why(world, login, places):
    client = login(world.assistant_a)
    batch = run_to_preview(client, world.pa, files.messy_workbook())
    persons = Person.objects.count()
    places["gao"].name_fr = places["gao"].name_en = "Ansongo"
    places["gao"].save()  # row 11 ("gao") no longer resolves
    client.post(reverse("imports:batch_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert "Row 11 no longer passes the checks" in batch.message
    assert Person.objects.count() == persons  # one transaction: nothing of rows 5 to 8 stays
    assert not batch.imported_rows.exists()
    assert "Row 11 no longer passes the checks" in text(
        client.get(reverse("imports:batch_detail", args=[batch.pk]))
    )

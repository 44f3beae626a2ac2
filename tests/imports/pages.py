"""What the import page tests share: uploading a file and walking the steps as a user."""

from __future__ import annotations

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from suivi.imports.models import ImportBatch


def text(response) -> str:
    return html.unescape(response.content.decode())


def upload(client, project, content: bytes, name="liste.xlsx", partner=None, **extra):
    data = {
        "file": SimpleUploadedFile(name, content),
        "project": project.pk,
        "partner": partner.pk if partner else "",
        "registered_on": timezone.localdate().isoformat(),
    }
    data.update(extra)
    return client.post(reverse("imports:batch_create"), data)


def mapping_post(batch: ImportBatch, **changes) -> dict:
    """The mapping form as suggested by Suivi, with ``changes`` ({column title: field})."""
    data = {f"col_{i}": "" for i in range(len(batch.headers))}
    for index, target in batch.mapping_by_index.items():
        data[f"col_{index}"] = target
    for title, target in changes.items():
        data[f"col_{batch.headers.index(title)}"] = target
    return data


def run_to_preview(client, project, content: bytes, name="liste.xlsx", partner=None):
    """Upload and map with the suggestions; returns the checked batch."""
    response = upload(client, project, content, name=name, partner=partner)
    assert response.status_code == 302, text(response)
    batch = ImportBatch.objects.latest("pk")
    response = client.post(reverse("imports:batch_mapping", args=[batch.pk]), mapping_post(batch))
    assert response.status_code == 302, text(response)
    batch.refresh_from_db()
    return batch

"""DHIS2: the mapping edited by an M&E officer, and dataValueSets JSON of validated values."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.places.models import Area
from tests import helpers, standards
from tests.reports.conftest import quarter, text

SAMPLE = standards.STANDARDS / "dhis2" / "dhis2-core-test-dataValueSetJ.json"


def mapping_url(project) -> str:
    return reverse("reports:dhis2_mapping", args=[project.pk])


def export_url(project) -> str:
    return reverse("reports:dhis2_export", args=[project.pk])


def _map(client, w, **cells) -> None:
    ansongo = Area.objects.get(pcode="ML0702")
    data = {f"de_{w.indicator.pk}": "f7n9E0hX8qk", f"ou_{ansongo.pk}": "DiszpKrYNg8"}
    data.update({f"coc_{w.indicator.pk}_{cell}": uid for cell, uid in cells.items()})
    response = client.post(mapping_url(w.pa), data, follow=True)
    assert response.status_code == 200


def test_me_officer_maps_and_exports_the_total_in_the_samples_shape(published, client):
    w = published
    client.force_login(w.me_a)
    _map(client, w)
    response = client.get(export_url(w.pa), {"period": w.q1.pk})
    assert response.status_code == 200
    payload = response.json()
    sample = json.loads(SAMPLE.read_text())
    assert set(payload) == set(sample)
    assert payload["dataValues"] == [
        {"dataElement": "f7n9E0hX8qk", "period": "2026Q1", "orgUnit": "DiszpKrYNg8", "value": "2"}
    ]
    assert set(payload["dataValues"][0]) == set(sample["dataValues"][0])
    assert all(isinstance(v, str) for v in payload["dataValues"][0].values())
    assert AuditEvent.objects.filter(action="indicator.dhis2_map").exists()


def test_mapped_cells_go_to_their_category_option_combos(published, client):
    w = published
    client.force_login(w.me_a)
    _map(
        client, w, **{"sex=F|age_band=12-17": "GirlsAdol01", "sex=M|age_band=12-17": "BoysAdol012"}
    )
    values = client.get(export_url(w.pa), {"period": w.q1.pk}).json()["dataValues"]
    assert sorted((v["categoryOptionCombo"], v["value"]) for v in values) == [
        ("BoysAdol012", "1"),
        ("GirlsAdol01", "1"),
    ]


def test_a_period_not_validated_is_refused_with_a_clear_message(published, client):
    w = published
    client.force_login(w.me_a)
    _map(client, w)
    response = client.get(export_url(w.pa), {"period": quarter(w.pa, 2).pk})
    assert response.status_code == 200
    assert "application/json" not in response["Content-Type"]
    assert "its values for Q2 2026 are not stored, not validated" in text(response)


def test_nothing_mapped_says_what_to_do(published, client):
    client.force_login(published.me_a)
    response = client.get(export_url(published.pa), {"period": published.q1.pk})
    assert "is mapped to a DHIS2 data element" in text(response)


def test_a_malformed_identifier_is_refused_naming_the_field(published, client):
    w = published
    client.force_login(w.me_a)
    response = client.post(mapping_url(w.pa), {f"de_{w.indicator.pk}": "abc"})
    assert "1.1.1: abc is not a DHIS2 identifier" in text(response)
    assert not w.indicator.__class__.objects.filter(dhis2__isnull=False).exists()


@pytest.mark.parametrize("persona", ["assistant_a", "partner_p", "donor_a"])
def test_only_me_roles_edit_the_mapping(published, client, persona):
    client.force_login(getattr(published, persona))
    assert client.get(mapping_url(published.pa)).status_code == 403


def test_empty_project_export_does_not_crash(world, client):
    empty = helpers.create_project(world.a, code="PA-VIDE")
    client.force_login(world.me_a)
    response = client.get(export_url(empty), {"period": quarter(empty, 1).pk})
    assert response.status_code == 200
    assert "is mapped to a DHIS2 data element" in text(response)
    assert client.get(mapping_url(empty)).status_code == 200


def test_api_gives_the_same_payload_as_the_export(published, client):
    from suivi.accounts.services import api_token_create

    w = published
    client.force_login(w.me_a)
    _map(client, w)
    exported = client.get(export_url(w.pa), {"period": w.q1.pk}).json()
    _token, key = api_token_create(user=w.me_a, name="dhis2", by=w.me_a)
    headers = {"authorization": f"Bearer {key}", "accept-language": "en"}
    api = client.get(
        f"/api/v1/projects/{w.pa.pk}/dhis2-data-values", {"period": w.q1.pk}, headers=headers
    )
    assert api.status_code == 200
    assert api.json() == exported
    refused = client.get(
        f"/api/v1/projects/{w.pa.pk}/dhis2-data-values",
        {"period": quarter(w.pa, 2).pk},
        headers=headers,
    )
    assert refused.status_code == 409
    assert "not validated" in refused.json()["detail"]


def test_superuser_reaches_the_mapping_and_the_budgets_in_the_admin(published, client):
    from suivi.accounts.models import User

    client.force_login(User.objects.create_superuser("root@suivi.test", helpers.PASSWORD))
    for model in ("dhis2dataelement", "dhis2categoryoptioncombo", "dhis2orgunit"):
        assert client.get(f"/admin/reports/{model}/").status_code == 200
    page = client.get(reverse("admin:projects_project_change", args=[published.pa.pk]))
    assert page.status_code == 200
    assert "annual budget" in page.content.decode().lower()

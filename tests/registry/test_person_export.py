"""The registry export: the persons of the list, as CSV and XLSX with an HXL hashtag row."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from suivi.registry.models import ExternalId
from tests import helpers, standards

URL = reverse("registry:person_export")


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def placed(world):
    """Agency A's partner-P person placed in an admin 2 area, with a proGres number."""
    gao = helpers.create_area("ML07", "Gao", 1)
    ansongo = helpers.create_area("ML0702", "Ansongo", 2, parent=gao)
    person = world.person_p
    person.area = ansongo
    person.save(update_fields=["area"])
    ExternalId.objects.create(person=person, scheme="progres", value="MLI-24-012345")
    return world


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_person_export_parses_with_libhxl_and_uses_core_hashtags_only(placed, client, fmt):
    client.force_login(placed.manager_a)
    response = client.get(URL, {"format": fmt})
    assert response.status_code == 200
    columns, rows = standards.hxl_parse(_content(response))
    standards.assert_core_hxl(columns)
    names = standards.by_tag(columns, rows, "#beneficiary+name", "Family name")
    assert sorted(names) == ["Coulibaly", "Diallo"]
    coulibaly = names.index("Coulibaly")
    assert standards.by_tag(columns, rows, "#adm2+code")[coulibaly] == "ML0702"
    assert standards.by_tag(columns, rows, "#adm1+code")[coulibaly] == "ML07"
    progres = standards.by_tag(
        columns, rows, "#beneficiary+code", "UNHCR proGres individual number"
    )
    assert progres[coulibaly] == "MLI-24-012345"


def test_csv_export_starts_with_a_byte_order_mark_so_excel_reads_accents(placed, client):
    client.force_login(placed.manager_a)
    content = _content(client.get(URL, {"format": "csv"}))
    assert content.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[0] == "Reference"


def test_partner_export_holds_only_its_own_persons(placed, client):
    client.force_login(placed.partner_p)
    columns, rows = standards.hxl_parse(_content(client.get(URL, {"format": "csv"})))
    names = standards.by_tag(columns, rows, "#beneficiary+name", "Family name")
    assert names == ["Coulibaly"]


def test_export_keeps_the_list_filters(placed, client):
    client.force_login(placed.manager_a)
    response = client.get(URL, {"format": "csv", "sex": "M"})
    columns, rows = standards.hxl_parse(_content(response))
    assert standards.by_tag(columns, rows, "#beneficiary+name", "Family name") == ["Diallo"]


def test_person_list_links_to_the_export_with_its_filters(placed, client):
    client.force_login(placed.manager_a)
    page = client.get(reverse("registry:person_list"), {"sex": "M"}).content.decode()
    assert f"{URL}?sex=M&amp;format=xlsx" in page


@pytest.mark.parametrize("persona", ["donor_a"])
def test_donor_gets_no_person_export(placed, client, persona):
    client.force_login(getattr(placed, persona))
    assert client.get(URL, {"format": "csv"}).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_name_starting_with_equals_is_not_a_formula_in_the_export(world, client, fmt):
    helpers.create_person(world.pa, partner=world.p, family_name="=HYPERLINK(1)")
    client.force_login(world.manager_a)
    content = _content(client.get(URL, {"format": fmt}))
    columns, rows = standards.hxl_parse(content)
    names = standards.by_tag(columns, rows, "#beneficiary+name", "Family name")
    assert "'=HYPERLINK(1)" in names
    assert "=HYPERLINK(1)" not in names

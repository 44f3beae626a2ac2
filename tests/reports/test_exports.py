"""Indicator and 5W exports: HXL-tagged CSV and XLSX that libhxl reads, core hashtags only."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.accounts.services import api_token_create
from tests import helpers, standards
from tests.reports.conftest import quarter

NGA_3W = standards.STANDARDS / "3w-5w" / "nga-3w-apr-jun-2024-excerpt.csv"


def _content(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def indicators_url(project) -> str:
    return reverse("reports:indicators_export", args=[project.pk])


def fivew_url(project) -> str:
    return reverse("reports:fivew_export", args=[project.pk])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_indicator_export_parses_with_libhxl_and_uses_core_hashtags(published, client, fmt):
    w = published
    client.force_login(w.me_a)
    response = client.get(indicators_url(w.pa), {"period": w.q1.pk, "format": fmt})
    assert response.status_code == 200
    columns, rows = standards.hxl_parse(_content(response))
    standards.assert_core_hxl(columns)
    assert standards.by_tag(columns, rows, "#indicator+code") == [w.indicator.code]
    assert standards.by_tag(columns, rows, "#indicator+num")[0] == "2"
    assert standards.by_tag(columns, rows, "#indicator+num+f")[0] == "1"
    assert standards.by_tag(columns, rows, "#indicator+num+adolescents+m")[0] == "1"
    assert standards.by_tag(columns, rows, "#status+code") == ["validated"]


def test_indicator_export_of_a_period_not_validated_says_so(published, client):
    w = published
    q2 = quarter(w.pa, 2)
    client.force_login(w.me_a)
    columns, rows = standards.hxl_parse(
        _content(client.get(indicators_url(w.pa), {"period": q2.pk, "format": "csv"}))
    )
    assert standards.by_tag(columns, rows, "#status+code") == ["none"]


def test_export_without_a_period_sends_back_to_the_project_with_a_message(published, client):
    client.force_login(published.me_a)
    response = client.get(indicators_url(published.pa), {"period": "x"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:detail", args=[published.pa.pk])
    assert "Period: choose a reporting period of the project PA-EDU" in response.content.decode()


def _page_cells(html: str) -> dict[str, Decimal]:
    found = re.findall(r'data-cell="([^"]*)">(?:<a [^>]*>)?([0-9.,]+)<', html)
    return {cell.replace("&amp;", "&"): Decimal(value.replace(",", "")) for cell, value in found}


def test_page_api_and_export_give_identical_numbers(published, client):
    w = published
    client.force_login(w.me_a)
    page = client.get(
        reverse("reports:indicator_detail", args=[w.indicator.pk]), {"period": w.q1.pk}
    )
    page_cells = _page_cells(page.content.decode())
    page_total = page.context["chosen_figures"].total

    _token, key = api_token_create(user=w.me_a, name="t", by=w.me_a)
    api = client.get(
        f"/api/v1/indicators/{w.indicator.pk}/values",
        {"period": w.q1.pk},
        headers={"authorization": f"Bearer {key}"},
    ).json()

    content = _content(client.get(indicators_url(w.pa), {"period": w.q1.pk, "format": "csv"}))
    reader = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    exported = reader[1]  # under the HXL row

    assert page_cells["sex=F"] == Decimal(str(api["cells"]["sex=F"])) == Decimal(exported["Female"])
    assert page_cells["sex=M"] == Decimal(str(api["cells"]["sex=M"])) == Decimal(exported["Male"])
    assert page_cells["age_band=12-17"] == Decimal(str(api["cells"]["age_band=12-17"]))
    assert Decimal(exported["12-17 years"]) == page_cells["age_band=12-17"]
    assert page_total == Decimal(str(api["total"])) == Decimal(exported["Value"]) == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_fivew_export_parses_with_libhxl_and_has_the_3w_columns(published, client, fmt):
    w = published
    client.force_login(w.manager_a)
    response = client.get(fivew_url(w.pa), {"period": w.q1.pk, "format": fmt})
    assert response.status_code == 200
    columns, rows = standards.hxl_parse(_content(response))
    standards.assert_core_hxl(columns)

    # The columns of OCHA's 3W that the HXL core schema knows are all in Suivi's 5W.
    sample_columns, _rows = standards.hxl_parse(NGA_3W.read_bytes())
    tags, attributes = standards.hxl_core()
    expected = {
        c.display_tag.split("+")[0] + "".join(f"+{a}" for a in sorted(c.attributes))
        for c in sample_columns
        if c.tag in tags and all(f"+{a}" in attributes for a in c.attributes)
    }
    ours = {c.tag + "".join(f"+{a}" for a in sorted(c.attributes)) for c in columns if c.tag}
    assert {"#org+name", "#adm1+code", "#adm2+code"} <= expected
    for tag in expected:
        base = tag.split("+")[0]
        extra = set(tag.split("+")[1:])
        assert any(o.split("+")[0] == base and extra <= set(o.split("+")[1:]) for o in ours), (
            f"{tag} of the 3W is missing"
        )

    partners = standards.by_tag(columns, rows, "#org+impl+name")
    activities = standards.by_tag(columns, rows, "#activity+name")
    assert sorted(zip(partners, activities, strict=True)) == [
        ("Partenaire P", "Kit"),
        ("Partenaire P", "Training"),
        ("Partenaire Q", "Kit"),
        ("Partenaire Q", "Training"),
    ]
    assert set(standards.by_tag(columns, rows, "#adm2+code")) == {"ML0702"}
    assert set(standards.by_tag(columns, rows, "#adm1+name")) == {"Gao"}
    p = list(zip(partners, activities, strict=True)).index(("Partenaire P", "Training"))
    assert standards.by_tag(columns, rows, "#reached+ind")[p] == "1"
    assert standards.by_tag(columns, rows, "#reached+ind+f")[p] == "1"
    assert standards.by_tag(columns, rows, "#reached+ind+m")[p] == "0"
    assert standards.by_tag(columns, rows, "#reached+ind+adolescents+f")[p] == "1"


def test_partner_5w_holds_only_its_own_rows(published, client):
    w = published
    client.force_login(w.partner_p)
    content = _content(client.get(fivew_url(w.pa), {"period": w.q1.pk, "format": "csv"}))
    columns, rows = standards.hxl_parse(content)
    assert set(standards.by_tag(columns, rows, "#org+impl+name")) == {"Partenaire P"}


def test_exports_of_an_empty_project_do_not_crash(world, client):
    empty = helpers.create_project(world.a, code="PA-VIDE")
    period = quarter(empty, 1)
    client.force_login(world.manager_a)
    for url in (indicators_url(empty), fivew_url(empty)):
        for fmt in ("csv", "xlsx"):
            response = client.get(url, {"period": period.pk, "format": fmt})
            assert response.status_code == 200
            columns, rows = standards.hxl_parse(_content(response))
            assert rows == []
            standards.assert_core_hxl(columns)


def test_project_page_lists_the_exports_in_french(published, client, settings):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(published.me_a)
    page = client.get(reverse("projects:detail", args=[published.pa.pk])).content.decode()
    assert "Exports" in page
    assert "Indicateurs (CSV, HXL)" in page
    assert "Activité IATI 2.03 (XML)" in page
    assert "Valeurs DHIS2 (JSON)" in page
    assert reverse("reports:dhis2_mapping", args=[published.pa.pk]) in page


def test_outsider_gets_404_on_every_export(published, client):
    w = published
    client.force_login(w.outsider_b)
    for name in ("indicators_export", "fivew_export", "iati_project", "dhis2_export"):
        response = client.get(reverse(f"reports:{name}", args=[w.pa.pk]), {"period": w.q1.pk})
        assert response.status_code == 404, name

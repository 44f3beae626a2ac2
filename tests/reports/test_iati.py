"""IATI 2.03 activity XML: valid against the IATI schema, its codelists and its ruleset."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import etree

from tests import helpers, standards


def project_url(project) -> str:
    return reverse("reports:iati_project", args=[project.pk])


def organisation_url(organisation) -> str:
    return reverse("reports:iati_organisation", args=[organisation.pk])


@pytest.fixture
def activity_file(published, client):
    client.force_login(published.me_a)
    response = client.get(project_url(published.pa))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return response.content


def test_activity_file_passes_the_iati_203_schema(activity_file):
    assert standards.iati_schema_errors(activity_file) == []


def test_activity_file_codes_are_in_the_iati_codelists(activity_file):
    assert standards.iati_codelist_errors(activity_file) == []


def test_activity_file_passes_the_iati_ruleset(activity_file):
    assert standards.iati_ruleset_errors(activity_file) == []


def test_the_ruleset_check_catches_a_broken_file(activity_file):
    broken = activity_file.replace(
        b'iso-date="2026-12-31" type="3"', b'iso-date="2025-01-01" type="3"'
    )
    broken = broken.replace(b'type="3" iso-date="2026-12-31"', b'type="3" iso-date="2025-01-01"')
    assert any(e.startswith("11.1.2") for e in standards.iati_ruleset_errors(broken))


def test_activity_holds_identifiers_organisations_budget_and_transaction(published, activity_file):
    doc = etree.fromstring(activity_file)
    activity = doc.find("iati-activity")
    assert activity.get("humanitarian") == "1"
    assert activity.findtext("iati-identifier") == "XM-OCHA-AGA-PA-EDU"
    assert activity.find("reporting-org").get("ref") == "XM-OCHA-AGA"
    roles = sorted(
        (o.get("role"), o.findtext("narrative")) for o in activity.iter("participating-org")
    )
    assert roles == [
        ("1", "Fondation D"),
        ("2", "Agence A"),
        ("4", "Partenaire P"),
        ("4", "Partenaire Q"),
    ]
    assert activity.find("recipient-country").get("code") == "ML"
    sector = activity.find("sector")
    assert (sector.get("code"), sector.get("percentage")) == ("11320", "100")
    assert activity.find("budget/value").text == "120000000"
    assert activity.find("transaction/transaction-type").get("code") == "1"
    assert activity.find("transaction/provider-org/narrative").text == "Fondation D"


def test_results_carry_baseline_target_and_actuals_by_sex_and_age(published, activity_file):
    doc = etree.fromstring(activity_file)
    indicator = doc.find("iati-activity/result/indicator")
    assert indicator.find("baseline").get("value") == "0"
    period = indicator.find("period")
    assert period.find("period-start").get("iso-date") == "2026-01-01"
    assert period.find("target").get("value") == "4"
    actuals = {
        tuple(sorted((d.get("name"), d.get("value")) for d in a.iter("dimension"))): a.get("value")
        for a in period.iter("actual")
    }
    assert actuals[()] == "2"
    assert actuals[(("sex", "female"),)] == "1"
    assert actuals[(("age", "12-17"),)] == "2"
    assert actuals[(("age", "12-17"), ("sex", "male"))] == "1"


def test_periods_not_validated_have_no_actual(published, client):
    from tests.reports.conftest import quarter

    w = published
    from suivi.projects import services as project_services

    project_services.target_set(indicator=w.indicator, period=quarter(w.pa, 2), value=6, by=w.me_a)
    client.force_login(w.me_a)
    doc = etree.fromstring(client.get(project_url(w.pa)).content)
    periods = doc.findall("iati-activity/result/indicator/period")
    assert [p.find("period-start").get("iso-date") for p in periods] == ["2026-01-01", "2026-04-01"]
    assert periods[1].find("actual") is None


def test_organisation_file_holds_each_visible_project(published, client):
    w = published
    second = helpers.create_project(w.a, code="PA-PROT")
    second.sectors.set(w.pa.sectors.all())
    second.recipient_country = "ML"
    second.save(update_fields=["recipient_country"])
    client.force_login(w.manager_a)
    response = client.get(organisation_url(w.a))
    assert response.status_code == 200
    assert standards.iati_schema_errors(response.content) == []
    assert standards.iati_ruleset_errors(response.content) == []
    doc = etree.fromstring(response.content)
    assert [a.findtext("iati-identifier") for a in doc.iter("iati-activity")] == [
        "XM-OCHA-AGA-PA-EDU",
        "XM-OCHA-AGA-PA-PROT",
    ]


def test_organisation_without_iati_identifier_is_told_what_to_fill_in(world, client):
    client.force_login(world.manager_a)
    response = client.get(organisation_url(world.a))
    page = response.content.decode()
    assert response.status_code == 200
    assert "has no IATI organisation identifier" in page
    assert "no sector with an OECD DAC 5 code" in page
    assert "<iati-activities" not in page


def test_empty_project_gives_a_valid_file(published, client):
    empty = helpers.create_project(published.a, code="PA-VIDE")
    empty.sectors.set(published.pa.sectors.all())
    empty.recipient_country = "MR"
    empty.save(update_fields=["recipient_country"])
    client.force_login(published.manager_a)
    response = client.get(project_url(empty))
    assert standards.iati_schema_errors(response.content) == []
    assert standards.iati_ruleset_errors(response.content) == []


def test_outsider_and_other_agency_projects_are_404(published, client):
    client.force_login(published.outsider_b)
    assert client.get(project_url(published.pa)).status_code == 404
    assert client.get(organisation_url(published.a)).status_code == 404


def test_api_gives_the_iati_file_or_what_to_fill_in(published, client):
    from suivi.accounts.services import api_token_create

    w = published
    _token, key = api_token_create(user=w.me_a, name="iati", by=w.me_a)
    headers = {"authorization": f"Bearer {key}", "accept-language": "en"}
    response = client.get(f"/api/v1/projects/{w.pa.pk}/iati-activity", headers=headers)
    assert response.status_code == 200
    assert standards.iati_schema_errors(response.content) == []
    w.a.iati_identifier = ""
    w.a.save(update_fields=["iati_identifier"])
    refused = client.get(f"/api/v1/projects/{w.pa.pk}/iati-activity", headers=headers)
    assert refused.status_code == 409
    assert "has no IATI organisation identifier" in refused.json()["detail"]

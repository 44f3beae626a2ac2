"""Logframe pages: results tree, indicators whose definition is built from form fields."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects import services
from suivi.projects.models import Indicator, Result
from tests import helpers
from tests.projects.pages import indicator_post, output_of, text


def _logframe(world):
    return reverse("projects:logframe", args=[world.pa.pk])


def test_me_officer_builds_the_results_tree_through_the_pages(world, login):
    client = login(world.me_a)
    create = reverse("projects:result_create", args=[world.pa.pk])

    response = client.post(
        create, {"level": "impact", "code": "1", "title_fr": "Les enfants apprennent"}
    )
    assert response.status_code == 302
    impact = Result.objects.get(project=world.pa, code="1")
    # Adding under a result suggests the level below and the next free code.
    form = text(client.get(create, {"parent": impact.pk}))
    assert 'value="1.1"' in form
    assert '<option value="outcome" selected>' in form
    client.post(
        create,
        {"level": "outcome", "parent": impact.pk, "code": "1.1", "title_fr": "Accès accru"},
    )
    outcome = Result.objects.get(project=world.pa, code="1.1")
    client.post(
        create,
        {"level": "output", "parent": outcome.pk, "code": "1.1.1", "title_fr": "Écoles équipées"},
    )
    client.post(
        create,
        {"level": "output", "parent": outcome.pk, "code": "1.1.2", "title_fr": "Maîtres formés"},
    )
    client.post(
        create,
        {"level": "outcome", "parent": impact.pk, "code": "1.2", "title_fr": "Qualité accrue"},
    )

    outputs = Result.objects.filter(project=world.pa, level="output")
    assert {r.parent for r in outputs} == {outcome}
    assert AuditEvent.objects.filter(action="result.create", actor=world.me_a).count() == 5
    page = text(client.get(_logframe(world)))
    order = ["Les enfants apprennent", "Accès accru", "Écoles équipées", "Maîtres formés"]
    positions = [page.index(title) for title in order + ["Qualité accrue"]]
    assert positions == sorted(positions)
    # Outputs are nested in the list of their outcome, which is nested in the impact's.
    branch = page[page.index(f'id="r{outcome.pk}"') : page.index("Qualité accrue")]
    assert branch.count("<ul>") == 1 and "Maîtres formés" in branch


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"level": "outcome", "code": "1.1.1"}, "cannot sit under a result of level Output"),
        ({"level": "activity", "code": "1.1"}, "The code 1.1 is already used in this project"),
        ({"level": "activity", "code": "1..2"}, "Write the code as numbers separated by dots"),
        ({"level": "activity", "code": ""}, "This field is required."),
    ],
)
def test_result_form_says_what_to_fix(world, login, data, message):
    output = output_of(world.pa)
    client = login(world.me_a)
    before = Result.objects.count()
    response = client.post(
        reverse("projects:result_create", args=[world.pa.pk]),
        {"parent": output.pk, "title_fr": "Titre", **data},
    )
    assert response.status_code == 200
    assert message in text(response)
    assert Result.objects.count() == before


def test_result_keeps_above_the_results_under_it(world, login):
    output = output_of(world.pa)
    services.result_create(
        project=world.pa,
        by=None,
        data={"level": "activity", "code": "1.1.1", "title_fr": "Activité", "parent": output},
    )
    client = login(world.me_a)
    response = client.post(
        reverse("projects:result_edit", args=[output.pk]),
        {"level": "activity", "code": "1.1", "title_fr": "Produit 1.1"},
    )
    assert "A result must be at a higher level than the results under it." in text(response)
    output.refresh_from_db()
    assert output.level == "output"


def test_me_officer_edits_a_result_and_the_change_is_audited(world, login):
    output = output_of(world.pa)
    client = login(world.me_a)
    response = client.post(
        reverse("projects:result_edit", args=[output.pk]),
        {"level": "output", "code": "1.1", "title_fr": "Salles de classe construites"},
    )
    assert response.status_code == 302
    output.refresh_from_db()
    assert output.title_fr == "Salles de classe construites"
    event = AuditEvent.objects.get(action="result.update", target_id=str(output.pk))
    assert event.actor == world.me_a


def test_me_officer_creates_a_computed_indicator_through_the_form(world, login):
    output = output_of(world.pa)
    client = login(world.me_a)
    url = reverse("projects:indicator_create", args=[world.pa.pk])
    assert client.get(url, {"result": output.pk}).status_code == 200

    data = indicator_post(
        output,
        session_kinds=["training", "awareness"],
        person_population_groups=["refugee", "idp"],
        person_disability="yes",
        disaggregations=["age_band", "sex"],
        cumulative="on",
    )
    response = client.post(url, data)

    indicator = Indicator.objects.get(project=world.pa, code="1.1.1")
    assert response.status_code == 302
    assert indicator.method == "computed"
    assert indicator.definition == {
        "source": "attendance",
        "measure": "persons",
        "session_kinds": ["training", "awareness"],
        "min_count": 2,
        "person": {
            "sex": "F",
            "population_groups": ["refugee", "idp"],
            "disability": True,
            "age_min": 12,
            "age_max": 17,
        },
    }
    assert indicator.disaggregations == ["sex", "age_band"]
    assert indicator.cumulative is True
    assert indicator.baseline == Decimal("0")
    assert indicator.baseline_date == datetime.date(2026, 1, 1)
    event = AuditEvent.objects.get(action="indicator.create", target_id=str(indicator.pk))
    assert event.actor == world.me_a

    page = text(client.get(_logframe(world)))
    assert reverse("reports:indicator_detail", args=[indicator.pk]) in page
    assert "Number of girls trained" in page and "01/01/2026" in page
    assert "Disaggregated by: Sex, Age band" in page


def test_manual_indicator_keeps_no_definition(world, login):
    output = output_of(world.pa)
    client = login(world.me_a)
    data = indicator_post(output, method="manual", unit="percentage", baseline="45.5")
    response = client.post(reverse("projects:indicator_create", args=[world.pa.pk]), data)

    assert response.status_code == 302
    indicator = Indicator.objects.get(code="1.1.1")
    assert indicator.method == "manual"
    assert indicator.definition == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"source": "registration", "measure": "households"},
            "With source registration, the measure is one of: persons.",
        ),
        (
            {"source": "distribution", "measure": "", "session_kinds": ["training"]},
            "Session types apply to sessions, attendance and reach, and must be known.",
        ),
        (
            {"item_contains": "kit scolaire"},
            "The item filter applies to distributions only.",
        ),
        ({"person_age_min": "18", "person_age_max": "5"}, "The minimum age is above the maximum"),
        ({"source": ""}, "A computed indicator counts something: choose what to count from."),
        ({"min_count": "0"}, "The minimum number of times is at least 1."),
        ({"baseline_date": ""}, "Give the date on which the baseline was measured."),
        ({"unit": "percentage", "baseline": "120"}, "A percentage is between 0 and 100."),
        ({"result": ""}, "This field is required."),
    ],
)
def test_invalid_indicator_is_refused_with_the_reason(world, login, changes, message):
    output = output_of(world.pa)
    client = login(world.me_a)
    data = indicator_post(output, **changes)
    response = client.post(reverse("projects:indicator_create", args=[world.pa.pk]), data)
    assert response.status_code == 200
    assert message in text(response)
    assert not Indicator.objects.exists()


def test_definition_errors_are_shown_in_french(world, login):
    output = output_of(world.pa)
    client = login(world.me_a)
    client.cookies["django_language"] = "fr"
    data = indicator_post(output, source="registration", measure="households")
    response = client.post(reverse("projects:indicator_create", args=[world.pa.pk]), data)
    assert "Avec la source registration, la mesure est l'une des suivantes" in text(response)
    assert not Indicator.objects.exists()


def test_duplicate_indicator_code_is_refused(world, login):
    output = output_of(world.pa)
    helpers.create_indicator(world.pa, code="1.1.1")
    client = login(world.me_a)
    response = client.post(
        reverse("projects:indicator_create", args=[world.pa.pk]), indicator_post(output)
    )
    assert "The code 1.1.1 is already used in this project: choose another." in text(response)
    assert Indicator.objects.count() == 1


def test_indicator_form_shows_the_stored_definition_and_saves_changes(world, login):
    definition = {
        "source": "distribution",
        "measure": "households",
        "distribution_kinds": ["kit"],
        "item_contains": "kit scolaire",
        "person": {"population_groups": ["refugee"], "disability": False},
    }
    indicator = helpers.create_indicator(world.pa, definition=definition)
    client = login(world.me_a)
    url = reverse("projects:indicator_edit", args=[indicator.pk])

    form = text(client.get(url))
    assert '<option value="distribution" selected>' in form
    assert '<option value="households" selected>' in form
    assert 'value="kit" id="id_distribution_kinds_0" checked' in form
    assert 'value="kit scolaire"' in form
    assert '<option value="no" selected>' in form

    data = indicator_post(
        indicator.result,
        code=indicator.code,
        source="distribution",
        measure="quantity",
        session_kinds=[],
        distribution_kinds=["kit", "scholarship"],
        item_contains="",
        min_count="",
        person_sex="",
        person_age_min="",
        person_age_max="",
    )
    response = client.post(url, data)

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.definition == {
        "source": "distribution",
        "measure": "quantity",
        "distribution_kinds": ["kit", "scholarship"],
    }
    event = AuditEvent.objects.get(action="indicator.update", target_id=str(indicator.pk))
    assert "definition" in event.changes and event.actor == world.me_a


@pytest.mark.parametrize("persona", ["partner_p", "assistant_a", "donor_a"])
def test_visible_logframe_cannot_be_changed_without_an_me_role(world, login, persona):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    result = indicator.result
    client = login(getattr(world, persona))
    posts = [
        (reverse("projects:result_create", args=[world.pa.pk]), {"level": "impact", "code": "9"}),
        (reverse("projects:result_edit", args=[result.pk]), {"level": "output", "code": "7"}),
        (reverse("projects:indicator_create", args=[world.pa.pk]), indicator_post(result)),
        (reverse("projects:indicator_edit", args=[indicator.pk]), indicator_post(result)),
    ]
    for url, data in posts:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**data, "title_fr": "X"}).status_code == 403, url
    result.refresh_from_db()
    assert result.code == "1.1"
    assert Result.objects.count() == 1 and Indicator.objects.count() == 1


def test_donor_reads_the_logframe_without_change_links(world, login):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    page = text(login(world.donor_a).get(_logframe(world)))
    assert "Indicator 1.1.1" in page
    assert reverse("reports:indicator_detail", args=[indicator.pk]) in page
    assert reverse("projects:indicator_edit", args=[indicator.pk]) not in page
    assert reverse("projects:result_create", args=[world.pa.pk]) not in page


def test_outsider_gets_404_on_logframe_rows(world, login):
    indicator = helpers.create_indicator(world.pa, code="1.1.1")
    client = login(world.outsider_b)
    for url in [
        reverse("projects:result_edit", args=[indicator.result.pk]),
        reverse("projects:indicator_edit", args=[indicator.pk]),
        reverse("projects:target_edit", args=[indicator.pk]),
    ]:
        assert client.get(url).status_code == 404

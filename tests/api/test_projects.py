"""Projects, logframes and indicators through the API, per persona."""

from decimal import Decimal

import pytest

from suivi.projects import services as project_services
from tests import helpers


@pytest.fixture
def logframe(world):
    """Outcome 1 > output 1.1 (with indicator 1.1.1 and a target for Q1) and output 1.2."""
    outcome = project_services.result_create(
        project=world.pa,
        by=None,
        data={"level": "outcome", "code": "1", "title_fr": "Effet 1", "title_en": "Outcome 1"},
    )
    output = project_services.result_create(
        project=world.pa,
        by=None,
        data={
            "level": "output",
            "code": "1.1",
            "title_fr": "Produit 1.1",
            "title_en": "Output 1.1",
            "parent": outcome,
        },
    )
    project_services.result_create(
        project=world.pa,
        by=None,
        data={
            "level": "output",
            "code": "1.2",
            "title_fr": "Produit 1.2",
            "title_en": "Output 1.2",
            "parent": outcome,
        },
    )
    indicator = helpers.create_indicator(
        world.pa,
        definition={"source": "attendance", "measure": "persons", "session_kinds": ["training"]},
        baseline=Decimal("12"),
    )
    q1 = world.pa.periods.get(kind="quarter", number=1)
    project_services.target_set(indicator=indicator, period=q1, value=Decimal(40), by=None)
    return {"outcome": outcome, "output": output, "indicator": indicator, "q1": q1}


@pytest.mark.parametrize(
    ("persona", "codes"),
    [
        ("manager_a", ["PA-EDU"]),
        ("partner_p", ["PA-EDU"]),
        ("donor_a", ["PA-EDU"]),
        ("outsider_b", ["PB-PROT"]),
    ],
)
def test_each_persona_lists_only_the_projects_in_their_scope(world, api, persona, codes):
    response = api(getattr(world, persona)).get("projects")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["items"]] == codes
    assert response.json()["count"] == len(codes)


def test_project_detail_gives_partners_donors_and_reporting_periods(world, api):
    body = api(world.donor_a).get(f"projects/{world.pa.pk}").json()
    assert body["code"] == "PA-EDU"
    assert {p["acronym"] for p in body["partners"]} == {"PP", "PQ"}
    assert [d["acronym"] for d in body["donors"]] == ["FD"]
    quarters = [p["label"] for p in body["periods"] if p["kind"] == "quarter"]
    assert quarters == ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"]


@pytest.mark.parametrize(("persona", "project"), [("outsider_b", "pa"), ("partner_p", "pb")])
def test_project_outside_scope_answers_404(world, api, persona, project):
    caller = api(getattr(world, persona))
    pk = getattr(world, project).pk
    for path in (f"projects/{pk}", f"projects/{pk}/logframe"):
        assert caller.get(path).status_code == 404, path


def test_logframe_is_the_results_tree_with_indicators_baselines_and_targets(world, api, logframe):
    response = api(world.donor_a).get(f"projects/{world.pa.pk}/logframe")

    assert response.status_code == 200
    (outcome,) = response.json()["results"]
    assert (outcome["code"], outcome["level"], outcome["title"]) == ("1", "outcome", "Outcome 1")
    assert [child["code"] for child in outcome["children"]] == ["1.1", "1.2"]
    (indicator,) = outcome["children"][0]["indicators"]
    assert indicator["code"] == "1.1.1"
    assert indicator["method"] == "computed"
    assert indicator["baseline"] == 12
    assert indicator["targets"] == [
        {"period_id": logframe["q1"].pk, "period": "Q1 2026", "value": 40}
    ]
    assert outcome["children"][1]["indicators"] == []


def test_indicators_are_listed_by_project_and_read_one_by_one(world, api, logframe):
    helpers.create_indicator(world.pb, code="9.9.9")
    caller = api(world.me_a)

    listing = caller.get("indicators", project=world.pa.pk).json()
    assert [i["code"] for i in listing["items"]] == ["1.1.1"]
    assert caller.get("indicators", project=world.pb.pk).json()["count"] == 0

    detail = caller.get(f"indicators/{logframe['indicator'].pk}").json()
    assert detail["project"]["code"] == "PA-EDU"
    assert detail["result_code"] == "1.1"
    assert detail["definition"]["session_kinds"] == ["training"]


def test_outsider_cannot_read_another_agencys_indicator(world, api, logframe):
    caller = api(world.outsider_b)
    assert caller.get(f"indicators/{logframe['indicator'].pk}").status_code == 404
    assert caller.get("indicators").json()["count"] == 0


def test_lists_are_paginated_with_limit_offset_and_count(world, api):
    for n in range(3):
        helpers.create_project(world.a, code=f"PA-X{n}")
    caller = api(world.manager_a)

    first = caller.get("projects", limit=2).json()
    second = caller.get("projects", limit=2, offset=2).json()

    assert (first["count"], first["limit"], first["offset"]) == (4, 2, 0)
    assert [p["code"] for p in first["items"]] == ["PA-EDU", "PA-X0"]
    assert [p["code"] for p in second["items"]] == ["PA-X1", "PA-X2"]
    assert caller.get("projects").json()["limit"] == 50


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset")],
)
def test_limit_above_500_or_negative_offset_is_refused_with_the_field(world, api, params, field):
    response = api(world.manager_a).get("projects", **params)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]


def test_projects_are_searched_by_code_and_title(world, api):
    helpers.create_project(world.a, code="PA-LIV")
    caller = api(world.manager_a)
    assert [p["code"] for p in caller.get("projects", q="liv").json()["items"]] == ["PA-LIV"]
    assert caller.get("projects", status="closed").json()["count"] == 0

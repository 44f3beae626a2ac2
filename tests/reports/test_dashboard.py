"""Dashboards: reach by sex, age and area, activity per month, indicators, the tile map."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import helpers
from tests.reports.conftest import text


def dashboard(project) -> str:
    return reverse("reports:project_dashboard", args=[project.pk])


@pytest.fixture
def placed(world):
    """Two more persons of PA-EDU placed in Gao (admin 2 under ML07) and in Mopti (admin 1)."""
    gao = helpers.create_area("ML07", "Gao")
    ansongo = helpers.create_area("ML0701", "Ansongo", level=2, parent=gao)
    mopti = helpers.create_area("ML05", "Mopti")
    helpers.create_person(world.pa, partner=world.p, area=ansongo, sex="M")
    helpers.create_person(world.pa, partner=world.p, area=ansongo)
    helpers.create_person(world.pa, partner=world.q, area=mopti, birth_date=None)
    return ansongo


def test_project_dashboard_counts_reach_by_sex_and_age(world, login, placed):
    response = login(world.me_a).get(dashboard(world.pa))

    assert response.status_code == 200
    board = response.context["board"]
    assert board.registered == 5  # the world's two persons of PA-EDU and the three above
    assert dict(board.by_sex) == {"Female": 3, "Male": 2}
    ages = dict(board.by_age)
    assert ages["Unknown"] == 1
    assert sum(ages.values()) == 5
    page = text(response)
    assert "<svg" in page and "Persons registered by sex" in page


def test_map_counts_reach_by_admin1_and_admin2(world, login, placed):
    board = login(world.me_a).get(dashboard(world.pa)).context["board"]

    admin1 = {a["code"]: a["value"] for a in board.by_admin1}
    assert admin1["ML07"] >= 2 and admin1["ML05"] == 1
    assert {a["code"]: a["value"] for a in board.by_admin2}["ML0701"] == 2
    country, chart = board.charts["maps"][0]
    assert country == "ML"
    assert "Ansongo (ML0701): 2" in str(board.charts["admin2"])
    assert "Mopti (ML05): 1" in chart


def test_sessions_and_distributions_are_counted_per_month(world, login, placed):
    helpers.create_session(world.pa, partner=world.p, date=datetime.date(2026, 3, 3))

    board = login(world.me_a).get(dashboard(world.pa)).context["board"]

    months = dict(zip(board.months, board.sessions, strict=True))
    assert months["02/26"] == 2 and months["03/26"] == 1
    assert dict(zip(board.months, board.distributions, strict=True))["02/26"] == 2


def test_donor_viewer_sees_the_aggregates_and_no_name(world, login, placed):
    response = login(world.donor_a).get(dashboard(world.pa))

    assert response.status_code == 200
    assert response.context["board"].registered == 5
    assert "Coulibaly" not in text(response).title()


def test_outsider_gets_404_for_the_project_dashboard(world, login):
    assert login(world.outsider_b).get(dashboard(world.pa)).status_code == 404


def test_portfolio_covers_only_the_visible_projects(world, login, placed):
    board = login(world.manager_a).get(reverse("reports:portfolio_dashboard")).context["board"]
    assert [p.code for p in board.projects] == ["PA-EDU"]
    assert board.registered == 5

    other = login(world.outsider_b).get(reverse("reports:portfolio_dashboard"))
    assert [p.code for p in other.context["board"].projects] == ["PB-PROT"]
    assert other.context["board"].registered == 1


def test_dashboard_queries_do_not_grow_with_the_registry(world, login, placed):
    client = login(world.me_a)
    client.get(dashboard(world.pa))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(dashboard(world.pa))
        return len(ctx)

    before = count()
    for _n in range(5):
        helpers.create_person(world.pa, partner=world.p, area=placed)
    assert count() == before

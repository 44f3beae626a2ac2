"""The home dashboard: this quarter's indicators of the user's active projects, and activity."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from suivi.projects import services as project_services
from tests import helpers
from tests.reports.conftest import attend, text


@pytest.fixture
def today_project(world):
    """A project of agency A running around today, with partner P, a donor and two indicators.

    Today's quarter: two persons attended a training, one received a kit; one more person is
    registered. Targets: 2 persons trained (100%), 2 kits (50%).
    """
    today = timezone.localdate()
    project = helpers.create_project(
        world.a,
        code="PA-NOW",
        partners=[world.p],
        start=today - datetime.timedelta(days=400),
        end=today + datetime.timedelta(days=400),
    )
    project.donors.add(world.donor)
    world.donor_a.memberships.get().projects.add(project)
    quarter = project.periods.get(start__lte=today, end__gte=today, kind="quarter")
    a, b, c = (helpers.create_person(project, partner=world.p, registered_on=today) for _ in "abc")
    attend(helpers.create_session(project, partner=world.p, date=today), a, b)
    helpers.create_distribution(project, a, partner=world.p, date=today)
    trained = helpers.create_indicator(project, "1.1.1", definition={"source": "attendance"})
    kits = helpers.create_indicator(
        project, "1.1.2", definition={"source": "distribution", "item_contains": "kit"}
    )
    for indicator, target in ((trained, 2), (kits, 2)):
        project_services.target_set(
            indicator=indicator, period=quarter, value=Decimal(target), by=world.me_a
        )
    return project, quarter, trained, kits


def card_of(response, project):
    return next(c for c in response.context["cards"] if c["project"] == project)


def test_me_officer_sees_this_quarters_figures_against_targets(world, login, today_project):
    project, quarter, trained, kits = today_project
    response = login(world.me_a).get("/")

    assert response.status_code == 200
    card = card_of(response, project)
    assert card["period"] == quarter
    assert (card["registered"], card["sessions"], card["distributions"]) == (3, 1, 1)
    rows = {r["indicator"]: r for r in card["rows"]}
    assert (rows[trained]["figures"].total, rows[trained]["percent"]) == (2, 100)
    assert rows[trained]["colour"] == "green"
    assert (rows[kits]["figures"].total, rows[kits]["percent"]) == (1, 50)
    assert rows[kits]["colour"] == "red"
    page = text(response)
    assert "status-green" in page and "status-red" in page
    assert "<svg" in page


def test_donor_sees_the_same_aggregates_and_no_names(world, login, today_project):
    project, _quarter, trained, _kits = today_project
    me_card = card_of(login(world.me_a).get("/"), project)
    response = login(world.donor_a).get("/")
    card = card_of(response, project)

    assert [(r["indicator"], r["figures"].total) for r in card["rows"]] == [
        (r["indicator"], r["figures"].total) for r in me_card["rows"]
    ]
    assert card["registered"] == me_card["registered"]
    assert "Traoré".upper() not in text(response) and "Aminata" not in text(response)


def test_outsider_sees_nothing_of_agency_a(world, login, today_project):
    response = login(world.outsider_b).get("/")
    codes = {c["project"].code for c in response.context["cards"]}
    assert codes == {"PB-PROT"}
    assert "PA-NOW" not in text(response)


def test_closed_projects_are_not_on_the_dashboard(world, login, today_project):
    project = today_project[0]
    project_services.project_update(project=project, by=world.manager_a, data={"status": "closed"})
    response = login(world.me_a).get("/")
    assert project not in [c["project"] for c in response.context["cards"]]


def test_queries_grow_by_one_computation_per_indicator_only(settings, world, login, today_project):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0  # every reading computes: count its queries
    project, _quarter, _trained, _kits = today_project
    client = login(world.me_a)
    client.get("/")  # warm the session and the user's scopes
    with CaptureQueriesContext(connection) as before:
        client.get("/")

    kinds = ["training", "awareness", "home_visit"]
    more = [
        helpers.create_indicator(
            project, f"1.2.{n}", definition={"source": "attendance", "session_kinds": [kind]}
        )
        for n, kind in enumerate(kinds)
    ]
    for _ in range(5):
        person = helpers.create_person(project, partner=world.p)
        helpers.create_distribution(project, person, partner=world.p)
    with CaptureQueriesContext(connection) as after:
        client.get("/")

    assert len(after) - len(before) == len(more)

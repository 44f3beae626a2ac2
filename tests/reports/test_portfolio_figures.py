"""Indicators of the same definition in many projects are computed together, one query grouped
by project, and each project's figures are those it has computed alone."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.accounts.models import OrganisationKind
from suivi.delivery.services import reach_counts_set
from suivi.reports import indicators
from tests import helpers
from tests.reports.conftest import Q1_DAY, Q2_DAY, attend, quarter

ALL = ["sex", "age_band", "population_group", "disability", "area"]
DEFINITIONS = {
    "1": {"source": "attendance", "measure": "persons"},
    "2": {"source": "attendance", "measure": "persons", "session_kinds": ["training"]},
    "3": {"source": "attendance", "measure": "persons", "min_count": 2},
    "4": {"source": "attendance", "measure": "rows", "person": {"sex": "F"}},
    "5": {"source": "distribution", "measure": "persons", "distribution_kinds": ["kit"]},
    "6": {"source": "distribution", "measure": "quantity"},
    "7": {"source": "distribution", "measure": "value", "distribution_kinds": ["cash"]},
    "8": {"source": "registration", "measure": "persons", "person": {"age_max": 17}},
    "9": {"source": "session"},
    "10": {"source": "reach"},
    "11": {"source": "distribution", "measure": "households"},
    "12": {"source": "ratio", "numerator": "1.1.2", "denominator": "1.1.1", "scale": 100},
}


@pytest.fixture
def portfolio(db):
    """Three projects of two agencies with the same twelve indicators (one cumulative), and
    different persons, sessions, distributions and reach in each."""
    gao = helpers.create_area("ML07", "Gao", 1)
    mopti = helpers.create_area("ML05", "Mopti", 1)
    a = helpers.create_organisation("Agence A", OrganisationKind.UN_AGENCY, "AGA")
    b = helpers.create_organisation("Agence B", OrganisationKind.UN_AGENCY, "AGB")
    projects = [
        helpers.create_project(a, code="PA-1"),
        helpers.create_project(a, code="PA-2"),
        helpers.create_project(b, code="PB-1"),
    ]
    for n, project in enumerate(projects):
        persons = [
            helpers.create_person(
                project,
                sex="FM"[k % 2],
                birth_date=datetime.date(1990 + 4 * k, 3, 1),
                population_group=["refugee", "host", "idp"][(k + n) % 3],
                has_disability=k % 3 == 0,
                area=[gao, mopti, None][(k + n) % 3],
            )
            for k in range(3 + 2 * n)
        ]
        training = helpers.create_session(project, date=Q1_DAY)
        talk = helpers.create_session(project, date=Q1_DAY, kind="awareness")
        later = helpers.create_session(project, date=Q2_DAY)
        attend(training, *persons[: 2 + n])
        attend(talk, *persons[1:])
        attend(later, *persons[::2])
        reach_counts_set(session=talk, counts={("F", "12-17"): 10 + n, ("M", "18-24"): 4}, by=None)
        for k, person in enumerate(persons):
            helpers.create_distribution(project, person, quantity=1 + k % 2)
        helpers.create_distribution(
            project,
            persons[0],
            kind="cash",
            item="Transfert",
            modality="mobile_money",
            value=25000 * (n + 1),
            currency="XOF",
        )
        for code, definition in DEFINITIONS.items():
            helpers.create_indicator(
                project,
                f"1.1.{code}",
                definition=definition,
                disaggregations=ALL,
                cumulative=code == "2",
            )
    return projects


def pairs_of(projects, number: int):
    return [
        (indicator, quarter(project, number))
        for project in projects
        for indicator in project.indicators.select_related("project").order_by("code")
    ]


@pytest.mark.parametrize("number", [1, 2])
@pytest.mark.parametrize("disaggregated", [True, False])
def test_portfolio_figures_equal_each_project_computed_alone(portfolio, number, disaggregated):
    pairs = pairs_of(portfolio, number)

    together = indicators.figures_many(pairs, disaggregated=disaggregated)

    for indicator, period in pairs:
        alone = indicators.compute(indicator, period, disaggregated=disaggregated)
        assert together[(indicator.pk, period.pk)].cells == alone, indicator.code
    first = portfolio[0]
    persons = together[(first.indicators.get(code="1.1.1").pk, quarter(first, number).pk)]
    assert persons.total == {1: 3, 2: 2}[number]  # everyone in Q1, persons 1 and 3 in Q2


def test_a_project_without_rows_in_the_portfolio_has_zero_not_another_projects_figures(
    portfolio,
):
    empty = helpers.create_project(portfolio[0].organisation, code="PA-VIDE")
    idle = helpers.create_indicator(empty, definition=DEFINITIONS["1"], disaggregations=ALL)
    pairs = [*pairs_of(portfolio, 1), (idle, quarter(empty, 1))]

    found = indicators.figures_many(pairs)

    assert found[(idle.pk, quarter(empty, 1).pk)].cells == {"": 0}


def test_the_portfolio_reads_attendance_once_per_definition_whatever_the_number_of_projects(
    settings, portfolio
):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0
    pairs = pairs_of(portfolio, 1)
    with CaptureQueriesContext(connection) as read:
        indicators.figures_many(pairs)

    attendance = [q for q in read.captured_queries if "delivery_attendance" in q["sql"]]
    # Four attendance definitions, each read once for the three projects.
    assert len(attendance) == 4


def test_portfolio_figures_are_kept_and_the_second_reading_computes_nothing(portfolio):
    pairs = pairs_of(portfolio, 1)
    first = indicators.figures_many(pairs)
    with CaptureQueriesContext(connection) as read:
        second = indicators.figures_many(pairs)

    assert {k: f.cells for k, f in first.items()} == {k: f.cells for k, f in second.items()}
    assert not [q for q in read.captured_queries if "delivery_" in q["sql"]]


def test_lives_of_project_of_the_portfolio_equal_each_computed_alone(settings, portfolio):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0
    listed = [i for p in portfolio for i in p.indicators.select_related("project")]
    with CaptureQueriesContext(connection) as read:
        lives = indicators.lives_of_project(listed)

    for indicator in listed:
        assert lives[indicator.pk].cells == indicators.life_of_project(indicator).cells
    attendance = [q for q in read.captured_queries if "delivery_attendance" in q["sql"]]
    assert len(attendance) == 4  # one per attendance definition, for the three projects


def test_data_stamps_look_up_each_project_once_and_shared_scopes_once(portfolio):
    scopes = [(p.organisation_id, p.pk) for p in portfolio]
    with CaptureQueriesContext(connection) as read:
        stamps = indicators.data_stamps(scopes * 2)

    # Three projects, two organisations, the shared reference data.
    assert len(read.captured_queries) == 3 + 2 + 1
    assert stamps == {scope: indicators.data_stamp(*scope) for scope in scopes}


@pytest.mark.parametrize("disaggregated", [True, False])
def test_every_period_of_the_portfolio_computed_together_equals_each_computed_alone(
    settings, portfolio, disaggregated
):
    settings.SUIVI_FIGURES_CACHE_SECONDS = 0
    pairs = [
        (indicator, period)
        for project in portfolio
        for indicator in project.indicators.select_related("project")
        for period in project.periods.all()
    ]

    with CaptureQueriesContext(connection) as read:
        together = indicators.figures_many(pairs, disaggregated=disaggregated)

    for indicator, period in pairs:
        alone = indicators.compute(indicator, period, disaggregated=disaggregated)
        assert together[(indicator.pk, period.pk)].cells == alone, (indicator.code, period)
    if not disaggregated:
        # Totals: the quarters of a definition are one query for the three projects, the year
        # another; the cumulative indicator has one per window (from the start to Q1, Q2...).
        attendance = [q for q in read.captured_queries if "delivery_attendance" in q["sql"]]
        assert len(attendance) == 3 * 2 + 4

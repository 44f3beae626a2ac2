"""The indicator engine: exact figures from small worlds built through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from suivi.accounts.models import OrganisationKind, Role
from suivi.delivery.services import reach_counts_set
from suivi.projects import services as project_services
from suivi.projects.models import IndicatorValue
from suivi.registry import services as registry_services
from suivi.reports import indicators, services
from tests import helpers
from tests.reports.conftest import Q1_DAY, Q2_DAY, attend, quarter, year_period

ATTENDED = {"source": "attendance", "measure": "persons"}
TRAINED = {**ATTENDED, "session_kinds": ["training"]}


def d(value) -> Decimal:
    return Decimal(value)


def figures_of(cells: dict) -> dict:
    """Cells with plain integers, for readable comparisons."""
    return {cell: int(value) for cell, value in cells.items()}


@pytest.fixture
def agency(db):
    return helpers.create_organisation("Agence E", OrganisationKind.UN_AGENCY, "AGE")


@pytest.fixture
def project(agency):
    return helpers.create_project(agency, code="E-2026")


@pytest.fixture
def me(agency, project):
    return helpers.create_user("me@e.test", agency, Role.ME_OFFICER)


def person(project, **data):
    return helpers.create_person(project, **data)


# --- Distinct persons ------------------------------------------------------------------------


def test_person_attending_many_sessions_is_counted_once(project):
    awa, moussa = person(project, sex="F"), person(project, sex="M")
    for day in (Q1_DAY, Q1_DAY + datetime.timedelta(days=7), Q1_DAY + datetime.timedelta(days=14)):
        attend(helpers.create_session(project, date=day), awa)
    attend(helpers.create_session(project, date=Q1_DAY), moussa)
    indicator = helpers.create_indicator(project, definition=ATTENDED, disaggregations=["sex"])

    cells = indicators.compute(indicator, quarter(project, 1))

    assert figures_of(cells) == {"": 2, "sex=F": 1, "sex=M": 1}


def test_min_count_two_counts_only_persons_trained_at_least_twice(project):
    t1, t2, t3 = (helpers.create_session(project, date=Q1_DAY) for _ in range(3))
    talk = helpers.create_session(project, date=Q1_DAY, kind="awareness")
    three, two, one_and_talk, talk_only = (person(project) for _ in range(4))
    attend(t1, three, two, one_and_talk)
    attend(t2, three, two)
    attend(t3, three)
    attend(talk, one_and_talk, talk_only)
    twice_trained = helpers.create_indicator(
        project, "1.1.1", definition={**TRAINED, "min_count": 2}
    )
    twice_anything = helpers.create_indicator(
        project, "1.1.2", definition={**ATTENDED, "min_count": 2}
    )

    q1 = quarter(project, 1)
    assert indicators.compute(twice_trained, q1) == {"": d(2)}
    assert set(indicators.qualifying_persons(twice_trained, q1)) == {three, two}
    assert indicators.compute(twice_anything, q1) == {"": d(3)}


def test_min_count_looks_within_the_period_unless_cumulative(project):
    spread = person(project)
    attend(helpers.create_session(project, date=Q1_DAY), spread)
    attend(helpers.create_session(project, date=Q2_DAY), spread)
    per_period = helpers.create_indicator(project, "1.1.1", definition={**TRAINED, "min_count": 2})
    cumulative = helpers.create_indicator(
        project, "1.1.2", definition={**TRAINED, "min_count": 2}, cumulative=True
    )

    assert indicators.compute(per_period, quarter(project, 2)) == {"": d(0)}
    assert indicators.compute(cumulative, quarter(project, 1)) == {"": d(0)}
    assert indicators.compute(cumulative, quarter(project, 2)) == {"": d(1)}
    assert indicators.compute(per_period, year_period(project)) == {"": d(1)}


def test_cumulative_counts_distinct_persons_since_project_start(project):
    a, b, c = person(project), person(project), person(project)
    attend(helpers.create_session(project, date=Q1_DAY), a, b)
    attend(helpers.create_session(project, date=Q2_DAY), b, c)
    per_period = helpers.create_indicator(project, "1.1.1", definition=TRAINED)
    cumulative = helpers.create_indicator(project, "1.1.2", definition=TRAINED, cumulative=True)

    assert indicators.compute(per_period, quarter(project, 1)) == {"": d(2)}
    assert indicators.compute(per_period, quarter(project, 2)) == {"": d(2)}
    assert indicators.compute(cumulative, quarter(project, 2)) == {"": d(3)}
    assert indicators.compute(cumulative, quarter(project, 3)) == {"": d(3)}
    assert indicators.compute(per_period, quarter(project, 3)) == {"": d(0)}


# --- Distributions ---------------------------------------------------------------------------


def test_distribution_item_kit_scolaire(agency, project):
    fanta, ibrahim, sali, later = (
        person(project, sex="F"),
        person(project, sex="M"),
        person(project, sex="F"),
        person(project, sex="F"),
    )
    registry_services.household_create(
        organisation=agency, by=None, data={"code": "MEN-1"}, members=[fanta]
    )
    other_household = registry_services.household_create(
        organisation=agency, by=None, data={"code": "MEN-2"}
    )
    helpers.create_distribution(project, fanta, item="Kit scolaire")
    helpers.create_distribution(project, fanta, item="Kit scolaire", date=Q1_DAY)
    helpers.create_distribution(project, ibrahim, item="KIT SCOLAIRE primaire", quantity=3)
    helpers.create_distribution(project, sali, item="Kit d'hygiène")
    helpers.create_distribution(project, later, item="Kit scolaire", date=Q2_DAY)
    helpers.create_distribution(project, None, household=other_household, item="Kit scolaire")
    kit = {"source": "distribution", "item_contains": "kit scolaire"}

    def make(code, measure, dims=()):
        return helpers.create_indicator(
            project, code, definition={**kit, "measure": measure}, disaggregations=dims
        )

    q1 = quarter(project, 1)
    assert figures_of(indicators.compute(make("1", "persons", ["sex"]), q1)) == {
        "": 2,
        "sex=F": 1,
        "sex=M": 1,
    }
    assert indicators.compute(make("2", "quantity"), q1) == {"": d(6)}
    assert figures_of(indicators.compute(make("3", "rows", ["sex"]), q1)) == {
        "": 4,
        "sex=F": 2,
        "sex=M": 1,
        "sex=unknown": 1,
    }
    assert indicators.compute(make("4", "households"), q1) == {"": d(2)}
    twice = helpers.create_indicator(
        project, "5", definition={**kit, "measure": "households", "min_count": 2}
    )
    assert indicators.compute(twice, q1) == {"": d(1)}


def test_distribution_value_adds_up_in_the_period(project):
    a = person(project)
    helpers.create_distribution(
        project,
        a,
        kind="cash",
        item="Transfert",
        value=Decimal("25000"),
        currency="XOF",
        modality="mobile_money",
    )
    helpers.create_distribution(
        project,
        a,
        kind="cash",
        item="Transfert",
        value=Decimal("15000.50"),
        currency="XOF",
        modality="mobile_money",
    )
    helpers.create_distribution(project, a, item="Kit scolaire")
    indicator = helpers.create_indicator(
        project,
        definition={"source": "distribution", "measure": "value", "distribution_kinds": ["cash"]},
    )
    assert indicators.compute(indicator, quarter(project, 1)) == {"": Decimal("40000.50")}


# --- Registration and reach ------------------------------------------------------------------


def test_registration_counts_per_period_and_cumulative(project):
    for _ in range(3):
        person(project, registered_on=datetime.date(2026, 1, 20))
    for _ in range(2):
        person(project, registered_on=datetime.date(2026, 4, 2))
    registered = {"source": "registration", "measure": "persons"}
    per_period = helpers.create_indicator(project, "1", definition=registered)
    cumulative = helpers.create_indicator(project, "2", definition=registered, cumulative=True)

    assert indicators.compute(per_period, quarter(project, 1)) == {"": d(3)}
    assert indicators.compute(per_period, quarter(project, 2)) == {"": d(2)}
    assert indicators.compute(cumulative, quarter(project, 2)) == {"": d(5)}
    assert indicators.compute(per_period, year_period(project)) == {"": d(5)}


def test_reach_sums_counted_people_by_sex_and_age(project):
    talk = helpers.create_session(project, kind="awareness")
    radio = helpers.create_session(project, kind="mass_campaign", date=Q1_DAY)
    training = helpers.create_session(project, kind="training")
    reach_counts_set(session=talk, counts={("F", "12-17"): 10, ("M", "12-17"): 5}, by=None)
    reach_counts_set(session=radio, counts={("F", "18-24"): 7, ("F", "12-17"): 1}, by=None)
    reach_counts_set(session=training, counts={("F", "18-24"): 100}, by=None)
    indicator = helpers.create_indicator(
        project,
        definition={"source": "reach", "session_kinds": ["awareness", "mass_campaign"]},
        disaggregations=["sex", "age_band", "population_group"],
    )
    women = helpers.create_indicator(
        project,
        "1.1.2",
        definition={"source": "reach", "person": {"sex": "F"}},
    )

    q1 = quarter(project, 1)
    assert figures_of(indicators.compute(indicator, q1)) == {
        "": 23,
        "sex=F": 18,
        "sex=M": 5,
        "age_band=12-17": 16,
        "age_band=18-24": 7,
        "sex=F|age_band=12-17": 11,
        "sex=F|age_band=18-24": 7,
        "sex=M|age_band=12-17": 5,
    }
    assert indicators.compute(women, q1) == {"": d(118)}
    assert indicators.compute(indicator, quarter(project, 2)) == {"": d(0)}


# --- Person filters and disaggregation -------------------------------------------------------


def test_person_filters_women_aged_15_to_24_on_the_last_day_of_the_period(project):
    # Q1 ends on 31 March 2026; Q2 on 30 June 2026.
    turns_15_on_last_day = person(project, birth_date=datetime.date(2011, 3, 31))
    turns_15_next_day = person(project, birth_date=datetime.date(2011, 4, 1))
    still_24 = person(project, birth_date=datetime.date(2001, 4, 1))
    already_25 = person(project, birth_date=datetime.date(2001, 3, 31))
    young_man = person(project, sex="M", birth_date=datetime.date(2006, 1, 1))
    no_birth_date = person(project, birth_date=None)
    everyone = [turns_15_on_last_day, turns_15_next_day, still_24, already_25]
    attend(helpers.create_session(project), *everyone, young_man, no_birth_date)
    young_women = {**TRAINED, "person": {"sex": "F", "age_min": 15, "age_max": 24}}
    per_period = helpers.create_indicator(project, "1", definition=young_women)
    cumulative = helpers.create_indicator(project, "2", definition=young_women, cumulative=True)

    q1, q2 = quarter(project, 1), quarter(project, 2)
    assert indicators.compute(per_period, q1) == {"": d(2)}
    assert set(indicators.qualifying_persons(per_period, q1)) == {turns_15_on_last_day, still_24}
    # Three months later the same attendance counts other persons: ages move on.
    assert indicators.compute(cumulative, q2) == {"": d(2)}
    assert set(indicators.qualifying_persons(cumulative, q2)) == {
        turns_15_on_last_day,
        turns_15_next_day,
    }


def test_disaggregated_cells_count_distinct_persons_with_exact_margins(project):
    gao = helpers.create_area("ML07", "Gao")
    gao_cercle = helpers.create_area("ML0701", "Gao cercle", level=2, parent=gao)
    tombouctou = helpers.create_area("ML06", "Tombouctou")
    mali = gao.parent  # country level: no admin 1 area
    girl = person(
        project,
        birth_date=datetime.date(2012, 6, 1),
        population_group="refugee",
        wg_walking="a_lot",
        area=gao_cercle,
    )
    woman = person(
        project, birth_date=datetime.date(2000, 1, 1), population_group="host", area=tombouctou
    )
    boy = person(project, sex="M", birth_date=datetime.date(2012, 1, 1), population_group="refugee")
    man = person(project, sex="M", birth_date=None, population_group="idp", area=mali)
    person(project, area=gao)  # registered, never attends
    sessions = [helpers.create_session(project, date=Q1_DAY) for _ in range(3)]
    attend(sessions[0], girl, woman, boy, man)
    attend(sessions[1], girl, woman)
    attend(sessions[2], girl)
    indicator = helpers.create_indicator(
        project,
        definition=TRAINED,
        disaggregations=["area", "disability", "population_group", "age_band", "sex"],
    )

    q1 = quarter(project, 1)
    cells = figures_of(indicators.compute(indicator, q1))

    assert cells == {
        "": 4,
        "sex=F": 2,
        "sex=M": 2,
        "age_band=12-17": 2,
        "age_band=25-59": 1,
        "age_band=unknown": 1,
        "population_group=refugee": 2,
        "population_group=host": 1,
        "population_group=idp": 1,
        "disability=yes": 1,
        "disability=no": 3,
        "area=ML07": 1,
        "area=ML06": 1,
        "area=unknown": 2,
        "sex=F|age_band=12-17|population_group=refugee|disability=yes|area=ML07": 1,
        "sex=F|age_band=25-59|population_group=host|disability=no|area=ML06": 1,
        "sex=M|age_band=12-17|population_group=refugee|disability=no|area=unknown": 1,
        "sex=M|age_band=unknown|population_group=idp|disability=no|area=unknown": 1,
    }
    # The persons behind each figure are exactly as many as the figure says.
    for cell, value in cells.items():
        assert indicators.qualifying_persons(indicator, q1, cell).count() == value, cell
    rows = helpers.create_indicator(
        project, "1.1.9", definition={**TRAINED, "measure": "rows"}, disaggregations=["sex"]
    )
    assert figures_of(indicators.compute(rows, q1)) == {"": 7, "sex=F": 5, "sex=M": 2}


def test_a_malformed_cell_is_refused_with_its_reason(project):
    indicator = helpers.create_indicator(project, definition=TRAINED)
    with pytest.raises(ValueError, match="colour=blue"):
        indicators.qualifying_persons(indicator, quarter(project, 1), "colour=blue")


def test_figures_can_be_computed_without_disaggregation(project):
    attend(helpers.create_session(project), person(project), person(project, sex="M"))
    indicator = helpers.create_indicator(project, definition=TRAINED, disaggregations=["sex"])
    assert indicators.compute(indicator, quarter(project, 1), disaggregated=False) == {"": d(2)}


# --- Stored and live figures -----------------------------------------------------------------


def test_locked_period_keeps_its_stored_value_while_the_data_changes(project, me):
    a, b = person(project), person(project)
    attend(helpers.create_session(project), a, b)
    women = helpers.create_indicator(project, definition={**TRAINED, "person": {"sex": "F"}})
    q1 = quarter(project, 1)
    services.values_transition(indicator=women, period=q1, status="validated", by=me)
    project_services.period_lock(period=q1, by=me)

    # A correction of the register changes what the data says about the locked quarter.
    registry_services.person_update(person=b, by=me, data={"sex": "M"})
    assert indicators.compute(women, q1) == {"": d(1)}

    q1.refresh_from_db()
    locked = indicators.figures(women, q1)
    assert locked.total == d(2)
    assert (locked.live, locked.status) == (False, "validated")
    with pytest.raises(ValidationError):
        services.indicator_compute(indicator=women, period=q1, by=me)
    stored = IndicatorValue.objects.get(indicator=women, period=q1, cell="")
    assert (stored.value, stored.status) == (d(2), "validated")


def test_open_period_figures_are_live_and_say_when_stored_values_are_behind(project, me):
    a, b = person(project), person(project)
    session = helpers.create_session(project)
    attend(session, a)
    indicator = helpers.create_indicator(project, definition=TRAINED, disaggregations=["sex"])
    q1 = quarter(project, 1)
    assert indicators.figures(indicator, q1) == indicators.Figures(
        {"": d(1), "sex=F": d(1)}, live=True, status=None
    )

    services.values_transition(indicator=indicator, period=q1, status="validated", by=me)
    current = indicators.figures(indicator, q1)
    assert (current.total, current.status, current.stale) == (d(1), "validated", False)

    attend(session, b)
    changed = indicators.figures(indicator, q1)
    assert (changed.total, changed.live, changed.stale) == (d(2), True, True)

    services.indicator_compute(indicator=indicator, period=q1, by=me)
    stored = indicators.figures(indicator, q1)
    assert (stored.total, stored.status, stored.stale) == (d(2), "draft", False)


def test_manual_indicator_figures_are_its_stored_values(project, me):
    manual = helpers.create_indicator(project, code="2.1")
    q1 = quarter(project, 1)
    assert indicators.figures(manual, q1) == indicators.Figures({}, live=False, status=None)
    project_services.indicator_value_set(indicator=manual, period=q1, value=Decimal("42"), by=me)
    services.values_transition(indicator=manual, period=q1, status="submitted", by=me)

    assert indicators.figures(manual, q1).total == d(42)
    assert indicators.figures(manual, q1).status == "submitted"


def test_achievement_colours_follow_the_thresholds():
    assert indicators.achievement(d(45), d(50)) == d(90)
    assert indicators.achievement_status(d(90)) == "green"
    assert indicators.achievement_status(Decimal("89.9")) == "amber"
    assert indicators.achievement_status(d(60)) == "amber"
    assert indicators.achievement_status(Decimal("59.99")) == "red"
    assert indicators.achievement(d(5), d(0)) is None
    assert indicators.achievement_status(None) is None

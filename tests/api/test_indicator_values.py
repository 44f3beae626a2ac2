"""The figures of an indicator through the API: live while the period is open, stored once locked,
and the whole path from registering a person to the indicator moving."""

import datetime
from decimal import Decimal

import pytest

from suivi.delivery import services as delivery_services
from suivi.projects import services as project_services
from suivi.reports import indicators
from suivi.reports import services as report_services
from tests import helpers
from tests.api.bodies import today

TRAINED = {"source": "attendance", "measure": "persons", "session_kinds": ["training"]}


def _values(caller, indicator, period):
    return caller.get(f"indicators/{indicator.pk}/values", period=period.pk)


def test_assistant_registers_a_person_records_attendance_and_the_quarter_value_rises(world, api):
    """The whole chain through the API, dated today, read in the current quarter."""
    day = today()
    project = helpers.create_project(
        world.a,
        code="PA-NOW",
        partners=[world.p],
        start=datetime.date(day.year, 1, 1),
        end=datetime.date(day.year, 12, 31),
    )
    indicator = helpers.create_indicator(project, definition=TRAINED, disaggregations=["sex"])
    quarter = project.periods.get(kind="quarter", start__lte=day, end__gte=day)
    project_services.target_set(indicator=indicator, period=quarter, value=Decimal(30), by=None)
    caller = api(world.assistant_a)

    before = _values(caller, indicator, quarter).json()

    registered = caller.post(
        "persons",
        {
            "project": project.pk,
            "partner": world.p.pk,
            "family_name": "Maïga",
            "given_name": "Fatoumata",
            "sex": "F",
            "birth_date": "2011-03-14",
            "population_group": "refugee",
        },
    )
    assert registered.status_code == 201, registered.json()
    session = caller.post(
        "sessions",
        {
            "project": project.pk,
            "partner": world.p.pk,
            "kind": "training",
            "title": "Formation des enseignants",
            "date": day.isoformat(),
        },
    )
    assert session.status_code == 201, session.json()
    attendance = caller.post(
        f"sessions/{session.json()['id']}/attendance", {"persons": [registered.json()["id"]]}
    )
    assert attendance.json() == {"added": 1, "present": 1}

    after = _values(caller, indicator, quarter).json()

    assert before["total"] == 0
    assert after["total"] == before["total"] + 1
    assert after["cells"]["sex=F"] == 1
    assert after["live"] is True
    assert after["target"] == 30
    assert after["period"]["id"] == quarter.pk
    assert after["cells"] == {
        k: float(v) for k, v in indicators.compute(indicator, quarter).items()
    }


def test_locked_period_gives_the_stored_values_and_an_open_one_the_live_values(world, api):
    indicator = helpers.create_indicator(world.pa, definition=TRAINED)
    q1 = world.pa.periods.get(kind="quarter", number=1)
    report_services.indicator_compute(indicator=indicator, period=q1, by=None)  # stores 0
    delivery_services.attendance_record(session=world.session_p, persons=[world.person_p], by=None)
    caller = api(world.me_a)
    live = _values(caller, indicator, q1).json()
    assert (live["live"], live["total"], live["stale"]) == (True, 1, True)

    project_services.period_lock(period=q1, by=world.me_a)
    locked = _values(caller, indicator, q1).json()

    assert (locked["live"], locked["total"], locked["status"]) == (False, 0, "draft")
    assert locked["period"]["locked"] is True
    assert locked["computed_at"] is not None


def test_manual_indicator_gives_the_value_entered_by_hand(world, api):
    indicator = helpers.create_indicator(world.pa, code="2.1.1")
    q2 = world.pa.periods.get(kind="quarter", number=2)
    project_services.indicator_value_set(
        indicator=indicator, period=q2, value=Decimal("7.5"), by=world.me_a
    )
    body = _values(api(world.donor_a), indicator, q2).json()
    assert (body["live"], body["total"], body["cells"]) == (False, 7.5, {"": 7.5})


def test_period_of_another_project_is_refused_on_the_period_field(world, api):
    indicator = helpers.create_indicator(world.pa, definition=TRAINED)
    other = world.pb.periods.first()
    response = _values(api(world.manager_a), indicator, other)
    assert response.status_code == 422
    assert "not a period of this indicator's project" in response.json()["errors"]["period"][0]


def test_missing_period_is_refused_with_the_field(world, api):
    indicator = helpers.create_indicator(world.pa, definition=TRAINED)
    response = api(world.manager_a).get(f"indicators/{indicator.pk}/values")
    assert response.status_code == 422
    assert response.json()["errors"] == {"period": ["This field is required."]}


@pytest.mark.parametrize(
    ("persona", "status"), [("donor_a", 200), ("partner_p", 200), ("outsider_b", 404)]
)
def test_figures_are_read_by_whoever_sees_the_indicator(world, api, persona, status):
    indicator = helpers.create_indicator(world.pa, definition=TRAINED)
    q1 = world.pa.periods.get(kind="quarter", number=1)
    assert _values(api(getattr(world, persona)), indicator, q1).status_code == status

"""Sessions and attendance through the API: scope, recording, refusals, locked periods."""

import datetime

import pytest

from suivi.audit.models import AuditEvent
from suivi.delivery import services as delivery_services
from suivi.delivery.models import Attendance, Session
from suivi.projects import services as project_services
from tests import helpers
from tests.api.bodies import counts, session_body

# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "titles"),
    [
        ("manager_a", {"Formation P", "Formation Q"}),
        ("partner_p", {"Formation P"}),
        ("donor_a", set()),
        ("outsider_b", {"Sensibilisation B"}),
    ],
)
def test_each_persona_lists_only_the_sessions_in_their_scope(world, api, persona, titles):
    response = api(getattr(world, persona)).get("sessions")
    assert response.status_code == 200
    assert {s["title"] for s in response.json()["items"]} == titles


@pytest.mark.parametrize(
    ("persona", "hidden"),
    [("partner_p", "session_q"), ("donor_a", "session_p"), ("outsider_b", "session_p")],
)
def test_session_outside_scope_answers_404_everywhere(world, api, persona, hidden):
    caller = api(getattr(world, persona))
    pk = getattr(world, hidden).pk
    assert caller.get(f"sessions/{pk}").status_code == 404
    assert caller.get(f"sessions/{pk}/attendance").status_code == 404
    before = counts()
    response = caller.post(f"sessions/{pk}/attendance", {"persons": [world.person_p.pk]})
    assert response.status_code == 404
    assert caller.delete(f"sessions/{pk}/attendance/{world.person_p.pk}").status_code == 404
    assert counts() == before


def test_sessions_are_filtered_by_kind_dates_and_title(world, api):
    helpers.create_session(
        world.pa, title="Causerie", kind="awareness", date=datetime.date(2026, 5, 1)
    )
    caller = api(world.manager_a)
    assert [s["title"] for s in caller.get("sessions", kind="awareness").json()["items"]] == [
        "Causerie"
    ]
    assert caller.get("sessions", date_from="2026-04-01").json()["count"] == 1
    assert caller.get("sessions", date_to="2026-04-01").json()["count"] == 2
    assert caller.get("sessions", q="formation p").json()["count"] == 1
    assert caller.get("sessions", partner=world.q.pk).json()["items"][0]["title"] == "Formation Q"


# --- Recording sessions ------------------------------------------------------------------------


def test_assistant_records_a_session(world, api):
    response = api(world.assistant_a).post("sessions", session_body(world.pa, world.p))
    assert response.status_code == 201
    body = response.json()
    session = Session.objects.get(pk=body["id"])
    assert (session.project, session.partner, session.kind) == (world.pa, world.p, "training")
    assert body["attendance_count"] == 0
    assert AuditEvent.objects.filter(
        action="session.record", target_id=str(session.pk), actor=world.assistant_a
    ).exists()


def test_session_with_a_site_within_its_area_and_a_work_plan_activity(world, api):
    gao = helpers.create_area("ML07", "Gao")
    school = helpers.create_site(area=gao)
    activity = project_services.planned_activity_create(
        project=world.pa,
        by=None,
        data={
            "title_fr": "Formations",
            "start_date": world.pa.start_date,
            "end_date": world.pa.end_date,
        },
    )
    body = session_body(world.pa, area=gao.pk, site=school.pk, planned_activity=activity.pk)
    response = api(world.assistant_a).post("sessions", body)
    assert response.status_code == 201
    assert response.json()["site"]["name"] == "École de Gao"
    assert response.json()["planned_activity_id"] == activity.pk


def test_site_outside_the_area_is_refused_on_the_site_field(world, api):
    gao = helpers.create_area("ML07", "Gao")
    kidal = helpers.create_area("ML08", "Kidal")
    school = helpers.create_site(area=kidal)
    before = counts()
    response = api(world.assistant_a).post(
        "sessions", session_body(world.pa, area=gao.pk, site=school.pk)
    )
    assert response.status_code == 422
    assert "not within the area" in response.json()["errors"]["site"][0]
    assert counts() == before


def test_focal_point_records_for_their_own_partner_and_not_for_another(world, api):
    caller = api(world.partner_p)
    own = caller.post("sessions", session_body(world.pa))
    assert own.status_code == 201
    assert own.json()["partner"]["acronym"] == "PP"

    before = counts()
    other = caller.post("sessions", session_body(world.pa, world.q))
    assert other.status_code == 403
    assert counts() == before


def test_donor_viewer_cannot_record_a_session(world, api):
    caller = api(world.donor_a)
    before = counts()
    assert caller.post("sessions", session_body(world.pa)).status_code == 403
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "party"}, "kind", "Choose one of"),
        ({"title": ""}, "title", "This field cannot be empty."),
        ({"title": "x" * 256}, "title", "Use at most 255 characters."),
        ({"date": "2026-02-30"}, "date", "Enter a date as YYYY-MM-DD"),
        ({"date": None}, "date", "Enter a date as YYYY-MM-DD"),
        ({"area": 999999}, "area", "No area with id 999999"),
        ({"planned_activity": 999999}, "planned_activity", "No activity with id 999999"),
        ({"project": 999999}, "project", "No project with id 999999 is visible to you"),
    ],
)
def test_bad_session_input_names_the_field_and_writes_nothing(world, api, changes, field, message):
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post("sessions", {**session_body(world.pa), **changes})
    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"][field]), response.json()
    assert counts() == before


def test_session_in_a_locked_period_is_refused_with_409_and_writes_nothing(world, api):
    project_services.period_lock(period=world.pa.periods.get(kind="quarter", number=1), by=None)
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post("sessions", session_body(world.pa, date="2026-03-02"))
    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert counts() == before


# --- Attendance --------------------------------------------------------------------------------


def test_attendance_is_recorded_once_listed_and_removed(world, api):
    caller = api(world.assistant_a)
    url = f"sessions/{world.session_p.pk}/attendance"

    first = caller.post(url, {"persons": [world.person_p.pk, world.person_q.pk]})
    again = caller.post(url, {"persons": [world.person_p.pk]})

    assert first.json() == {"added": 2, "present": 2}
    assert again.json() == {"added": 0, "present": 2}
    listing = caller.get(url).json()
    assert [a["person"]["family_name"] for a in listing["items"]] == ["Coulibaly", "Diallo"]
    assert caller.get(f"sessions/{world.session_p.pk}").json()["attendance_count"] == 2

    removed = caller.delete(f"{url}/{world.person_q.pk}")

    assert removed.status_code == 204
    assert list(world.session_p.attendances.values_list("person_id", flat=True)) == [
        world.person_p.pk
    ]
    assert AuditEvent.objects.filter(action="attendance.remove", actor=world.assistant_a).exists()


def test_attendee_the_focal_point_may_not_see_is_listed_without_a_name(world, api):
    delivery_services.attendance_record(
        session=world.session_p, persons=[world.person_p, world.person_q], by=None
    )
    listing = api(world.partner_p).get(f"sessions/{world.session_p.pk}/attendance").json()
    assert listing["count"] == 2
    names = [a["person"] and a["person"]["family_name"] for a in listing["items"]]
    assert sorted(names, key=str) == ["Coulibaly", None]
    assert "Diallo" not in str(listing)


def test_unregistered_person_is_refused_and_nobody_is_marked_present(world, api):
    stranger = helpers.create_person(helpers.create_project(world.a, code="PA-LIV"))
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post(
        f"sessions/{world.session_p.pk}/attendance", {"persons": [world.person_p.pk, stranger.pk]}
    )
    assert response.status_code == 422
    assert "Register them first" in response.json()["errors"]["persons"][0]
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"persons": []}, "Give at least 1 item(s)."),
        ({"persons": "12"}, "Give a list"),
        ({"persons": ["abc"]}, "Enter a whole number."),
        ({}, "This field is required."),
    ],
)
def test_bad_attendance_input_names_the_persons_field(world, api, body, message):
    caller = api(world.assistant_a)
    response = caller.post(f"sessions/{world.session_p.pk}/attendance", body)
    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"]["persons"])
    assert not Attendance.objects.exists()


def test_focal_point_cannot_mark_another_partners_person_present(world, api):
    caller = api(world.partner_p)
    response = caller.post(
        f"sessions/{world.session_p.pk}/attendance", {"persons": [world.person_q.pk]}
    )
    assert response.status_code == 422
    assert str(world.person_q.pk) in response.json()["errors"]["persons"][0]
    assert not Attendance.objects.exists()


def test_removing_a_person_who_is_not_present_answers_404(world, api):
    response = api(world.assistant_a).delete(
        f"sessions/{world.session_p.pk}/attendance/{world.person_p.pk}"
    )
    assert response.status_code == 404
    assert "not marked present" in response.json()["detail"]


def test_attendance_in_a_locked_period_cannot_be_added_or_removed(world, api):
    delivery_services.attendance_record(session=world.session_p, persons=[world.person_p], by=None)
    project_services.period_lock(period=world.pa.periods.get(kind="quarter", number=1), by=None)
    caller = api(world.assistant_a)
    url = f"sessions/{world.session_p.pk}/attendance"
    before = counts()

    added = caller.post(url, {"persons": [world.person_q.pk]})
    removed = caller.delete(f"{url}/{world.person_p.pk}")

    assert (added.status_code, removed.status_code) == (409, 409)
    assert "locked" in added.json()["detail"]
    assert counts() == before

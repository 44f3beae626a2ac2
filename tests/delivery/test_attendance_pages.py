"""Attendance: search registered persons, mark them present, remove them, and what is refused."""

from __future__ import annotations

from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.delivery.models import Attendance
from tests import helpers
from tests.delivery.pages import session_post, text


def _urls(session):
    return (
        reverse("delivery:attendance_candidates", args=[session.pk]),
        reverse("delivery:attendance_add", args=[session.pk]),
        reverse("delivery:session_detail", args=[session.pk]),
    )


def test_assistant_records_a_session_and_marks_two_searched_persons_present(world, login, keitas):
    mariam, oumar = keitas
    client = login(world.assistant_a)
    client.post(reverse("delivery:session_create"), session_post(world.pa, world.p))
    session = world.pa.sessions.get(title="Formation des enseignants de Sénou")
    candidates, add, detail = _urls(session)

    page = text(client.get(candidates, {"q": "keita"}))
    assert "KEÏTA Mariam" in page and "KEITA Oumar" in page
    assert f'name="persons" value="{mariam.pk}"' in page
    assert "COULIBALY" not in page
    response = client.post(add, {"persons": [mariam.pk, oumar.pk], "q": "keita"})

    assert response.status_code == 302
    assert response["Location"] == detail
    assert set(session.attendances.values_list("person_id", flat=True)) == {mariam.pk, oumar.pk}
    event = AuditEvent.objects.get(action="attendance.record", actor=world.assistant_a)
    assert sorted(event.changes["persons_added"]) == sorted([mariam.pk, oumar.pk])
    page = text(client.get(detail))
    # Name, sex and age band on the session's date (20/02/2026).
    assert "KEÏTA Mariam" in page and "Female" in page and "12-17" in page
    assert "KEITA Oumar" in page and "Male" in page and "25-59" in page
    assert "2 persons present" in page


def test_marking_present_twice_changes_nothing(world, login, keitas):
    mariam, oumar = keitas
    client = login(world.assistant_a)
    candidates, add, detail = _urls(world.session_p)
    client.post(add, {"persons": [mariam.pk, oumar.pk]})
    events = AuditEvent.objects.filter(action="attendance.record").count()

    response = client.post(add, {"persons": [mariam.pk, oumar.pk]}, follow=True)

    assert response.status_code == 200
    assert "These persons were already marked present." in text(response)
    assert Attendance.objects.filter(session=world.session_p).count() == 2
    assert AuditEvent.objects.filter(action="attendance.record").count() == events
    page = text(client.get(candidates, {"q": "keita"}))
    assert "Present" in page and f'name="persons" value="{mariam.pk}"' not in page


def test_person_not_registered_in_the_project_is_refused_with_the_message(world, login, keitas):
    mariam, _oumar = keitas
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])
    stranger = helpers.create_person(other, partner=world.p, family_name="Sidibé", given_name="Ali")
    client = login(world.assistant_a)
    candidates, add, _detail = _urls(world.session_p)
    assert "Sidibé" not in text(client.get(candidates, {"q": "sidibe"}))

    response = client.post(add, {"persons": [mariam.pk, stranger.pk], "q": "sidibe"})

    assert response.status_code == 200
    assert "Not registered in project PA-EDU: Ali SIDIBÉ. Register them first." in text(response)
    assert not Attendance.objects.filter(session=world.session_p).exists()


def test_empty_or_unknown_choice_is_refused_with_a_message(world, login):
    client = login(world.assistant_a)
    _candidates, add, _detail = _urls(world.session_p)
    assert "Check at least one person to mark present." in text(client.post(add, {}))
    page = text(client.post(add, {"persons": ["abc", "999999"]}))
    assert "Choose the persons from the search results." in page
    assert not Attendance.objects.exists()


def test_candidates_fragment_for_htmx_and_page_without_javascript(world, login, keitas):
    client = login(world.assistant_a)
    candidates, add, _detail = _urls(world.session_p)

    fragment = text(client.get(candidates, {"q": "keita"}, HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert "KEÏTA Mariam" in fragment and "KEITA Oumar" in fragment

    page = text(client.get(candidates, {"q": "keita"}))
    assert "<html" in page and f'action="{add}"' in page and 'value="keita"' in page
    assert 'name="persons"' not in text(client.get(candidates))  # nothing without a search


def test_detail_page_shows_the_add_form_to_those_who_may_enter_data(world, login):
    candidates, add, detail = _urls(world.session_p)
    page = text(login(world.assistant_a).get(detail))
    assert f'action="{add}"' in page and f'hx-get="{candidates}"' in page


def test_attendee_is_removed_with_an_audit_event(world, login, keitas):
    mariam, oumar = keitas
    client = login(world.assistant_a)
    _candidates, add, detail = _urls(world.session_p)
    client.post(add, {"persons": [mariam.pk, oumar.pk]})

    url = reverse("delivery:attendance_remove", args=[world.session_p.pk, mariam.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    assert list(world.session_p.attendances.values_list("person_id", flat=True)) == [oumar.pk]
    assert AuditEvent.objects.filter(action="attendance.remove", actor=world.assistant_a).exists()
    assert client.get(add).status_code == 405
    assert client.post(url).status_code == 404  # no longer present: nothing to remove


def test_attendance_in_a_locked_period_is_refused_and_nothing_written(
    world, login, keitas, lock_first_quarter
):
    mariam, oumar = keitas
    client = login(world.assistant_a)
    _candidates, add, detail = _urls(world.session_p)
    client.post(add, {"persons": [mariam.pk]})
    lock_first_quarter()

    response = client.post(add, {"persons": [oumar.pk]})
    assert response.status_code == 200
    assert "The reporting period containing 10/02/2026 is locked" in text(response)

    url = reverse("delivery:attendance_remove", args=[world.session_p.pk, mariam.pk])
    response = client.post(url, follow=True)
    assert "The reporting period containing 10/02/2026 is locked" in text(response)

    assert list(world.session_p.attendances.values_list("person_id", flat=True)) == [mariam.pk]
    page = text(client.get(detail))
    assert "This record is dated in a locked reporting period" in page
    assert f'action="{add}"' not in page


def test_focal_point_marks_only_persons_they_see(world, login, keitas):
    mariam, _oumar = keitas
    client = login(world.partner_p)
    candidates, add, _detail = _urls(world.session_p)
    page = text(client.get(candidates, {"q": "diallo"}))
    assert "DIALLO" not in page

    response = client.post(add, {"persons": [mariam.pk, world.person_q.pk]})

    assert response.status_code == 200
    assert "Choose the persons from the search results." in text(response)
    assert not Attendance.objects.exists()
    assert client.post(add, {"persons": [mariam.pk]}).status_code == 302
    response = client.post(
        reverse("delivery:attendance_add", args=[world.session_q.pk]), {"persons": [mariam.pk]}
    )
    assert response.status_code == 404
    assert Attendance.objects.count() == 1


def test_attendees_the_user_cannot_see_are_counted_not_named(world, login, keitas):
    client = login(world.assistant_a)
    _candidates, add, detail = _urls(world.session_p)
    client.post(add, {"persons": [keitas[0].pk, world.person_q.pk]})

    page = text(login(world.partner_p).get(detail))

    assert "KEÏTA Mariam" in page and "DIALLO" not in page
    assert "1 other person present is registered in work you do not see." in page

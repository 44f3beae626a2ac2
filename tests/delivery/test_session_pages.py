"""Session pages: record, edit, list with search and filters, and who sees and changes what."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.delivery import services
from suivi.delivery.models import Session
from suivi.projects import services as project_services
from tests import helpers
from tests.delivery.pages import session_post, text

CREATE = reverse("delivery:session_create")
LIST = reverse("delivery:session_list")


def _detail(session):
    return reverse("delivery:session_detail", args=[session.pk])


def _activity(project, partner=None, title="Formation des enseignants"):
    return project_services.planned_activity_create(
        project=project,
        by=None,
        data={
            "title_fr": title,
            "start_date": project.start_date,
            "end_date": project.end_date,
            "partner": partner,
        },
    )


def test_assistant_records_a_training_session(world, login):
    activity = _activity(world.pa, partner=world.p)
    gao = helpers.create_area("ML07", "Gao")
    school = helpers.create_site("École de Sénou", area=gao)
    client = login(world.assistant_a)
    assert client.get(CREATE).status_code == 200

    response = client.post(
        CREATE,
        session_post(
            world.pa,
            world.p,
            planned_activity=activity.pk,
            area=gao.pk,
            site=school.pk,
            title="  Formation   des enseignants de Sénou ",
        ),
    )

    session = Session.objects.get(title="Formation des enseignants de Sénou")
    assert response.status_code == 302
    assert response["Location"] == _detail(session)
    assert (session.project, session.partner, session.organisation) == (world.pa, world.p, world.a)
    assert (session.planned_activity, session.area, session.site) == (activity, gao, school)
    assert session.date == datetime.date(2026, 2, 20)
    assert session.created_by == world.assistant_a
    assert AuditEvent.objects.filter(action="session.record", actor=world.assistant_a).exists()
    page = text(client.get(_detail(session)))
    assert "Formation des enseignants de Sénou" in page and "Ibrahim Sangaré" in page


def test_planned_activity_of_another_project_is_refused(world, login):
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])
    activity = _activity(other, title="Activité d'un autre projet")
    client = login(world.assistant_a)
    before = Session.objects.count()

    response = client.post(CREATE, session_post(world.pa, planned_activity=activity.pk))

    assert response.status_code == 200
    assert "Choose a planned activity of the chosen project." in text(response)
    assert Session.objects.count() == before


def test_activity_options_follow_the_chosen_project_and_the_gate(world, login):
    _activity(world.pa, partner=world.p, title="Activité de P")
    _activity(world.pa, partner=world.q, title="Activité de Q")
    _activity(world.pb, partner=world.p, title="Activité de B")
    url = reverse("delivery:activity_options")
    client = login(world.assistant_a)
    assert 'hx-get="/delivery/activities/options/"' in text(client.get(CREATE))

    page = text(client.get(url, {"project": world.pa.pk}))
    assert "Activité de P" in page and "Activité de Q" in page and "Activité de B" not in page
    assert "Activité" not in text(client.get(url, {"project": world.pb.pk}))
    assert "Activité" not in text(client.get(url))
    page = text(login(world.partner_p).get(url, {"project": world.pa.pk}))
    assert "Activité de P" in page and "Activité de Q" not in page


def test_bad_session_input_is_refused_with_what_to_fix_and_nothing_written(world, login):
    gao = helpers.create_area("ML07", "Gao")
    kidal = helpers.create_area("ML08", "Kidal")
    school = helpers.create_site("École de Kidal", area=kidal)
    client = login(world.assistant_a)
    before = Session.objects.count()

    response = client.post(CREATE, session_post(world.pa, title="", kind="party"))
    page = text(response)
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Select a valid choice. party is not one of the available choices." in page

    page = text(client.post(CREATE, session_post(world.pa, date="2027-03-01")))
    assert "The date must fall within the dates of project PA-EDU: 01/01/2026 to 31/12/2026." in (
        page
    )
    page = text(client.post(CREATE, session_post(world.pa, date="31/02/2026")))
    assert "Enter a valid date." in page
    response = client.post(CREATE, session_post(world.pa, area=gao.pk, site=school.pk))
    assert response.status_code == 200
    response = client.post(CREATE, session_post(world.pb, world.p))
    assert response.status_code == 200
    assert Session.objects.count() == before


def test_session_edit_saves_the_changes_with_an_audit_event(world, login):
    client = login(world.assistant_a)
    url = reverse("delivery:session_edit", args=[world.session_p.pk])
    page = text(client.get(url))
    assert 'value="Formation P"' in page

    data = session_post(world.pa, world.p, title="Formation P, deuxième jour", date="2026-02-11")
    response = client.post(url, data)

    assert response.status_code == 302
    world.session_p.refresh_from_db()
    assert world.session_p.title == "Formation P, deuxième jour"
    assert world.session_p.date == datetime.date(2026, 2, 11)
    event = AuditEvent.objects.get(action="session.update", actor=world.assistant_a)
    assert event.changes["title"] == ["Formation P", "Formation P, deuxième jour"]


def test_session_project_cannot_change_on_edit(world, login):
    client = login(world.assistant_a)
    url = reverse("delivery:session_edit", args=[world.session_p.pk])
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])

    response = client.post(url, session_post(other, world.p, title="Déplacée"))

    assert response.status_code == 302
    world.session_p.refresh_from_db()
    assert (world.session_p.project, world.session_p.title) == (world.pa, "Déplacée")


def test_session_in_a_locked_period_is_refused_and_nothing_written(
    world, login, lock_first_quarter
):
    lock_first_quarter()
    client = login(world.assistant_a)
    before = Session.objects.count()
    locked_message = "The reporting period containing 20/02/2026 is locked"

    response = client.post(CREATE, session_post(world.pa, world.p))
    assert response.status_code == 200
    assert locked_message in text(response)
    assert Session.objects.count() == before

    url = reverse("delivery:session_edit", args=[world.session_p.pk])
    page = text(client.get(url))
    assert "This record is dated in a locked reporting period" in page
    response = client.post(url, session_post(world.pa, world.p, title="Changée", date="2026-05-04"))
    assert response.status_code == 200
    assert "The reporting period containing 10/02/2026 is locked" in text(response)
    world.session_p.refresh_from_db()
    assert (world.session_p.title, world.session_p.date) == (
        "Formation P",
        datetime.date(2026, 2, 10),
    )

    # Moving a session of an open period into the locked one is refused too.
    open_session = helpers.create_session(world.pa, partner=world.p, date=datetime.date(2026, 5, 4))
    url = reverse("delivery:session_edit", args=[open_session.pk])
    response = client.post(url, session_post(world.pa, world.p, date="2026-02-20"))
    assert locked_message in text(response)
    open_session.refresh_from_db()
    assert open_session.date == datetime.date(2026, 5, 4)
    assert not AuditEvent.objects.filter(action="session.update").exists()


def test_list_searches_title_and_facilitator_and_shows_counts(world, login, keitas):
    services.attendance_record(session=world.session_p, persons=list(keitas), by=None)
    services.reach_counts_set(
        session=world.session_p, counts={("F", "25-59"): 40, ("M", "unknown"): 12}, by=None
    )
    helpers.create_session(world.pa, partner=world.q, title="Causerie", facilitator="Awa Touré")
    client = login(world.assistant_a)

    response = client.get(LIST)
    row = text(response).split("Formation P")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row and '<td class="num">52</td>' in row

    page = text(client.get(LIST, {"q": "toure"}))
    assert "Causerie" in page and "Formation P" not in page
    page = text(client.get(LIST, {"q": "formation q"}))
    assert "Formation Q" in page and "Formation P" not in page


def test_list_filters_by_project_kind_partner_dates_and_area(world, login):
    gao = helpers.create_area("ML07", "Gao")
    ansongo = helpers.create_area("ML0701", "Ansongo", level=2, parent=gao)
    kidal = helpers.create_area("ML08", "Kidal")
    helpers.create_session(
        world.pa,
        partner=world.p,
        title="Radio Ansongo",
        kind="mass_campaign",
        area=ansongo,
        date=datetime.date(2026, 6, 1),
    )
    helpers.create_session(world.pa, title="Visite Kidal", kind="home_visit", area=kidal)
    client = login(world.assistant_a)

    def titles(**params):
        page = text(client.get(LIST, params))
        names = ["Formation P", "Formation Q", "Radio Ansongo", "Visite Kidal"]
        return {name for name in names if name in page}

    assert titles(kind="mass_campaign") == {"Radio Ansongo"}
    assert titles(partner=world.q.pk) == {"Formation Q"}
    assert titles(area=gao.pk) == {"Radio Ansongo"}
    assert titles(date_from="2026-03-01") == {"Radio Ansongo"}
    assert titles(date_to="2026-03-01") == {"Formation P", "Formation Q", "Visite Kidal"}
    assert titles(project=world.pa.pk, kind="training") == {"Formation P", "Formation Q"}
    # A malformed filter is ignored, not refused.
    assert titles(date_from="yesterday", kind="party") == {
        "Formation P",
        "Formation Q",
        "Radio Ansongo",
        "Visite Kidal",
    }


def test_list_is_paginated(world, login):
    for n in range(55):
        helpers.create_session(world.pa, title=f"Séance {n:02d}")
    client = login(world.assistant_a)
    first = text(client.get(LIST))
    assert "Page 1 of 2" in first and "57 rows" in first
    second = text(client.get(LIST, {"page": 2}))
    assert "Page 2 of 2" in second


def test_list_queries_do_not_grow_with_rows(world, login, keitas):
    client = login(world.assistant_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(10):
        session = helpers.create_session(world.pa, partner=world.p, title=f"Séance {n}")
        services.attendance_record(session=session, persons=list(keitas), by=None)
    with CaptureQueriesContext(connection) as many:
        assert "Séance 9" in text(client.get(LIST))
    assert len(many) == len(few)


def test_focal_point_sees_and_edits_only_their_partners_sessions(world, login):
    client = login(world.partner_p)
    page = text(client.get(LIST))
    assert "Formation P" in page and "Formation Q" not in page
    session_q = world.session_q.pk
    for name in ("session_detail", "session_edit", "attendance_candidates", "reach_edit"):
        assert client.get(reverse(f"delivery:{name}", args=[session_q])).status_code == 404
    for name in ("session_detail", "session_edit", "attendance_candidates", "reach_edit"):
        assert client.get(reverse(f"delivery:{name}", args=[world.session_p.pk])).status_code == 200
    response = client.post(
        reverse("delivery:session_edit", args=[session_q]), session_post(world.pa, world.p)
    )
    assert response.status_code == 404
    world.session_q.refresh_from_db()
    assert world.session_q.title == "Formation Q"


def test_focal_point_cannot_create_sessions_for_another_partner(world, login):
    client = login(world.partner_p)
    assert 'name="partner"' not in text(client.get(CREATE))

    response = client.post(CREATE, session_post(world.pa, world.q, title="Pour Q"))

    assert response.status_code == 302
    assert Session.objects.get(title="Pour Q").partner == world.p
    response = client.post(CREATE, session_post(world.pb, title="Projet de B"))
    assert response.status_code == 200
    assert not Session.objects.filter(title="Projet de B").exists()


def test_focal_point_edit_keeps_their_partner_whatever_is_posted(world, login):
    client = login(world.partner_p)
    url = reverse("delivery:session_edit", args=[world.session_p.pk])
    response = client.post(url, session_post(world.pa, world.q, title="Formation P bis"))
    assert response.status_code == 302
    world.session_p.refresh_from_db()
    assert (world.session_p.title, world.session_p.partner) == ("Formation P bis", world.p)


def test_assistant_moves_a_session_to_a_partner_of_the_project_only(world, login):
    outsider_ngo = helpers.create_organisation("ONG X", acronym="ONGX")
    client = login(world.assistant_a)
    url = reverse("delivery:session_edit", args=[world.session_p.pk])
    response = client.post(url, session_post(world.pa, outsider_ngo))
    assert response.status_code == 200
    world.session_p.refresh_from_db()
    assert world.session_p.partner == world.p
    assert client.post(url, session_post(world.pa, world.q)).status_code == 302
    world.session_p.refresh_from_db()
    assert world.session_p.partner == world.q


def test_outsider_sees_no_session_of_agency_a(world, login):
    client = login(world.outsider_b)
    page = text(client.get(LIST))
    assert "Sensibilisation B" in page
    assert "Formation P" not in page and "Formation Q" not in page
    for name in ("session_detail", "session_edit", "attendance_candidates", "reach_edit"):
        response = client.get(reverse(f"delivery:{name}", args=[world.session_p.pk]))
        assert response.status_code == 404, name
    response = client.post(
        reverse("delivery:attendance_add", args=[world.session_p.pk]),
        {"persons": [world.person_p.pk]},
    )
    assert response.status_code == 404
    assert not world.session_p.attendances.exists()


def test_donor_viewer_sees_no_session_and_cannot_record_one(world, login):
    client = login(world.donor_a)
    assert "Formation P" not in text(client.get(LIST))
    assert client.get(_detail(world.session_p)).status_code == 404
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, session_post(world.pa)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    for url in (LIST, CREATE, _detail(world.session_p)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

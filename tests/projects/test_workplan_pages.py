"""The work plan: a timeline of planned activities, planned by data-entry roles."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects import services
from suivi.projects.models import PlannedActivity
from tests import helpers
from tests.projects.pages import text


def _activity(project, title, start, end, partner=None, **data):
    return services.planned_activity_create(
        project=project,
        by=None,
        data={
            "title_fr": title,
            "start_date": start,
            "end_date": end,
            "partner": partner,
            **data,
        },
    )


def _workplan(world):
    return reverse("projects:workplan", args=[world.pa.pk])


def _activity_post(**changes) -> dict:
    data = {
        "title_fr": "Distribution de kits scolaires",
        "title_en": "",
        "result": "",
        "partner": "",
        "start_date": "2026-09-01",
        "end_date": "2026-09-30",
        "area": "",
        "site": "",
        "responsible": "Chef de projet éducation",
        "status": "planned",
    }
    data.update(changes)
    return data


def test_work_plan_timeline_shows_activities_as_bars(world, login):
    gao = helpers.create_area("ML07", "Gao")
    school = helpers.create_site("École de Gao", area=gao)
    _activity(
        world.pa,
        "Formation des enseignants",
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        partner=world.p,
        area=gao,
        site=school,
        responsible="Chargée d'éducation",
        status="ongoing",
    )
    _activity(world.pa, "Lancement", datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))

    page = text(login(world.manager_a).get(_workplan(world)))

    assert "Formation des enseignants" in page and "Lancement" in page
    assert page.index("Lancement") < page.index("Formation des enseignants")
    assert "Ongoing" in page and "Chargée d'éducation" in page and "École de Gao" in page
    assert "<td>PP</td>" in page
    # 2026 has 365 days: April starts after 90 of them and the activity lasts 91.
    assert "margin-inline-start:24.658%;width:24.932%" in page
    assert "margin-inline-start:0.000%;width:0.274%" in page
    # A band per year over a column per month.
    assert page.count("flex:0 0 ") == 13
    assert '<span style="flex:0 0 100.000%">2026</span>' in page
    assert 'flex:0 0 8.493%" title="January 2026">Jan<' in page


def test_timeline_spans_the_years_of_a_longer_project(world, login):
    project = helpers.create_project(
        world.a, code="PA-LONG", start=datetime.date(2026, 7, 1), end=datetime.date(2027, 6, 30)
    )
    _activity(project, "Suivi", datetime.date(2026, 12, 1), datetime.date(2027, 1, 31))
    page = text(login(world.manager_a).get(reverse("projects:workplan", args=[project.pk])))
    # 184 days in 2026 and 181 in 2027; December 2026 starts after 153 days.
    assert '<span style="flex:0 0 50.411%">2026</span>' in page
    assert '<span style="flex:0 0 49.589%">2027</span>' in page
    assert "margin-inline-start:41.918%;width:16.986%" in page


def test_timeline_positions_keep_a_decimal_point_in_french(world, login):
    _activity(world.pa, "Formation", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    client = login(world.manager_a)
    client.cookies["django_language"] = "fr"
    page = text(client.get(_workplan(world)))
    assert "margin-inline-start:24.658%;width:24.932%" in page


def test_partner_focal_point_sees_only_their_partners_activities(world, login):
    _activity(world.pa, "Activité de P", world.pa.start_date, world.pa.end_date, world.p)
    _activity(world.pa, "Activité de Q", world.pa.start_date, world.pa.end_date, world.q)
    _activity(world.pa, "Activité de l'agence", world.pa.start_date, world.pa.end_date)

    page = text(login(world.partner_p).get(_workplan(world)))

    assert "Activité de P" in page
    assert "Activité de Q" not in page and "Activité de l'agence" not in page
    full = text(login(world.manager_a).get(_workplan(world)))
    assert "Activité de Q" in full and "Activité de l'agence" in full


def test_partner_focal_point_plans_for_their_own_partner_only(world, login):
    client = login(world.partner_p)
    url = reverse("projects:activity_create", args=[world.pa.pk])
    assert 'name="partner"' not in text(client.get(url))

    response = client.post(url, _activity_post(partner=world.q.pk))

    assert response.status_code == 302
    activity = PlannedActivity.objects.get(title_fr="Distribution de kits scolaires")
    assert activity.partner == world.p
    assert activity.created_by == world.partner_p


def test_partner_focal_point_cannot_change_work_they_cannot_see(world, login):
    of_q = _activity(world.pa, "Activité de Q", world.pa.start_date, world.pa.end_date, world.q)
    of_p = _activity(world.pa, "Activité de P", world.pa.start_date, world.pa.end_date, world.p)
    client = login(world.partner_p)
    url = reverse("projects:activity_edit", args=[of_q.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _activity_post()).status_code == 404
    of_q.refresh_from_db()
    assert of_q.title_fr == "Activité de Q"
    assert client.get(reverse("projects:activity_edit", args=[of_p.pk])).status_code == 200


def test_assistant_plans_and_edits_an_activity_and_changes_are_audited(world, login):
    result = helpers.create_indicator(world.pa).result
    client = login(world.assistant_a)
    response = client.post(
        reverse("projects:activity_create", args=[world.pa.pk]),
        _activity_post(partner=world.q.pk, result=result.pk),
    )
    assert response.status_code == 302
    activity = PlannedActivity.objects.get(title_fr="Distribution de kits scolaires")
    assert (activity.partner, activity.result) == (world.q, result)

    url = reverse("projects:activity_edit", args=[activity.pk])
    response = client.post(url, _activity_post(partner=world.q.pk, status="delayed"))

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "delayed"
    event = AuditEvent.objects.get(action="planned_activity.update", target_id=str(activity.pk))
    assert event.actor == world.assistant_a
    assert event.changes["status"] == ["planned", "delayed"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2027-02-01"}, "Choose a date within the project, from 01/01/2026"),
        ({"start_date": "2026-10-01"}, "The end date must be after the start date."),
        ({"title_fr": ""}, "This field is required."),
    ],
)
def test_activity_form_says_what_to_fix(world, login, changes, message):
    response = login(world.assistant_a).post(
        reverse("projects:activity_create", args=[world.pa.pk]), _activity_post(**changes)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not PlannedActivity.objects.exists()


def test_site_must_lie_in_the_chosen_area(world, login):
    gao = helpers.create_area("ML07", "Gao")
    kidal = helpers.create_area("ML08", "Kidal")
    world.pa.areas.add(gao, kidal)
    school = helpers.create_site("École de Gao", area=gao)
    response = login(world.assistant_a).post(
        reverse("projects:activity_create", args=[world.pa.pk]),
        _activity_post(area=kidal.pk, site=school.pk),
    )
    assert "École de Gao is not in Kidal" in text(response)
    assert not PlannedActivity.objects.exists()


def test_donor_and_outsider_cannot_plan(world, login):
    url = reverse("projects:activity_create", args=[world.pa.pk])
    assert login(world.donor_a).post(url, _activity_post()).status_code == 403
    assert login(world.outsider_b).post(url, _activity_post()).status_code == 404
    assert not PlannedActivity.objects.exists()

"""Project pages: the portfolio list, a project's facts, creating and editing, per persona."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.projects.models import Project, ReportingPeriod, Sector
from tests import helpers
from tests.projects.pages import project_post, text

LIST = reverse("projects:list")
CREATE = reverse("projects:create")


def test_project_list_shows_only_the_projects_in_scope(world, login):
    for persona, seen, hidden in [
        ("manager_a", "PA-EDU", "PB-PROT"),
        ("partner_p", "PA-EDU", "PB-PROT"),
        ("donor_a", "PA-EDU", "PB-PROT"),
        ("outsider_b", "PB-PROT", "PA-EDU"),
    ]:
        page = text(login(getattr(world, persona)).get(LIST))
        assert seen in page, persona
        assert hidden not in page, persona


def test_project_list_searches_by_code_and_title_and_filters_by_status_and_donor(world, login):
    wash = helpers.create_project(world.a, code="PA-WASH")
    Project.objects.filter(pk=wash.pk).update(status=Project.Status.CLOSED, title_en="Water")
    client = login(world.manager_a)

    found = text(client.get(LIST, {"q": "wash"}))
    assert "PA-WASH" in found and "PA-EDU" not in found
    found = text(client.get(LIST, {"q": "Projet PA-EDU"}))
    assert "PA-EDU" in found and "PA-WASH" not in found
    closed = text(client.get(LIST, {"status": "closed"}))
    assert "PA-WASH" in closed and "PA-EDU" not in closed
    funded = text(client.get(LIST, {"donor": world.donor.pk}))
    assert "PA-EDU" in funded and "PA-WASH" not in funded
    # A donor the user cannot choose, or garbage, is ignored rather than a server error.
    response = client.get(LIST, {"donor": "abc", "status": "nonsense"})
    assert response.status_code == 200
    assert "PA-EDU" in text(response) and "PA-WASH" in text(response)


def test_project_list_is_paginated(world, login):
    for n in range(50):
        helpers.create_project(world.a, code=f"PA-{n:03d}")
    client = login(world.manager_a)

    first = text(client.get(LIST))
    assert "Page 1 of 2" in first
    assert "PA-000" in first and "PA-EDU" not in first
    second = text(client.get(LIST, {"page": 2}))
    assert "PA-EDU" in second and "PA-000" not in second


def test_manager_creates_a_project_with_donors_partners_sectors_and_periods(world, login):
    education = Sector.objects.create(code="EDU", name_fr="Éducation", name_en="Education")
    area = helpers.create_area("ML07", "Gao")
    client = login(world.manager_a)
    assert client.get(CREATE).status_code == 200

    data = project_post(
        organisation=world.a.pk,
        donors=[world.donor.pk],
        partners=[world.p.pk, world.q.pk],
        sectors=[education.pk],
        areas=[area.pk],
    )
    response = client.post(CREATE, data)

    project = Project.objects.get(code="PA-ECOLE")
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.organisation == world.a
    assert project.budget == Decimal("150000000")
    assert list(project.donors.all()) == [world.donor]
    assert set(project.partners.all()) == {world.p, world.q}
    assert list(project.sectors.all()) == [education]
    assert list(project.areas.all()) == [area]
    quarters = ReportingPeriod.objects.filter(project=project, kind="quarter")
    assert quarters.count() == 8
    assert ReportingPeriod.objects.filter(project=project, kind="year").count() == 2
    event = AuditEvent.objects.get(action="project.create", target_id=str(project.pk))
    assert event.actor == world.manager_a


@pytest.mark.parametrize("persona", ["assistant_a", "me_a", "partner_p", "donor_a"])
def test_only_administrators_and_programme_managers_create_projects(world, login, persona):
    client = login(getattr(world, persona))
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, project_post(organisation=world.a.pk))
    assert response.status_code == 403
    assert not Project.objects.filter(code="PA-ECOLE").exists()


def test_a_manager_creates_projects_only_in_their_own_organisation(world, login):
    client = login(world.outsider_b)
    response = client.post(CREATE, project_post(organisation=world.a.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Project.objects.filter(code="PA-ECOLE").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2025-12-31"}, "The end date must be after the start date."),
        ({"code": "PB-PROT"}, "The code PB-PROT is already used by another project"),
        ({"budget": "-5"}, "The budget cannot be negative."),
        ({"start_date": "31/31/2026"}, "Enter a valid date."),
        ({"title_fr": ""}, "This field is required."),
    ],
)
def test_project_form_says_what_to_fix(world, login, changes, message):
    client = login(world.manager_a)
    response = client.post(CREATE, project_post(organisation=world.a.pk, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert not Project.objects.filter(title_fr="Retour à l'école à Gao").exists()


def test_lead_organisation_cannot_be_its_own_partner(world, login):
    client = login(world.manager_a)
    response = client.post(CREATE, project_post(organisation=world.a.pk, partners=[world.a.pk]))
    assert "AGA leads the project: it cannot also be its partner." in text(response)
    assert not Project.objects.filter(code="PA-ECOLE").exists()


def test_manager_edits_a_project_and_new_dates_get_their_periods(world, login):
    client = login(world.manager_a)
    url = reverse("projects:edit", args=[world.pa.pk])
    form = text(client.get(url))
    assert 'value="PA-EDU"' in form

    data = project_post(
        code="PA-EDU",
        title_fr="Projet PA-EDU",
        end_date="2027-06-30",
        budget="2500000",
        donors=[world.donor.pk],
        partners=[world.p.pk],
    )
    response = client.post(url, data)

    assert response.status_code == 302
    world.pa.refresh_from_db()
    assert world.pa.end_date == datetime.date(2027, 6, 30)
    assert world.pa.budget == Decimal("2500000")
    assert list(world.pa.partners.all()) == [world.p]
    labels = {str(p) for p in world.pa.periods.filter(year=2027)}
    assert labels == {"Q1 2027", "Q2 2027", "2027"}
    update = AuditEvent.objects.get(action="project.update", target_id=str(world.pa.pk))
    assert update.actor == world.manager_a
    assert update.changes["budget"] == ["0.00", "2500000"]
    assert AuditEvent.objects.filter(action="project.partners", actor=world.manager_a).exists()


@pytest.mark.parametrize("persona", ["assistant_a", "me_a", "partner_p", "donor_a"])
def test_visible_project_cannot_be_edited_without_a_manager_role(world, login, persona):
    client = login(getattr(world, persona))
    url = reverse("projects:edit", args=[world.pa.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, project_post(code="PA-EDU", budget="9")).status_code == 403
    world.pa.refresh_from_db()
    assert world.pa.budget == 0


@pytest.mark.parametrize("persona", ["manager_a", "donor_a", "partner_p"])
def test_project_detail_shows_the_facts_and_never_names_persons(world, login, persona):
    area = helpers.create_area("ML07", "Gao")
    world.pa.areas.add(area)
    page = text(login(getattr(world, persona)).get(reverse("projects:detail", args=[world.pa.pk])))

    for fact in ["PA-EDU", "Projet PA-EDU", "Project PA-EDU", "01/01/2026", "31/12/2026"]:
        assert fact in page
    assert "Fondation D" in page and "Agence A" in page
    assert "Partenaire P" in page and "Partenaire Q" in page
    assert "CFA franc (XOF)" in page and "Gao" in page
    for link in ["logframe", "period_list", "workplan"]:
        assert reverse(f"projects:{link}", args=[world.pa.pk]) in page
    for name in ["Coulibaly", "Diallo", "Awa", "Moussa"]:
        assert name not in page


def test_edit_link_only_for_those_who_may_edit(world, login):
    url = reverse("projects:detail", args=[world.pa.pk])
    edit = reverse("projects:edit", args=[world.pa.pk])
    assert edit in text(login(world.manager_a).get(url))
    assert edit not in text(login(world.assistant_a).get(url))


def test_outsider_gets_404_on_every_page_of_another_agencys_project(world, login):
    client = login(world.outsider_b)
    for name in [
        "detail",
        "edit",
        "logframe",
        "result_create",
        "indicator_create",
        "period_list",
        "workplan",
        "activity_create",
    ]:
        assert client.get(reverse(f"projects:{name}", args=[world.pa.pk])).status_code == 404


def test_anonymous_visitor_is_sent_to_the_login_page(client, world):
    response = client.get(reverse("projects:detail", args=[world.pa.pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_manager_fills_in_the_iati_facts_of_a_project(world, login):
    client = login(world.manager_a)
    url = reverse("projects:edit", args=[world.pa.pk])
    data = project_post(
        code="PA-EDU",
        iati_identifier="XM-OCHA-AGA-PA-EDU",
        recipient_country="ml",
        humanitarian="on",
    )
    assert client.post(url, data).status_code == 302
    world.pa.refresh_from_db()
    assert (world.pa.iati_identifier, world.pa.recipient_country, world.pa.humanitarian) == (
        "XM-OCHA-AGA-PA-EDU",
        "ML",
        True,
    )
    refused = client.post(url, project_post(code="PA-EDU", recipient_country="M1"))
    assert "two-letter ISO code" in text(refused)

"""Household pages: create with a head found by search, add members, and who sees what."""

from __future__ import annotations

from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.registry import services
from suivi.registry.models import Household
from tests import helpers
from tests.registry.pages import text

CREATE = reverse("registry:household_create")
LIST = reverse("registry:household_list")


def _household(world, code="MEN-001", members=None):
    return services.household_create(
        organisation=world.a, by=None, data={"code": code}, members=members or [world.person_p]
    )


def test_assistant_creates_a_household_with_a_head(world, login):
    gao = helpers.create_area("ML07", "Gao")
    services.person_update(person=world.person_p, by=None, data={"area": gao})
    client = login(world.assistant_a)

    response = client.post(CREATE, {"code": " MEN 042 ", "head": world.person_p.pk, "area": ""})

    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household_detail", args=[household.pk])
    assert household.code == "MEN 042"
    assert household.head == world.person_p
    assert household.area == gao  # taken from the head
    world.person_p.refresh_from_db()
    assert world.person_p.household == household
    assert AuditEvent.objects.filter(
        action="household.create", target_id=str(household.pk), actor=world.assistant_a
    ).exists()
    page = text(client.get(LIST))
    assert "MEN 042" in page and "COULIBALY Awa" in page


def test_household_code_already_used_is_refused(world, login):
    _household(world, code="MEN-001")
    client = login(world.assistant_a)
    response = client.post(CREATE, {"code": "MEN-001", "head": world.person_q.pk})
    assert response.status_code == 200
    assert "The household code MEN-001 is already used." in text(response)
    assert Household.objects.count() == 1


def test_household_head_must_be_chosen_among_visible_persons(world, login):
    client = login(world.partner_p)
    response = client.post(CREATE, {"code": "MEN-Q", "head": world.person_q.pk})
    assert response.status_code == 200
    assert "Choose a person from the search results." in text(response)
    assert not Household.objects.exists()
    response = client.post(CREATE, {"code": "MEN-Q", "head": "not-a-number"})
    assert response.status_code == 200
    assert not Household.objects.exists()


def test_head_search_without_javascript_keeps_the_typed_values(world, login):
    client = login(world.partner_p)
    response = client.post(CREATE, {"code": "MEN-9", "q": "coulibaly", "_search": "1"})
    page = text(response)
    assert response.status_code == 200
    assert 'value="MEN-9"' in page
    assert f'name="head" value="{world.person_p.pk}"' in page
    assert "This field is required." not in page
    assert not Household.objects.exists()


def test_person_search_fragment_lists_only_visible_persons(world, login):
    url = reverse("registry:person_search")
    page = text(login(world.assistant_a).get(url, {"q": "diallo", "field": "head"}))
    assert f'name="head" value="{world.person_q.pk}"' in page
    page = text(login(world.partner_p).get(url, {"q": "diallo"}))
    assert "DIALLO" not in page and "No person you can see matches this search." in page
    page = text(login(world.outsider_b).get(url, {"q": "coulibaly", "field": "<script>"}))
    assert "COULIBALY" not in page and "<script>" not in page


def test_member_is_added_with_their_relationship_to_the_head(world, login):
    household = _household(world)
    client = login(world.assistant_a)
    url = reverse("registry:household_member_add", args=[household.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, {"person": world.person_q.pk, "relationship": "Son or daughter"})

    assert response.status_code == 302
    world.person_q.refresh_from_db()
    assert world.person_q.household == household
    assert world.person_q.relationship_to_head == "Son or daughter"
    assert AuditEvent.objects.filter(
        action="household.member_add", actor=world.assistant_a
    ).exists()
    page = text(client.get(reverse("registry:household_detail", args=[household.pk])))
    assert "DIALLO Moussa" in page and "Son or daughter" in page

    response = client.post(url, {"person": world.person_q.pk, "relationship": ""})
    assert "This person is already a member of this household." in text(response)


def test_focal_point_sees_only_their_members_and_cannot_add_hidden_persons(world, login):
    household = _household(world, members=[world.person_p, world.person_q])
    client = login(world.partner_p)
    page = text(client.get(reverse("registry:household_detail", args=[household.pk])))
    assert "COULIBALY" in page and "DIALLO" not in page
    assert "1 other member is registered in work you do not see." in page

    other = helpers.create_person(world.pa, partner=world.q, family_name="Sidibé")
    url = reverse("registry:household_member_add", args=[household.pk])
    response = client.post(url, {"person": other.pk})
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.household is None


def test_outsider_and_donor_get_404_on_households_of_agency_a(world, login):
    household = _household(world)
    for persona in (world.outsider_b, world.donor_a):
        client = login(persona)
        for name in ("household_detail", "household_member_add"):
            url = reverse(f"registry:{name}", args=[household.pk])
            assert client.get(url).status_code == 404, (persona, name)
        assert (
            client.post(
                reverse("registry:household_member_add", args=[household.pk]),
                {"person": world.person_b.pk},
            ).status_code
            == 404
        )
        assert "MEN-001" not in text(client.get(LIST))
    world.person_b.refresh_from_db()
    assert world.person_b.household is None
    assert login(world.donor_a).get(CREATE).status_code == 403


def test_household_list_hides_a_head_the_user_cannot_see(world, login):
    services.household_create(
        organisation=world.a,
        by=None,
        data={"code": "MEN-QP"},
        members=[world.person_p],
        head=world.person_q,
    )
    page = text(login(world.partner_p).get(LIST))
    assert "MEN-QP" in page and "DIALLO" not in page

"""Community group pages: create for a project and partner, add members, and who sees what."""

from __future__ import annotations

from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.registry import services
from suivi.registry.models import Group, GroupMembership
from tests import helpers
from tests.registry.pages import text

CREATE = reverse("registry:group_create")
LIST = reverse("registry:group_list")


def _group_post(world, **changes) -> dict:
    data = {
        "name": "Groupement des femmes de Sénou",
        "kind": "womens_group",
        "project": world.pa.pk,
        "partner": world.p.pk,
        "area": "",
        "site": "",
        "founded_on": "2025-06-01",
    }
    data.update(changes)
    return data


def _group(world, partner=None, name="Groupement P"):
    return services.group_create(
        organisation=world.a,
        by=None,
        data={"name": name, "kind": "womens_group", "project": world.pa, "partner": partner},
    )


def test_assistant_creates_a_group_for_a_partner(world, login):
    client = login(world.assistant_a)
    response = client.post(CREATE, _group_post(world))
    group = Group.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:group_detail", args=[group.pk])
    assert (group.project, group.partner, group.organisation) == (world.pa, world.p, world.a)
    assert AuditEvent.objects.filter(action="group.create", actor=world.assistant_a).exists()
    assert "Groupement des femmes de Sénou" in text(client.get(LIST, {"q": "sénou"}))


def test_group_site_must_lie_in_the_chosen_area(world, login):
    gao = helpers.create_area("ML07", "Gao")
    kidal = helpers.create_area("ML08", "Kidal")
    school = helpers.create_site("École de Kidal", area=kidal)
    client = login(world.assistant_a)
    response = client.post(CREATE, _group_post(world, area=gao.pk, site=school.pk))
    assert response.status_code == 200
    assert not Group.objects.exists()
    assert client.post(CREATE, _group_post(world, area=kidal.pk, site=school.pk)).status_code == 302
    options = text(client.get(reverse("registry:site_options"), {"area": kidal.pk}))
    assert "École de Kidal" in options
    assert "École" not in text(client.get(reverse("registry:site_options"), {"area": gao.pk}))


def test_focal_point_group_belongs_to_their_partner_whatever_is_posted(world, login):
    client = login(world.partner_p)
    assert 'name="partner"' not in text(client.get(CREATE))
    response = client.post(CREATE, _group_post(world, partner=world.q.pk))
    assert response.status_code == 302
    assert Group.objects.get().partner == world.p


def test_group_with_bad_input_is_refused_and_nothing_written(world, login):
    client = login(world.assistant_a)
    response = client.post(CREATE, _group_post(world, kind="mafia", founded_on="2099-01-01"))
    assert response.status_code == 200
    assert "The founding date cannot be in the future." in text(response)
    response = client.post(CREATE, _group_post(world, project=world.pb.pk))
    assert response.status_code == 200
    assert not Group.objects.exists()


def test_member_is_added_with_role_and_date(world, login):
    group = _group(world, partner=world.p)
    client = login(world.partner_p)
    url = reverse("registry:group_member_add", args=[group.pk])
    assert client.get(url).status_code == 200
    data = {"person": world.person_p.pk, "role": "Présidente", "joined_on": "2026-01-15"}

    assert client.post(url, data).status_code == 302

    membership = GroupMembership.objects.get()
    assert (membership.person, membership.role) == (world.person_p, "Présidente")
    assert str(membership.joined_on) == "2026-01-15"
    assert AuditEvent.objects.filter(action="group.member_add", actor=world.partner_p).exists()
    page = text(client.get(reverse("registry:group_detail", args=[group.pk])))
    assert "COULIBALY Awa" in page and "Présidente" in page

    response = client.post(url, data)
    assert "This person is already a member of this group." in text(response)
    assert GroupMembership.objects.count() == 1


def test_focal_point_cannot_add_a_person_they_do_not_see(world, login):
    group = _group(world, partner=world.p)
    client = login(world.partner_p)
    url = reverse("registry:group_member_add", args=[group.pk])
    response = client.post(url, {"person": world.person_q.pk})
    assert response.status_code == 200
    assert not GroupMembership.objects.exists()


def test_focal_point_gets_404_on_other_partners_group_and_outsider_on_all(world, login):
    group_q = _group(world, partner=world.q, name="Groupement Q")
    group_p = _group(world, partner=world.p, name="Groupement P")
    client = login(world.partner_p)
    for name in ("group_detail", "group_member_add"):
        assert client.get(reverse(f"registry:{name}", args=[group_q.pk])).status_code == 404
    page = text(client.get(LIST))
    assert "Groupement P" in page and "Groupement Q" not in page
    for persona in (world.outsider_b, world.donor_a):
        client = login(persona)
        for group in (group_p, group_q):
            for name in ("group_detail", "group_member_add"):
                url = reverse(f"registry:{name}", args=[group.pk])
                assert client.get(url).status_code == 404, (persona, name)
        assert "Groupement" not in text(client.get(LIST))


def test_group_of_the_agency_itself_is_hidden_from_focal_points(world, login):
    group = _group(world, partner=None, name="Comité de gestion")
    client = login(world.partner_p)
    url = reverse("registry:group_member_add", args=[group.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"person": world.person_p.pk}).status_code == 404
    assert not GroupMembership.objects.exists()
    assert login(world.assistant_a).get(url).status_code == 200

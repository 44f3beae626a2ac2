"""The Django admin for reference data: what it offers, that the audit trail stays read only
there, and that changes made there are written to the audit trail."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from suivi.accounts.models import Membership, Role, User
from suivi.accounts.services import api_token_create
from suivi.audit.models import AuditEvent
from suivi.places.models import Area
from suivi.registry.models import SpecificNeed
from tests import helpers


@pytest.fixture
def root(db):
    user = User.objects.create_superuser("root@suivi.test", helpers.PASSWORD)
    return user


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.mark.parametrize(
    "model",
    [
        "accounts/organisation",
        "accounts/user",
        "accounts/apitoken",
        "places/area",
        "places/site",
        "audit/auditevent",
        "registry/specificneed",
    ],
)
def test_superuser_opens_the_list_of_each_kind_of_reference_data(world, admin_client, model):
    response = admin_client.get(f"/admin/{model}/")

    assert response.status_code == 200


def test_audit_events_can_be_read_but_not_added_changed_or_deleted(world, admin_client):
    event = AuditEvent.objects.filter(action="person.register").first()
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    count = AuditEvent.objects.count()

    page = admin_client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(change, {"action": "forged"})
    event.refresh_from_db()
    assert event.action == "person.register"
    assert AuditEvent.objects.count() == count


def test_user_added_in_the_admin_logs_in_with_their_email_and_is_audited(db, admin_client, root):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nouvel.Agent@A.test",
            "usable_password": "true",
            "password1": "Une-phrase-longue-2026",
            "password2": "Une-phrase-longue-2026",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="nouvel.agent@a.test")
    assert user.check_password("Une-phrase-longue-2026")
    event = AuditEvent.objects.get(action="user.admin_create", target_id=str(user.pk))
    assert event.actor == root
    assert "password1" not in event.changes and "password2" not in event.changes


def test_membership_given_in_the_admin_is_audited(world, admin_client, root):
    user = helpers.create_user("agent@a.test")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "email": user.email,
        "first_name": "Agent",
        "last_name": "",
        "language": "fr",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organisation": world.a.pk,
        "memberships-0-role": Role.ME_OFFICER,
        "memberships-0-partner": "",
        "memberships-0-user": user.pk,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (world.a, Role.ME_OFFICER)
    event = AuditEvent.objects.get(action="membership.admin_create")
    assert (event.actor, event.organisation, event.target_id) == (root, world.a, str(membership.pk))
    assert AuditEvent.objects.get(action="user.admin_change").changes == {
        "first_name": ["agent", "Agent"]
    }


def test_partner_focal_point_without_partner_is_refused_in_the_admin(world, admin_client):
    user = helpers.create_user("focal2@a.test")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = {
        "email": user.email,
        "first_name": "focal2",
        "language": "fr",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organisation": world.a.pk,
        "memberships-0-role": Role.PARTNER_FOCAL_POINT,
        "memberships-0-partner": "",
        "memberships-0-user": user.pk,
    }

    response = admin_client.post(url, form)

    assert response.status_code == 200
    assert not Membership.objects.filter(user=user).exists()


def test_api_tokens_are_read_only_and_revoked_through_the_audited_service(
    world, admin_client, root
):
    token, key = api_token_create(user=world.manager_a, name="Excel Gao", by=world.manager_a)
    page = admin_client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))

    assert page.status_code == 200
    assert key not in page.content.decode()
    assert token.digest in page.content.decode()
    assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403

    response = admin_client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=root).exists()


def test_area_names_are_corrected_in_the_admin_and_audited_but_pcodes_stay(db, admin_client):
    call_command("places_load", stdout=io.StringIO())
    area = Area.objects.get(pcode="MR034")
    url = reverse("admin:places_area_change", args=[area.pk])

    response = admin_client.post(
        url,
        {
            "pcode": "XX99",
            "name_fr": "Kankoussa",
            "name_en": "Kankossa",
            "valid_from": "2024-03-06",
        },
    )

    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.pcode, area.name_fr, area.level) == ("MR034", "Kankoussa", 2)
    event = AuditEvent.objects.get(action="area.admin_change")
    assert event.changes == {"name_fr": ["Kankossa", "Kankoussa"]}
    assert admin_client.get(reverse("admin:places_area_add")).status_code == 403


def test_a_specific_need_recorded_for_a_person_cannot_be_deleted(world, admin_client):
    need = SpecificNeed.objects.create(code="CR-TEST", name_fr="Enfant à risque", name_en="Child")
    unused = SpecificNeed.objects.create(code="ER-TEST", name_fr="Personne âgée", name_en="Older")
    world.person_p.specific_needs.add(need)

    in_use = admin_client.post(
        reverse("admin:registry_specificneed_delete", args=[need.pk]), {"post": "yes"}
    )
    free = admin_client.post(
        reverse("admin:registry_specificneed_delete", args=[unused.pk]), {"post": "yes"}
    )

    assert in_use.status_code == 403
    assert free.status_code == 302
    assert list(SpecificNeed.objects.filter(code__endswith="-TEST")) == [need]
    assert AuditEvent.objects.filter(
        action="specificneed.admin_delete", target_id=str(unused.pk)
    ).exists()

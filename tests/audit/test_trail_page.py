"""The audit trail page: administrators read their organisation's events, filter them and read
what changed; nobody else opens it; nothing on it changes an event."""

from __future__ import annotations

import datetime
import html
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from suivi.audit.models import AuditEvent
from suivi.registry import services as registry_services
from tests import helpers

LIST = reverse("audit:list")


def text(response) -> str:
    return html.unescape(response.content.decode())


def actions(response) -> list[str]:
    return [event.action for event in response.context["page"].object_list]


def test_administrator_reads_the_events_of_their_organisation_only(world, login):
    response = login(world.admin_a).get(LIST)

    assert response.status_code == 200
    page = text(response)
    assert "COULIBALY" in page and "Formation P" in page
    assert "OULD AHMED" not in page and "Sensibilisation B" not in page
    events = response.context["page"].object_list
    assert events and all(event.organisation_id == world.a.pk for event in events)


@pytest.mark.parametrize(
    "persona", ["manager_a", "assistant_a", "me_a", "partner_p", "donor_a", "outsider_b"]
)
def test_everyone_but_administrators_is_refused(world, login, persona):
    response = login(getattr(world, persona)).get(LIST)

    assert response.status_code == 403


def test_trail_asks_to_log_in_first(world, client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_superuser_reads_every_event_including_those_of_no_organisation(world, client):
    call_command("places_load", stdout=io.StringIO())
    root = helpers.create_user("super@suivi.test")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    client.force_login(root)

    response = client.get(LIST, {"action": "areas.load"})

    assert response.status_code == 200
    assert actions(response) == ["areas.load"]
    all_events = client.get(LIST).context["page"].paginator.count
    assert all_events == AuditEvent.objects.count()
    assert "OULD AHMED" in text(client.get(LIST, {"record_type": "registry.person"}))


def test_an_update_shows_each_changed_field_with_its_old_and_new_value(world, login):
    registry_services.person_update(
        person=world.person_p,
        by=world.assistant_a,
        data={"family_name": "Konaté", "phone": "+22376123456"},
    )

    response = login(world.admin_a).get(LIST, {"action": "person.update"})

    assert response.status_code == 200
    changes = dict(response.context["page"].object_list[0].readable_changes)
    assert changes["family name"] == "Coulibaly → Konaté"
    assert changes["phone"] == "— → +22376123456"
    page = text(response)
    assert "Coulibaly → Konaté" in page
    assert "assistant@a.test" in page


def test_filters_by_action_record_who_and_dates(world, login):
    client = login(world.admin_a)
    person = world.person_p
    old = AuditEvent.objects.filter(target_id=str(world.session_p.pk), action="session.record")
    old.update(at=timezone.make_aware(datetime.datetime(2025, 6, 30, 23, 30)))
    registry_services.person_update(
        person=person, by=world.assistant_a, data={"family_name": "Konaté"}
    )

    by_prefix = actions(client.get(LIST, {"action": "person"}))
    assert set(by_prefix) == {"person.register", "person.update"}
    assert len(by_prefix) == 3  # Coulibaly and Diallo registered, Coulibaly renamed

    record = client.get(LIST, {"record_type": "registry.person", "record_id": person.pk})
    assert actions(record) == ["person.update", "person.register"]

    assert actions(client.get(LIST, {"actor": "assistant@A.test"})) == ["person.update"]

    june = {"date_from": "2025-06-30", "date_to": "2025-06-30"}
    assert actions(client.get(LIST, june)) == ["session.record"]
    assert actions(client.get(LIST, {"date_from": "2025-07-01"})).count("session.record") == 1
    assert actions(client.get(LIST, {"date_to": "2025-06-29"})) == []


def test_bad_dates_are_explained_on_their_field_and_other_filters_still_apply(world, login):
    client = login(world.admin_a)

    response = client.get(LIST, {"date_from": "31/02/2026", "action": "person.register"})

    assert response.status_code == 200
    assert "date_from" in response.context["filters"].errors
    assert set(actions(response)) == {"person.register"}

    swapped = client.get(LIST, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert swapped.context["filters"].errors["date_to"] == [
        "The end date is before the start date: swap them."
    ]
    assert "The end date is before the start date: swap them." in text(swapped)


def test_long_trails_are_paginated(world, login):
    for n in range(60):
        registry_services.person_update(
            person=world.person_q, by=world.manager_a, data={"family_name": f"Diallo {n}"}
        )
    client = login(world.admin_a)

    first = client.get(LIST, {"action": "person.update"})
    second = client.get(LIST, {"action": "person.update", "page": "2"})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert "action=person.update&page=2" in first.content.decode()


def test_the_trail_page_changes_nothing(world, login):
    client = login(world.admin_a)
    count = AuditEvent.objects.count()

    assert client.post(LIST, {"action": "x"}).status_code == 405
    assert client.delete(LIST).status_code == 405
    assert AuditEvent.objects.count() == count


def test_menu_shows_the_trail_to_administrators_only(world, client):
    client.force_login(world.admin_a)
    assert LIST in text(client.get(reverse("places:area_list")))
    client.force_login(world.manager_a)
    assert LIST not in text(client.get(reverse("places:area_list")))

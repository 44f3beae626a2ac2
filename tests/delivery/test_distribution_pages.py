"""Distribution pages: to a person, a household or a group; lists, locks and who sees what."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.delivery.models import Distribution
from suivi.registry import services as registry_services
from tests import helpers
from tests.delivery.pages import distribution_post, text

CREATE = reverse("delivery:distribution_create")
LIST = reverse("delivery:distribution_list")


def _household(world, members, code="MEN-001"):
    return registry_services.household_create(
        organisation=world.a, by=None, data={"code": code}, members=members
    )


def _group(world, project=None, partner=None, name="Groupement des femmes de Sénou"):
    return registry_services.group_create(
        organisation=world.a,
        by=None,
        data={"name": name, "kind": "womens_group", "project": project, "partner": partner},
    )


def _new(before: set[int]) -> Distribution:
    (distribution,) = Distribution.objects.exclude(pk__in=before)
    return distribution


def _existing() -> set[int]:
    return set(Distribution.objects.values_list("pk", flat=True))


def test_assistant_gives_a_kit_to_a_registered_person(world, login):
    client = login(world.assistant_a)
    before = _existing()
    page = text(client.get(CREATE, {"q": "coulibaly"}))
    assert f'name="person" value="{world.person_p.pk}"' in page

    response = client.post(
        CREATE,
        distribution_post(
            world.pa, world.p, person=world.person_p.pk, value="15000", currency="XOF"
        ),
    )

    distribution = _new(before)
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:distribution_detail", args=[distribution.pk])
    assert distribution.recipient == world.person_p
    assert (distribution.project, distribution.partner) == (world.pa, world.p)
    assert (distribution.quantity, distribution.value) == (Decimal("2"), Decimal("15000"))
    assert distribution.date == datetime.date(2026, 3, 5)
    assert AuditEvent.objects.filter(action="distribution.record", actor=world.assistant_a).exists()
    page = text(client.get(response["Location"]))
    assert "COULIBALY Awa" in page and "15000 XOF" in page and "In kind" in page


def test_person_search_without_javascript_keeps_the_typed_values(world, login):
    client = login(world.assistant_a)
    data = distribution_post(world.pa, world.p, q="coulibaly", item="Kit d'hygiène", _search="1")
    before = _existing()

    response = client.post(CREATE, data)

    page = text(response)
    assert response.status_code == 200
    assert 'value="Kit d\'hygiène"' in page
    assert f'name="person" value="{world.person_p.pk}"' in page
    assert "This field is required." not in page
    assert _existing() == before


def test_person_not_registered_in_the_project_is_refused(world, login):
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])
    stranger = helpers.create_person(other, partner=world.p, family_name="Sidibé", given_name="Ali")
    client = login(world.assistant_a)
    before = _existing()

    response = client.post(CREATE, distribution_post(world.pa, world.p, person=stranger.pk))

    assert response.status_code == 200
    assert "Ali SIDIBÉ is not registered in project PA-EDU. Register them first." in text(response)
    assert _existing() == before


def test_kit_is_given_to_a_household_by_its_code(world, login):
    household = _household(world, [world.person_p])
    client = login(world.assistant_a)
    before = _existing()

    data = distribution_post(
        world.pa, world.p, recipient="household", household=" MEN-001 ", person=world.person_q.pk
    )
    response = client.post(CREATE, data)

    assert response.status_code == 302
    distribution = _new(before)
    assert (distribution.household, distribution.person) == (household, None)
    assert "Household MEN-001" in text(client.get(response["Location"]))


def test_household_unknown_or_without_member_in_the_project_is_refused(world, login):
    _household(world, [world.person_p])
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])
    stranger = helpers.create_person(other, partner=world.p, family_name="Sidibé")
    _household(world, [stranger], code="MEN-002")
    client = login(world.assistant_a)
    before = _existing()

    page = text(client.post(CREATE, distribution_post(world.pa, recipient="household")))
    assert "Give the code of the household." in page
    data = distribution_post(world.pa, recipient="household", household="MEN-404")
    assert "No household you can see has the code MEN-404: check the code." in text(
        client.post(CREATE, data)
    )
    data = distribution_post(world.pa, recipient="household", household="MEN-002")
    assert (
        "No member of household MEN-002 is registered in project PA-EDU. Register a member first."
    ) in text(client.post(CREATE, data))
    assert _existing() == before


def test_cash_is_given_to_a_group_of_the_project(world, login):
    group = _group(world, world.pa, world.p)
    other_group = _group(world, helpers.create_project(world.a, code="PA-LIV"), name="Autre")
    client = login(world.assistant_a)
    before = _existing()

    data = distribution_post(
        world.pa,
        world.p,
        recipient="group",
        group=other_group.pk,
        kind="cash",
        item="Fonds de démarrage",
        quantity="1",
        value="250000",
        currency="XOF",
        modality="mobile_money",
    )
    page = text(client.post(CREATE, data))
    assert "This group belongs to another project: choose one of project PA-EDU." in page
    assert _existing() == before

    data["group"] = group.pk
    response = client.post(CREATE, data)

    assert response.status_code == 302
    distribution = _new(before)
    assert (distribution.group, distribution.modality) == (group, "mobile_money")
    assert "Groupement des femmes de Sénou" in text(client.get(LIST))


def test_bad_distribution_input_is_refused_with_what_to_fix_and_nothing_written(world, login):
    client = login(world.assistant_a)
    before = _existing()
    cases = [
        ({"quantity": "0"}, "The quantity must be more than 0."),
        ({"value": "-5", "currency": "XOF"}, "The value cannot be negative."),
        ({"value": "5000"}, "Give the currency of the value."),
        ({"date": "2099-01-01"}, "The date cannot be in the future"),
        ({"date": "2025-06-01"}, "The date must fall within the dates of project PA-EDU"),
        ({"person": ""}, "Search for the person and choose them."),
        ({"recipient": "group"}, "Choose the group that receives the distribution."),
        ({"modality": "barter"}, "Select a valid choice."),
    ]
    for changes, message in cases:
        data = distribution_post(world.pa, world.p, person=world.person_p.pk)
        data.update(changes)
        response = client.post(CREATE, data)
        assert response.status_code == 200, changes
        assert message in text(response), changes
    assert _existing() == before


def test_distribution_event_links_the_distribution_to_the_session(world, login):
    event = helpers.create_session(
        world.pa, partner=world.p, kind="distribution_event", title="Distribution de kits"
    )
    client = login(world.assistant_a)
    page = text(client.get(reverse("delivery:session_detail", args=[event.pk])))
    assert f"{CREATE}?session={event.pk}" in page
    page = text(client.get(CREATE, {"session": event.pk}))
    assert f'<option value="{event.pk}" selected>' in page
    before = _existing()

    data = distribution_post(
        world.pa, world.p, person=world.person_p.pk, session=event.pk, date="2026-02-10"
    )
    assert client.post(CREATE, data).status_code == 302

    assert _new(before).session == event
    page = text(client.get(reverse("delivery:session_detail", args=[event.pk])))
    assert "Kit scolaire" in page


def test_distribution_in_a_locked_period_is_refused_and_nothing_written(
    world, login, lock_first_quarter
):
    lock_first_quarter()
    client = login(world.assistant_a)
    before = _existing()

    response = client.post(CREATE, distribution_post(world.pa, world.p, person=world.person_p.pk))

    assert response.status_code == 200
    assert "The reporting period containing 05/03/2026 is locked" in text(response)
    assert _existing() == before
    page = text(client.get(reverse("delivery:distribution_detail", args=[world.distribution_p.pk])))
    assert "This record is dated in a locked reporting period" in page


def test_list_filters_by_project_kind_modality_partner_and_dates(world, login):
    helpers.create_distribution(
        world.pa,
        world.person_p,
        partner=world.p,
        kind="cash",
        item="Transfert mensuel",
        modality="mobile_money",
        value=Decimal("20000"),
        currency="XOF",
        date=datetime.date(2026, 6, 2),
    )
    client = login(world.assistant_a)

    def rows(**params):
        page = text(client.get(LIST, params))
        return len(set(re.findall(r'href="/delivery/distributions/(\d+)/"', page)))

    assert rows() == 3
    assert rows(kind="cash") == 1
    assert rows(modality="in_kind") == 2
    assert rows(partner=world.q.pk) == 1
    assert rows(project=world.pa.pk, date_from="2026-03-01") == 1
    assert rows(date_to="2026-03-01") == 2
    assert rows(q="transfert") == 1
    assert rows(kind="bribe", date_to="soon") == 3


def test_list_queries_do_not_grow_with_rows(world, login):
    household = _household(world, [world.person_p])
    group = _group(world, world.pa, world.p)
    client = login(world.assistant_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(5):
        helpers.create_distribution(world.pa, world.person_p, item=f"Kit {n}")
        helpers.create_distribution(world.pa, None, household=household, item=f"Vivres {n}")
        helpers.create_distribution(world.pa, None, group=group, item=f"Fonds {n}")
    with CaptureQueriesContext(connection) as many:
        page = text(client.get(LIST))
    assert "Household MEN-001" in page and "Groupement des femmes de Sénou" in page
    # Two more: the households and the groups among the recipients are checked once each.
    assert len(many) <= len(few) + 2


def test_focal_point_sees_and_records_only_their_partners_distributions(world, login):
    client = login(world.partner_p)
    page = text(client.get(LIST))
    assert "COULIBALY Awa" in page and "DIALLO" not in page
    url = reverse("delivery:distribution_detail", args=[world.distribution_q.pk])
    assert client.get(url).status_code == 404
    assert 'name="partner"' not in text(client.get(CREATE))
    before = _existing()

    response = client.post(CREATE, distribution_post(world.pa, world.q, person=world.person_q.pk))
    assert response.status_code == 200
    assert "Choose a person from the search results." in text(response)
    assert _existing() == before

    response = client.post(CREATE, distribution_post(world.pa, world.q, person=world.person_p.pk))
    assert response.status_code == 302
    assert _new(before).partner == world.p


def test_recipient_the_user_cannot_see_is_not_named(world, login):
    household = _household(world, [world.person_q], code="MEN-Q")
    helpers.create_distribution(world.pa, None, partner=world.p, household=household)
    page = text(login(world.partner_p).get(LIST))
    assert "A recipient you do not see" in page and "MEN-Q" not in page


def test_outsider_and_donor_see_no_distribution_of_agency_a(world, login):
    for persona in (world.outsider_b, world.donor_a):
        client = login(persona)
        page = text(client.get(LIST))
        assert "COULIBALY" not in page and "DIALLO" not in page
        for d in (world.distribution_p, world.distribution_q):
            url = reverse("delivery:distribution_detail", args=[d.pk])
            assert client.get(url).status_code == 404
    assert login(world.donor_a).get(CREATE).status_code == 403

"""Distributions through the API: scope, recording, refusals, locked periods."""

import pytest

from suivi.audit.models import AuditEvent
from suivi.delivery.models import Distribution
from suivi.projects import services as project_services
from suivi.registry import services as registry_services
from tests import helpers
from tests.api.bodies import counts, distribution_body


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("manager_a", {"distribution_p", "distribution_q"}),
        ("partner_p", {"distribution_p"}),
        ("donor_a", set()),
        ("outsider_b", {"distribution_b"}),
    ],
)
def test_each_persona_lists_only_the_distributions_in_their_scope(world, api, persona, visible):
    caller = api(getattr(world, persona))
    response = caller.get("distributions")
    assert response.status_code == 200
    assert {d["id"] for d in response.json()["items"]} == {getattr(world, n).pk for n in visible}
    for name in {"distribution_p", "distribution_q", "distribution_b"} - visible:
        assert caller.get(f"distributions/{getattr(world, name).pk}").status_code == 404


def test_distribution_names_its_recipient(world, api):
    body = api(world.partner_p).get(f"distributions/{world.distribution_p.pk}").json()
    assert body["person"]["family_name"] == "Coulibaly"
    assert (body["item"], body["quantity"], body["kind"]) == ("Kit scolaire", 1, "kit")


def test_distributions_are_filtered_by_person_and_dates(world, api):
    caller = api(world.manager_a)
    mine = caller.get("distributions", person=world.person_q.pk).json()["items"]
    assert [d["id"] for d in mine] == [world.distribution_q.pk]
    assert caller.get("distributions", date_from="2026-03-01").json()["count"] == 0


def test_assistant_records_a_cash_distribution(world, api):
    body = distribution_body(
        world.pa,
        world.person_p,
        world.p,
        kind="cash",
        item="Transfert",
        value="25000",
        currency="XOF",
        modality="mobile_money",
    )
    response = api(world.assistant_a).post("distributions", body)
    assert response.status_code == 201
    distribution = Distribution.objects.get(pk=response.json()["id"])
    assert (distribution.person, distribution.partner) == (world.person_p, world.p)
    assert response.json()["value"] == 25000
    assert AuditEvent.objects.filter(
        action="distribution.record", target_id=str(distribution.pk), actor=world.assistant_a
    ).exists()


def test_distribution_to_a_household(world, api):
    household = registry_services.household_create(
        organisation=world.a, by=None, data={"code": "MEN-1"}, members=[world.person_p]
    )
    body = {**distribution_body(world.pa, world.person_p, world.p), "person": None}
    body["household"] = household.pk
    response = api(world.assistant_a).post("distributions", body)
    assert response.status_code == 201
    assert (response.json()["household_id"], response.json()["person"]) == (household.pk, None)


def test_focal_point_cannot_distribute_for_another_partner_or_to_their_persons(world, api):
    caller = api(world.partner_p)
    before = counts()
    other_partner = caller.post(
        "distributions", distribution_body(world.pa, world.person_p, world.q)
    )
    other_person = caller.post("distributions", distribution_body(world.pa, world.person_q))
    assert other_partner.status_code == 403
    assert other_person.status_code == 422
    assert "person" in other_person.json()["errors"]
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"person": None}, "person", "Give exactly one recipient"),
        ({"household": 1}, "person", "Give exactly one recipient"),
        ({"quantity": 0}, "quantity", "Enter a value above 0."),
        ({"quantity": "beaucoup"}, "quantity", "Enter a number"),
        ({"value": "1000"}, "currency", "Give the currency of the value."),
        ({"modality": "camel"}, "modality", "Choose one of"),
        ({"item": ""}, "item", "This field cannot be empty."),
        ({"session": 999999}, "session", "No session with id 999999"),
    ],
)
def test_bad_distribution_input_names_the_field_and_writes_nothing(
    world, api, changes, field, message
):
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post(
        "distributions", {**distribution_body(world.pa, world.person_p), **changes}
    )
    assert response.status_code == 422
    assert message in " ".join(response.json()["errors"][field]), response.json()
    assert counts() == before


def test_unregistered_person_is_refused_by_the_service_with_its_message(world, api):
    stranger = helpers.create_person(helpers.create_project(world.a, code="PA-LIV"))
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post("distributions", distribution_body(world.pa, stranger))
    assert response.status_code == 422
    assert "not registered in project PA-EDU" in response.json()["errors"]["person"][0]
    assert counts() == before


def test_distribution_in_a_locked_period_is_refused_with_409(world, api):
    project_services.period_lock(period=world.pa.periods.get(kind="quarter", number=1), by=None)
    caller = api(world.assistant_a)
    before = counts()
    response = caller.post("distributions", distribution_body(world.pa, world.person_p))
    assert response.status_code == 409
    assert counts() == before

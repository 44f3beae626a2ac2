"""Eligibility through the API: an ineligible person is refused with 422 and the failed criteria,
registered with an override reason, and the outcome shows on the person's registrations."""

import pytest

from suivi.audit.models import AuditEvent
from suivi.registry import services as registry_services
from suivi.registry.models import Person, Registration
from tests import helpers
from tests.api.bodies import person_body


@pytest.fixture
def displaced_only(world):
    """PA-EDU registers internally displaced children only."""
    rule_set = registry_services.eligibility_rule_set_create(
        project=world.pa, by=None, data={"name": "Enfants déplacés"}
    )
    for field, operator, value in [
        ("population_group", "in", ["idp"]),
        ("age", "between", [6, 17]),
    ]:
        registry_services.eligibility_criterion_add(
            rule_set=rule_set, by=None, data={"field": field, "operator": operator, "value": value}
        )
    return rule_set


def test_ineligible_person_is_refused_with_422_and_the_failed_criteria(world, api, displaced_only):
    before = Person.objects.count()
    response = api(world.assistant_a).post("persons", person_body(world.pa, world.p))
    assert response.status_code == 422
    body = response.json()
    assert "override_reason" in body["errors"]
    assert body["failed_criteria"] == [
        {
            "rule_set": "Enfants déplacés",
            "criterion": "Population group is one of Internally displaced",
            "reason": "Population group: Refugee: does not meet "
            "“Population group is one of Internally displaced”.",
        }
    ]
    assert Person.objects.count() == before


def test_the_refusal_is_in_the_language_the_program_asks_for(world, api, displaced_only):
    response = api(world.assistant_a, language="fr").post("persons", person_body(world.pa, world.p))
    assert response.status_code == 422
    assert response.json()["failed_criteria"][0]["criterion"] == (
        "Groupe de population est l’un de Personne déplacée interne (PDI)"
    )


def test_override_reason_registers_the_person_and_is_audited(world, api, displaced_only):
    body = person_body(world.pa, world.p, override_reason="Enfant réfugié hébergé par des PDI")
    response = api(world.assistant_a).post("persons", body)
    assert response.status_code == 201
    [registration] = response.json()["registrations"]
    assert registration["eligibility"] == "not_eligible"
    assert registration["override_reason"] == "Enfant réfugié hébergé par des PDI"
    stored = Registration.objects.get(person_id=response.json()["id"])
    assert stored.overridden_by == world.assistant_a
    assert AuditEvent.objects.filter(
        action="registration.eligibility_override", actor=world.assistant_a
    ).exists()


def test_eligible_person_is_registered_without_a_reason(world, api, displaced_only):
    body = person_body(world.pa, world.p, population_group="idp")
    response = api(world.assistant_a).post("persons", body)
    assert response.status_code == 201
    assert response.json()["registrations"][0]["eligibility"] == "eligible"


def test_registering_an_existing_person_in_another_project_checks_its_rules(world, api):
    other = helpers.create_project(world.a, code="PA-PROT", partners=[world.p])
    rule_set = registry_services.eligibility_rule_set_create(
        project=other, by=None, data={"name": "Hommes"}
    )
    registry_services.eligibility_criterion_add(
        rule_set=rule_set, by=None, data={"field": "sex", "operator": "in", "value": ["M"]}
    )
    caller = api(world.partner_p)
    path = f"persons/{world.person_p.pk}/registrations"
    body = {"project": other.pk, "registered_on": "2026-03-01"}
    response = caller.post(path, body)
    assert response.status_code == 422
    assert response.json()["failed_criteria"][0]["criterion"] == "Sex is one of Male"
    response = caller.post(path, {**body, "override_reason": "Chef de ménage absent"})
    assert response.status_code == 201
    assert response.json()["eligibility"] == "not_eligible"
    assert response.json()["partner"]["id"] == world.p.pk
    # Someone who may not see the person gets 404.
    assert api(world.outsider_b).post(path, body).status_code == 404


def test_changing_a_person_through_the_api_evaluates_their_registration_again(
    world, api, displaced_only
):
    caller = api(world.assistant_a)
    person = world.person_p
    assert caller.patch(f"persons/{person.pk}", {"population_group": "idp"}).status_code == 200
    body = caller.get(f"persons/{person.pk}").json()
    assert body["registrations"][0]["eligibility"] == "eligible"
    caller.patch(f"persons/{person.pk}", {"population_group": "host"})
    body = caller.get(f"persons/{person.pk}").json()
    assert body["registrations"][0]["eligibility"] == "not_eligible"

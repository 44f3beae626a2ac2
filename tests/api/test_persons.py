"""Persons through the API: reading within scope, registering, changing, refusals."""

import datetime

import pytest

from suivi.audit.models import AuditEvent
from suivi.projects import services as project_services
from suivi.registry import services as registry_services
from suivi.registry.models import Person, SpecificNeed
from tests import helpers
from tests.api.bodies import counts, person_body, today

# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("assistant_a", ["Diallo", "Coulibaly"]),
        ("partner_p", ["Coulibaly"]),
        ("donor_a", []),
        ("outsider_b", ["Ould Ahmed"]),
    ],
)
def test_each_persona_lists_only_the_persons_in_their_scope(world, api, persona, names):
    response = api(getattr(world, persona)).get("persons")
    assert response.status_code == 200
    assert [p["family_name"] for p in response.json()["items"]] == names


@pytest.mark.parametrize(
    ("persona", "hidden"),
    [("partner_p", "person_q"), ("donor_a", "person_p"), ("outsider_b", "person_p")],
)
def test_person_outside_scope_answers_404_like_an_absent_one(world, api, persona, hidden):
    caller = api(getattr(world, persona))
    assert caller.get(f"persons/{getattr(world, hidden).pk}").status_code == 404
    assert caller.get("persons/999999").status_code == 404


def test_person_shows_only_the_registrations_the_user_may_see(world, api):
    # Coulibaly is also registered by P in agency B's project, which agency A does not see.
    registry_services.registration_create(
        person=world.person_p,
        project=world.pb,
        partner=world.p,
        registered_on=datetime.date(2026, 2, 1),
        by=None,
    )
    body = api(world.assistant_a).get(f"persons/{world.person_p.pk}").json()
    assert [r["project"]["code"] for r in body["registrations"]] == ["PA-EDU"]
    assert body["reference"] == world.person_p.reference


def test_persons_are_searched_and_filtered_by_project(world, api):
    helpers.create_person(world.pa, partner=world.p, family_name="Traoré", given_name="Mariam")
    caller = api(world.assistant_a)
    for query in ("traore", "TRAORÉ mariam"):
        found = caller.get("persons", q=query).json()["items"]
        assert [p["given_name"] for p in found] == ["Mariam"], query
    in_project = caller.get("persons", project=world.pa.pk).json()
    assert in_project["count"] == 3
    assert caller.get("persons", project=world.pb.pk).json()["count"] == 0
    assert caller.get("persons", partner=world.q.pk).json()["items"][0]["family_name"] == "Diallo"


# --- Registering -------------------------------------------------------------------------------


def test_assistant_registers_a_person_for_a_partner(world, api):
    response = api(world.assistant_a).post("persons", person_body(world.pa, world.p))

    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.family_name, person.organisation) == ("Maïga", world.a)
    registration = person.registrations.get()
    assert (registration.project, registration.partner) == (world.pa, world.p)
    assert registration.registered_on == today()
    assert body["registrations"][0]["partner"]["acronym"] == "PP"
    event = AuditEvent.objects.get(action="person.register", target_id=str(person.pk))
    assert event.actor == world.assistant_a


def test_age_instead_of_birth_date_gives_an_estimated_date(world, api):
    body = person_body(world.pa, birth_date=None, age=15, registered_on="2026-03-02")
    response = api(world.assistant_a).post("persons", body)
    assert response.status_code == 201
    assert response.json()["birth_date"] == "2011-07-01"
    assert response.json()["birth_date_estimated"] is True


def test_person_with_needs_phone_and_progres_number(world, api):
    SpecificNeed.objects.create(code="CR-LO", name_fr="Enfant non accompagné", name_en="UAC")
    helpers.create_area("ML09", "Bamako")
    area = helpers.create_area("ML0901", "Bamako District", level=2)
    body = person_body(
        world.pa,
        phone="76 12 34 56",
        area=area.pk,
        specific_needs=["CR-LO"],
        progres="ML-123-456",
        wg_walking="a_lot",
    )
    response = api(world.assistant_a).post("persons", body)
    assert response.status_code == 201
    person = response.json()
    assert person["phone"] == "+22376123456"
    assert person["specific_needs"] == ["CR-LO"]
    assert person["external_ids"] == [{"scheme": "progres", "value": "ML-123-456"}]
    assert person["has_disability"] is True
    assert person["area"]["pcode"] == "ML0901"


def test_focal_point_registers_for_their_own_partner_when_none_is_given(world, api):
    response = api(world.partner_p).post("persons", person_body(world.pa))
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert person.registrations.get().partner == world.p


def test_focal_point_cannot_register_for_another_partner(world, api):
    before = counts()
    response = api(world.partner_p).post("persons", person_body(world.pa, world.q))
    assert response.status_code == 403
    assert "own organisation" in response.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize("persona", ["donor_a"])
def test_donor_viewer_cannot_register(world, api, persona):
    before = counts()
    response = api(getattr(world, persona)).post("persons", person_body(world.pa))
    assert response.status_code == 403
    assert counts() == before


def test_project_the_user_cannot_see_is_refused_on_the_project_field(world, api):
    before = counts()
    response = api(world.outsider_b).post("persons", person_body(world.pa))
    assert response.status_code == 422
    assert "project" in response.json()["errors"]
    assert counts() == before


def test_partner_that_is_not_in_the_project_is_refused_on_the_partner_field(world, api):
    r = helpers.create_organisation("Partenaire R", acronym="PR")
    response = api(world.assistant_a).post("persons", person_body(world.pa, r))
    assert response.status_code == 422
    assert "not a partner of project PA-EDU" in response.json()["errors"]["partner"][0]


def test_likely_duplicate_is_answered_409_with_candidates_until_confirmed(world, api):
    caller = api(world.assistant_a)
    body = person_body(
        world.pa, world.p, family_name="COULIBALY", given_name="Awa", birth_date="2011-01-01"
    )
    before = counts()

    refused = caller.post("persons", body)

    assert refused.status_code == 409
    assert [c["id"] for c in refused.json()["candidates"]] == [world.person_p.pk]
    assert "confirm" in refused.json()["detail"]
    match = refused.json()["matches"][0]
    assert match["id"] == world.person_p.pk
    assert 0 < match["score"] <= 1
    assert "same family name" in match["reasons"]
    assert counts() == before

    confirmed = caller.post("persons", {**body, "confirm": True})
    assert confirmed.status_code == 201
    assert Person.objects.filter(given_name="Awa").count() == 2


def test_duplicates_are_looked_for_only_among_persons_the_user_may_see(world, api):
    # Diallo Moussa is registered by Q: P's focal point does not see him.
    body = person_body(world.pa, family_name="Diallo", given_name="Moussa", sex="M")
    body["birth_date"] = "2010-05-01"
    response = api(world.partner_p).post("persons", body)
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date", "The date of birth cannot be in the future."),
        ({"birth_date": "14/03/2011"}, "birth_date", "Enter a date as YYYY-MM-DD"),
        ({"birth_date": None}, "birth_date", "Give the date of birth or, when it is unknown"),
        ({"age": 12}, "age", "Give either the date of birth or the age, not both"),
        ({"age": 130, "birth_date": None}, "age", "An age over 120 years is not plausible"),
        ({"registered_on": "2099-01-01"}, "registered_on", "cannot be in the future"),
        ({"phone": "12 34"}, "phone", "Enter a Malian (+223) or Mauritanian (+222) number"),
        ({"consent_scope": "programme"}, "consent_date", "Give the date on which consent"),
        ({"family_name": "  "}, "family_name", "This field is required."),
        ({"sex": "X"}, "sex", "Choose one of: 'F' or 'M'."),
        ({"population_group": None}, "population_group", "Choose one of"),
        ({"specific_needs": ["NOPE"]}, "specific_needs", "Unknown specific need codes: NOPE."),
        ({"nickname": "Fatou"}, "nickname", "Unknown field"),
        ({"area": "Gao"}, "area", "Enter a whole number."),
    ],
)
def test_bad_person_input_names_the_field_and_the_fix_and_writes_nothing(
    world, api, changes, field, message
):
    before = counts()
    response = api(world.assistant_a).post("persons", person_body(world.pa, world.p, **changes))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert message in " ".join(errors[field]), errors
    assert counts() == before


def test_missing_required_fields_are_all_listed(world, api):
    response = api(world.assistant_a).post("persons", {"project": world.pa.pk})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"family_name", "given_name", "sex", "population_group"} <= set(errors)
    assert errors["sex"] == ["This field is required."]


def test_progres_number_of_another_person_is_refused(world, api):
    caller = api(world.assistant_a)
    assert caller.post("persons", person_body(world.pa, progres="ML-1")).status_code == 201
    body = person_body(world.pa, given_name="Oumou", birth_date="1990-01-01", progres="ML-1")
    response = caller.post("persons", body)
    assert response.status_code == 422
    assert "already used" in response.json()["errors"]["progres"][0]


def test_registration_in_a_locked_period_is_refused_with_409_and_writes_nothing(world, api):
    q1 = world.pa.periods.get(kind="quarter", number=1)
    project_services.period_lock(period=q1, by=world.me_a)
    before = counts()

    response = api(world.assistant_a).post(
        "persons", person_body(world.pa, registered_on="2026-02-15")
    )

    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert counts() == before


# --- Changing ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_is_audited(world, api):
    response = api(world.assistant_a).patch(
        f"persons/{world.person_p.pk}", {"given_name": "Awa Bintou", "phone": "+223 76 00 00 01"}
    )
    assert response.status_code == 200
    person = Person.objects.get(pk=world.person_p.pk)
    assert (person.given_name, person.phone) == ("Awa Bintou", "+22376000001")
    assert (person.family_name, person.birth_date) == ("Coulibaly", datetime.date(2010, 5, 1))
    event = AuditEvent.objects.get(action="person.update", target_id=str(person.pk))
    assert event.actor == world.assistant_a
    assert set(event.changes) == {"given_name", "phone"}


def test_patch_with_an_age_replaces_the_date_of_birth_by_an_estimate(world, api):
    response = api(world.assistant_a).patch(f"persons/{world.person_p.pk}", {"age": 20})
    assert response.status_code == 200
    assert response.json()["birth_date_estimated"] is True
    assert response.json()["age"] in (19, 20)


def test_bad_patch_names_the_field_and_changes_nothing(world, api):
    before = counts()
    response = api(world.assistant_a).patch(
        f"persons/{world.person_p.pk}", {"given_name": "Awa Bintou", "phone": "12"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["phone"]
    assert Person.objects.get(pk=world.person_p.pk).given_name == "Awa"
    assert counts() == before


@pytest.mark.parametrize(
    ("persona", "person"),
    [("partner_p", "person_q"), ("outsider_b", "person_p"), ("donor_a", "person_p")],
)
def test_patch_outside_scope_answers_404_and_changes_nothing(world, api, persona, person):
    target = getattr(world, person)
    response = api(getattr(world, persona)).patch(f"persons/{target.pk}", {"given_name": "X"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.given_name != "X"


def test_focal_point_of_a_partner_that_left_the_project_reads_but_cannot_change(world, api):
    project_services.project_update(project=world.pa, by=world.admin_a, data={}, partners=[world.q])
    caller = api(world.partner_p)
    assert caller.get(f"persons/{world.person_p.pk}").status_code == 200

    response = caller.patch(f"persons/{world.person_p.pk}", {"given_name": "X"})

    assert response.status_code == 403
    assert Person.objects.get(pk=world.person_p.pk).given_name == "Awa"

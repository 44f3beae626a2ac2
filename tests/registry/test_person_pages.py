"""Person pages: registering, editing, reading and registering in another project, per persona."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from suivi.audit.models import AuditEvent
from suivi.registry import matching, services
from suivi.registry.models import DuplicateCandidate, ExternalId, Person, Registration
from tests import helpers
from tests.registry.pages import person_post, text

CREATE = reverse("registry:person_create")
LIST = reverse("registry:person_list")


def _counts():
    return (Person.objects.count(), Registration.objects.count(), AuditEvent.objects.count())


def test_assistant_registers_a_person_with_a_partner(world, login):
    client = login(world.assistant_a)
    response = client.post(CREATE, person_post(world.pa, world.p))

    person = Person.objects.get(family_name="Maïga")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    registration = person.registrations.get()
    assert (registration.project, registration.partner) == (world.pa, world.p)
    assert registration.registered_on == timezone.localdate()
    assert person.organisation == world.a
    assert person.has_disability  # "a lot of difficulty" walking
    event = AuditEvent.objects.get(action="person.register", target_id=str(person.pk))
    assert event.actor == world.assistant_a
    assert AuditEvent.objects.filter(action="registration.create", actor=world.assistant_a).exists()

    listing = text(client.get(LIST))
    assert person.reference in listing
    assert "MAÏGA Fatoumata" in listing
    detail = text(client.get(response["Location"]))
    assert "PA-EDU" in detail and "PP" in detail


def test_age_instead_of_date_gives_an_estimated_date_of_birth(world, login):
    client = login(world.assistant_a)
    registered_on = datetime.date(2026, 3, 2)
    data = person_post(world.pa, birth_date="", age="15", registered_on=registered_on.isoformat())
    response = client.post(CREATE, data)

    assert response.status_code == 302
    person = Person.objects.get(family_name="Maïga")
    assert person.birth_date == datetime.date(2011, 7, 1)
    assert person.birth_date_estimated is True
    assert "~15" in text(client.get(LIST))


def test_age_zero_before_july_does_not_give_a_birth_date_in_the_future(world, login):
    client = login(world.assistant_a)
    data = person_post(world.pa, birth_date="", age="0", registered_on="2026-03-02")
    assert client.post(CREATE, data).status_code == 302
    assert Person.objects.get(family_name="Maïga").birth_date == datetime.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": "2099-01-01"}, "The date of birth cannot be in the future."),
        ({"birth_date": "", "age": "130"}, "An age over 120 years is not plausible: check it."),
        ({"birth_date": "1890-01-01"}, "This date of birth gives an age over 120 years"),
        ({"birth_date": ""}, "Give the date of birth or, when it is unknown, the age in years."),
        ({"age": "12"}, "Give either the date of birth or the age, not both"),
        ({"registered_on": "2099-01-01"}, "The registration date cannot be in the future."),
        ({"phone": "12 34"}, "Enter a Malian (+223) or Mauritanian (+222) number"),
        ({"consent_scope": "programme"}, "Give the date on which consent was given."),
        ({"family_name": "  "}, "This field is required."),
    ],
)
def test_bad_person_input_is_refused_with_what_to_fix_and_nothing_written(
    world, login, changes, message
):
    client = login(world.assistant_a)
    before = _counts()
    response = client.post(CREATE, person_post(world.pa, world.p, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert _counts() == before


def test_partner_outside_the_project_is_refused(world, login):
    r = helpers.create_organisation("Partenaire R", acronym="PR")
    helpers.create_project(world.a, code="PA-LIV", partners=[r])
    client = login(world.assistant_a)
    before = _counts()
    response = client.post(CREATE, person_post(world.pa, r))
    assert response.status_code == 200
    assert "PR is not a partner of project PA-EDU" in text(response)
    assert _counts() == before


def test_phone_numbers_are_normalised(world, login):
    client = login(world.assistant_a)
    helpers.create_area("ML09", "Bamako")
    area = helpers.create_area("ML0901", "Bamako District", level=2)
    client.post(CREATE, person_post(world.pa, phone="+223 76 12 34 56"))
    client.post(CREATE, person_post(world.pa, given_name="Oumou", phone="0022276123457"))
    client.post(
        CREATE, person_post(world.pa, given_name="Kadia", phone="66.12.34.58", area=area.pk)
    )
    client.post(CREATE, person_post(world.pa, given_name="Adama", phone="66 12 34 59"))
    phones = dict(Person.objects.filter(family_name="Maïga").values_list("given_name", "phone"))
    assert phones == {
        "Fatoumata": "+22376123456",
        "Oumou": "+22276123457",
        "Kadia": "+22366123458",
        "Adama": "66123459",
    }


def test_focal_point_registers_only_for_their_own_partner_whatever_is_posted(world, login):
    client = login(world.partner_p)
    form = text(client.get(CREATE))
    assert 'name="partner"' not in form
    assert "PB-PROT" not in form

    response = client.post(CREATE, person_post(world.pa, world.q))

    assert response.status_code == 302
    registration = Person.objects.get(family_name="Maïga").registrations.get()
    assert registration.partner == world.p


def test_focal_point_cannot_register_in_a_project_of_another_agency(world, login):
    client = login(world.partner_p)
    before = _counts()
    response = client.post(CREATE, person_post(world.pb))
    assert response.status_code == 200
    assert _counts() == before


def test_focal_point_gets_404_on_other_partners_person(world, login):
    client = login(world.partner_p)
    for name in ("person_detail", "person_edit", "registration_create"):
        url = reverse(f"registry:{name}", args=[world.person_q.pk])
        assert client.get(url).status_code == 404, name
    edit = reverse("registry:person_edit", args=[world.person_q.pk])
    response = client.post(edit, person_post(world.pa, family_name="Changé"))
    assert response.status_code == 404
    world.person_q.refresh_from_db()
    assert world.person_q.family_name == "Diallo"
    listing = text(client.get(LIST))
    assert "COULIBALY" in listing and "DIALLO" not in listing


def test_outsider_gets_404_on_every_person_page_of_agency_a(world, login):
    client = login(world.outsider_b)
    for name in ("person_detail", "person_edit", "registration_create"):
        url = reverse(f"registry:{name}", args=[world.person_p.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, person_post(world.pa)).status_code == 404, name
    listing = text(client.get(LIST + "?q=Coulibaly"))
    assert "COULIBALY" not in listing
    assert "PA-EDU" not in text(client.get(CREATE))


def test_donor_viewer_sees_no_person_and_cannot_register(world, login):
    client = login(world.donor_a)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "COULIBALY" not in text(response) and "DIALLO" not in text(response)
    assert (
        client.get(reverse("registry:person_detail", args=[world.person_p.pk])).status_code == 404
    )
    assert client.get(CREATE).status_code == 403
    before = _counts()
    assert client.post(CREATE, person_post(world.pa)).status_code == 403
    assert _counts() == before


def test_anonymous_visitor_is_sent_to_log_in(client, world):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- The list ---------------------------------------------------------------------------------


def test_list_search_ignores_accents_and_case(world, login):
    helpers.create_person(world.pa, partner=world.p, family_name="Traoré", given_name="Mariam")
    client = login(world.assistant_a)
    for query in ("traore", "TRAORÉ", "traoré mariam", "Mariam Traore"):
        page = text(client.get(LIST, {"q": query}))
        assert "TRAORÉ Mariam" in page, query
        assert "COULIBALY" not in page, query


def test_list_search_finds_reference_phone_and_progres_number(world, login):
    services.person_update(
        person=world.person_p,
        by=None,
        data={"phone": "+22376000001"},
        external_ids={ExternalId.Scheme.PROGRES: "MLI-00042"},
    )
    client = login(world.assistant_a)
    reference = world.person_p.reference
    for query in (reference, reference.lower(), "76000001", "MLI-00042"):
        page = text(client.get(LIST, {"q": query}))
        assert "COULIBALY" in page, query
        assert "DIALLO" not in page, query


def test_list_filters_by_sex_disability_project_partner_and_area(world, login):
    gao = helpers.create_area("ML07", "Gao")
    ansongo = helpers.create_area("ML0702", "Ansongo", level=2, parent=gao)
    kidal = helpers.create_area("ML08", "Kidal")
    services.person_update(person=world.person_p, by=None, data={"area": ansongo})
    services.person_update(
        person=world.person_q, by=None, data={"area": kidal, "wg_seeing": "cannot"}
    )
    client = login(world.assistant_a)

    def names(**params):
        page = text(client.get(LIST, params))
        return {n for n in ("COULIBALY", "DIALLO") if n in page}

    assert names() == {"COULIBALY", "DIALLO"}
    assert names(sex="M") == {"DIALLO"}
    assert names(disability="yes") == {"DIALLO"}
    assert names(disability="no") == {"COULIBALY"}
    assert names(partner=world.p.pk) == {"COULIBALY"}
    assert names(project=world.pa.pk) == {"COULIBALY", "DIALLO"}
    assert names(area=gao.pk) == {"COULIBALY"}
    assert names(population_group="migrant") == set()


def test_list_ignores_malformed_filters(world, login):
    client = login(world.assistant_a)
    response = client.get(
        LIST, {"area": "abc", "disability": "maybe", "project": "999999", "page": "zz", "sex": "X"}
    )
    assert response.status_code == 200
    assert "COULIBALY" in text(response)


def test_list_shows_only_the_projects_the_user_sees(world, login):
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.q])
    services.registration_create(
        person=world.person_p,
        project=other,
        partner=world.q,
        registered_on=datetime.date(2026, 2, 1),
        by=None,
    )
    page = text(login(world.partner_p).get(LIST))
    assert "PA-EDU" in page and "PA-LIV" not in page
    page = text(login(world.assistant_a).get(LIST))
    assert "PA-EDU, PA-LIV" in page or "PA-LIV, PA-EDU" in page


def test_list_queries_do_not_grow_with_rows(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.assistant_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(LIST, {"sex": "F"}).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for i in range(30):
        helpers.create_person(world.pa, partner=world.p, family_name=f"Keita {i}")
    assert queries() == few
    assert "KEITA 29" in text(client.get(LIST))


# --- Duplicates -------------------------------------------------------------------------------


def test_likely_duplicate_is_shown_and_register_anyway_creates(world, login):
    client = login(world.assistant_a)
    # Awa Coulibaly, F, born 2010 is already registered: the same name without accents and
    # upper case, born a year later, is likely her.
    data = person_post(
        world.pa, world.p, family_name="COULIBALY", given_name="awa", birth_date="2011-02-01"
    )
    before = _counts()
    response = client.post(CREATE, data)
    assert response.status_code == 200
    page = text(response)
    assert "This person may already be registered." in page
    assert world.person_p.reference in page
    assert reverse("registry:person_detail", args=[world.person_p.pk]) in page
    assert 'name="confirm" value="1"' in page
    assert _counts() == before

    response = client.post(CREATE, {**data, "confirm": "1"})
    assert response.status_code == 302
    assert Person.objects.filter(family_name="COULIBALY").count() == 1


def test_same_name_with_a_distant_birth_year_or_other_sex_is_not_a_duplicate(world, login):
    client = login(world.assistant_a)
    far = person_post(world.pa, family_name="Coulibaly", given_name="Awa", birth_date="1990-01-01")
    assert client.post(CREATE, far).status_code == 302
    male = person_post(world.pa, family_name="Coulibaly", given_name="Awa", sex="M")
    assert client.post(CREATE, male).status_code == 302


def test_same_phone_and_given_name_is_a_likely_duplicate_with_score_and_reasons(world, login):
    services.person_update(person=world.person_p, by=None, data={"phone": "+22376000001"})
    client = login(world.assistant_a)
    # Awa, same phone, same birth year, registered under another family name.
    data = person_post(
        world.pa, family_name="Koné", given_name="Awa", phone="76 00 00 01", birth_date="2010-01-01"
    )
    response = client.post(CREATE, data)
    assert response.status_code == 200
    page = text(response)
    assert world.person_p.reference in page
    assert "same phone" in page
    assert "same given name" in page
    assert " %" in page


def test_a_sibling_sharing_the_household_phone_is_not_a_duplicate(world, login):
    services.person_update(person=world.person_p, by=None, data={"phone": "+22376000001"})
    client = login(world.assistant_a)
    sister = person_post(
        world.pa,
        family_name="Coulibaly",
        given_name="Mariam",
        phone="76 00 00 01",
        birth_date="2014-06-01",
    )
    assert client.post(CREATE, sister).status_code == 302


def test_transliterated_and_swapped_names_are_likely_duplicates(world, login):
    client = login(world.assistant_a)
    # Coulibaly Awa, written Kulibali, family and given names swapped.
    data = person_post(world.pa, family_name="Awa", given_name="Kulibali", birth_date="2010-05-01")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    page = text(response)
    assert world.person_p.reference in page
    assert "family and given names swapped" in page


def test_register_anyway_puts_the_pair_in_the_review_queue(world, login):
    client = login(world.assistant_a)
    data = person_post(
        world.pa, world.p, family_name="COULIBALY", given_name="awa", birth_date="2011-02-01"
    )
    assert client.post(CREATE, {**data, "confirm": "1"}).status_code == 302
    new = Person.objects.get(family_name="COULIBALY")
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.person_low_id, candidate.person_high_id} == {new.pk, world.person_p.pk}
    assert candidate.source == "registration"
    assert "family:exact" in candidate.reasons


def test_duplicate_warning_never_shows_persons_the_user_cannot_see(world, login):
    client = login(world.partner_p)
    # Moussa Diallo exists, but registered with partner Q: the focal point of P must not learn it.
    data = person_post(
        world.pa, family_name="Diallo", given_name="Moussa", sex="M", birth_date="2010-05-01"
    )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    assert matching.likely_matches(
        world.assistant_a,
        {
            "family_name": "diallo",
            "given_name": "MOUSSA",
            "sex": "M",
            "birth_date": datetime.date(2010, 1, 1),
        },
    )


def test_progres_number_used_by_someone_else_is_refused(world, login):
    services.person_update(
        person=world.person_q,
        by=None,
        data={},
        external_ids={ExternalId.Scheme.PROGRES: "MLI-00077"},
    )
    before = _counts()
    # The assistant sees who holds the number...
    response = login(world.assistant_a).post(CREATE, person_post(world.pa, progres="MLI-00077"))
    page = text(response)
    assert response.status_code == 200
    assert "MLI-00077 is already used by Moussa DIALLO (P-" in page
    # ...the focal point of P, who does not see Moussa Diallo, only that it is taken.
    response = login(world.partner_p).post(CREATE, person_post(world.pa, progres="MLI-00077"))
    page = text(response)
    assert response.status_code == 200
    assert "The proGres number MLI-00077 is already used." in page
    assert world.person_q.reference not in page and "DIALLO" not in page
    assert _counts() == before


# --- Editing and registering in another project -----------------------------------------------


def _edit_post(person, **changes) -> dict:
    data = {
        "family_name": person.family_name,
        "given_name": person.given_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "population_group": person.population_group,
        "phone": person.phone,
        "consent_scope": "",
        "progres": "",
    }
    data.update(changes)
    return data


def test_edit_form_shows_current_values_and_saves_with_an_audit_event(world, login):
    client = login(world.partner_p)
    url = reverse("registry:person_edit", args=[world.person_p.pk])
    form = text(client.get(url))
    assert 'value="Coulibaly"' in form and 'value="2010-05-01"' in form
    assert 'name="project"' not in form

    response = client.post(url, _edit_post(world.person_p, phone="76 11 22 33", progres="MLI-1"))

    assert response.status_code == 302
    world.person_p.refresh_from_db()
    assert world.person_p.phone == "76112233"
    assert world.person_p.external_ids.get().value == "MLI-1"
    event = AuditEvent.objects.filter(action="person.update", target_id=str(world.person_p.pk))
    assert event.filter(actor=world.partner_p, changes__has_key="phone").exists()


def test_edit_with_bad_input_changes_nothing(world, login):
    client = login(world.assistant_a)
    url = reverse("registry:person_edit", args=[world.person_p.pk])
    before = AuditEvent.objects.count()
    response = client.post(url, _edit_post(world.person_p, birth_date="2099-01-01"))
    assert response.status_code == 200
    world.person_p.refresh_from_db()
    assert world.person_p.birth_date == datetime.date(2010, 5, 1)
    assert AuditEvent.objects.count() == before


def test_register_an_existing_person_in_another_project_and_refuse_it_twice(world, login):
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p])
    client = login(world.assistant_a)
    url = reverse("registry:registration_create", args=[world.person_p.pk])
    data = {"project": other.pk, "partner": world.p.pk, "registered_on": "2026-03-01"}

    assert client.post(url, data).status_code == 302
    assert world.person_p.registrations.filter(project=other, partner=world.p).exists()

    before = Registration.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This person is already registered in project PA-LIV." in text(response)
    assert Registration.objects.count() == before


def test_focal_point_registration_in_another_project_is_for_their_partner(world, login):
    other = helpers.create_project(world.a, code="PA-LIV", partners=[world.p, world.q])
    client = login(world.partner_p)
    url = reverse("registry:registration_create", args=[world.person_p.pk])
    data = {"project": other.pk, "partner": world.q.pk, "registered_on": "2026-03-01"}
    assert client.post(url, data).status_code == 302
    assert world.person_p.registrations.get(project=other).partner == world.p


def test_person_detail_shows_facts_and_only_visible_delivery(world, login):
    from suivi.delivery import services as delivery_services

    delivery_services.attendance_record(session=world.session_p, persons=[world.person_p], by=None)
    services.person_update(
        person=world.person_p,
        by=None,
        data={"wg_hearing": "cannot"},
        external_ids={ExternalId.Scheme.PROGRES: "MLI-00042"},
    )
    page = text(
        login(world.partner_p).get(reverse("registry:person_detail", args=[world.person_p.pk]))
    )
    assert "Formation P" in page
    assert "MLI-00042" in page
    assert "Kit scolaire" in page
    assert reverse("registry:person_edit", args=[world.person_p.pk]) in page
    assert reverse("registry:registration_create", args=[world.person_p.pk]) in page


def test_registration_dated_in_a_locked_period_is_refused_and_nothing_written(world, login):
    from suivi.projects import services as project_services

    period = world.pa.periods.get(kind="quarter", year=2026, number=1)
    project_services.period_lock(period=period, by=world.me_a)
    client = login(world.assistant_a)
    before = _counts()
    response = client.post(CREATE, person_post(world.pa, world.p, registered_on="2026-02-01"))
    assert response.status_code == 200
    assert "The reporting period containing 01/02/2026 is locked" in text(response)
    assert _counts() == before
    assert client.post(CREATE, person_post(world.pa, world.p)).status_code == 302


def test_specific_needs_and_consent_are_recorded_and_shown(world, login):
    from suivi.registry.models import SpecificNeed

    child = SpecificNeed.objects.create(
        code="CR", name_fr="Enfant à risque", name_en="Child at risk"
    )
    SpecificNeed.objects.create(code="SM", name_fr="Maladie grave", name_en="Serious condition")
    client = login(world.assistant_a)
    data = person_post(
        world.pa,
        specific_needs=[child.pk],
        consent_date="2026-03-01",
        consent_scope="partners",
        progres="MLI-555",
    )
    response = client.post(CREATE, data)
    person = Person.objects.get(family_name="Maïga")
    assert list(person.specific_needs.all()) == [child]
    assert (str(person.consent_date), person.consent_scope) == ("2026-03-01", "partners")
    page = text(client.get(response["Location"]))
    assert "Child at risk" in page and "Serious condition" not in page
    assert "MLI-555" in page and "Sharing with the programme" in page

"""Eligibility through the pages: rules edited by the M&E team, registration refused or
overridden, re-evaluation when a person changes, the person page and the compliance report."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
from django.urls import reverse

from suivi.audit.models import AuditEvent
from suivi.registry import services
from suivi.registry.models import EligibilityCriterion, Person, Registration
from tests import helpers
from tests.registry.pages import person_post, text


def _rules(project, *criteria, name="Enfants déplacés"):
    rule_set = services.eligibility_rule_set_create(project=project, by=None, data={"name": name})
    for field, operator, value in criteria:
        services.eligibility_criterion_add(
            rule_set=rule_set, by=None, data={"field": field, "operator": operator, "value": value}
        )
    return rule_set


def _in_french(client):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    return client


def _criterion_post(**changes) -> dict:
    data = {
        "field": "age",
        "operator": "between",
        "low": "6",
        "high": "17",
        "codes": "",
        "flag": "",
    }
    data.update(changes)
    return data


# --- Editing the rules -------------------------------------------------------------------------


def test_me_officer_creates_a_rule_set_and_its_criteria(world, login):
    client = login(world.me_a)
    response = client.post(
        reverse("registry:rule_set_create", args=[world.pa.pk]),
        {"name": "Élèves de 6 à 17 ans", "planned_activity": "", "reference": "registration",
         "reference_date": "", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule_set = world.pa.eligibility_rule_sets.get()
    add = reverse("registry:criterion_add", args=[rule_set.pk])
    assert client.post(add, _criterion_post()).status_code == 302
    assert (
        client.post(add, _criterion_post(field="sex", operator="in", codes="F")).status_code == 302
    )
    page = text(client.get(reverse("registry:rule_set_detail", args=[rule_set.pk])))
    assert "Age (years) is between 6 and 17" in page
    assert "Sex is one of Female" in page
    assert AuditEvent.objects.filter(action="eligibility.criterion_add").count() == 2


def test_an_empty_range_is_refused_on_the_page_with_what_to_fix(world, login):
    rule_set = _rules(world.pa)
    client = login(world.me_a)
    response = client.post(
        reverse("registry:criterion_add", args=[rule_set.pk]), _criterion_post(low="18", high="6")
    )
    assert response.status_code == 200
    assert "The range is empty: the minimum 18 is above the maximum 6." in text(response)
    assert not EligibilityCriterion.objects.exists()


def test_an_operator_that_does_not_fit_the_field_is_refused_in_french(world, login):
    rule_set = _rules(world.pa)
    client = _in_french(login(world.me_a))
    response = client.post(
        reverse("registry:criterion_add", args=[rule_set.pk]),
        _criterion_post(field="population_group", operator="between"),
    )
    assert response.status_code == 200
    assert "« est entre » ne s’applique pas à Groupe de population" in text(response)


def test_a_criterion_is_changed_and_removed(world, login):
    rule_set = _rules(world.pa, ("age", "at_most", 17))
    criterion = rule_set.criteria.get()
    client = login(world.me_a)
    edit = reverse("registry:criterion_edit", args=[criterion.pk])
    assert "17" in text(client.get(edit))
    assert client.post(edit, _criterion_post(operator="at_least", low="5")).status_code == 302
    criterion.refresh_from_db()
    assert (criterion.operator, criterion.value) == ("at_least", 5)
    assert client.post(reverse("registry:criterion_delete", args=[criterion.pk])).status_code == 302
    assert not rule_set.criteria.exists()


def test_only_the_me_team_changes_rules_others_in_the_project_read_them(world, login):
    rule_set = _rules(world.pa, ("age", "at_most", 17))
    client = login(world.assistant_a)
    assert client.get(reverse("registry:rule_set_list", args=[world.pa.pk])).status_code == 200
    for name, pk in [("rule_set_create", world.pa.pk), ("criterion_add", rule_set.pk),
                     ("rule_set_edit", rule_set.pk)]:  # fmt: skip
        assert client.get(reverse(f"registry:{name}", args=[pk])).status_code == 403, name


def test_outsider_gets_404_and_donor_gets_no_rules(world, login):
    rule_set = _rules(world.pa, ("age", "at_most", 17))
    client = login(world.outsider_b)
    assert client.get(reverse("registry:rule_set_list", args=[world.pa.pk])).status_code == 404
    assert client.get(reverse("registry:rule_set_detail", args=[rule_set.pk])).status_code == 404
    client = login(world.donor_a)
    assert client.get(reverse("registry:rule_set_list", args=[world.pa.pk])).status_code == 403
    assert client.get(reverse("registry:compliance_report", args=[world.pa.pk])).status_code == 403
    assert client.get(reverse("registry:rule_set_detail", args=[rule_set.pk])).status_code == 404


# --- Registration -------------------------------------------------------------------------------


def test_registering_an_ineligible_person_needs_a_reason_which_is_audited(world, login):
    _rules(world.pa, ("population_group", "in", ["idp", "returnee"]))
    client = login(world.assistant_a)
    url = reverse("registry:person_create")
    before = Person.objects.count()
    response = client.post(url, person_post(world.pa, world.p))
    assert response.status_code == 200
    page = text(response)
    assert "does not meet the eligibility rules of the project" in page
    assert "Population group: Refugee: does not meet" in page
    assert Person.objects.count() == before

    response = client.post(
        url, person_post(world.pa, world.p, override_reason="Orpheline hébergée par un déplacé")
    )
    assert response.status_code == 302
    registration = Registration.objects.get(person__family_name="Maïga")
    assert registration.eligibility == "not_eligible"
    assert registration.override_reason == "Orpheline hébergée par un déplacé"
    assert registration.overridden_by == world.assistant_a
    event = AuditEvent.objects.get(action="registration.eligibility_override")
    assert event.actor == world.assistant_a
    assert event.changes["override_reason"] == "Orpheline hébergée par un déplacé"


def test_an_eligible_person_is_registered_without_a_reason(world, login):
    _rules(world.pa, ("population_group", "in", ["refugee"]), ("age", "between", [6, 17]))
    client = login(world.assistant_a)
    response = client.post(reverse("registry:person_create"), person_post(world.pa, world.p))
    assert response.status_code == 302
    registration = Registration.objects.get(person__family_name="Maïga")
    assert registration.eligibility == "eligible"
    assert registration.eligibility_failures == []
    assert registration.override_reason == ""


def test_registration_in_another_project_checks_that_projects_rules(world, login):
    other = helpers.create_project(world.a, code="PA-PROT", partners=[world.p])
    _rules(other, ("sex", "in", ["M"]))
    client = login(world.assistant_a)
    url = reverse("registry:registration_create", args=[world.person_p.pk])
    post = {"project": other.pk, "partner": world.p.pk, "registered_on": "2026-03-01"}
    response = client.post(url, post)
    assert response.status_code == 200
    assert "Sex: Female: does not meet “Sex is one of Male”." in text(response)
    assert (
        client.post(url, {**post, "override_reason": "Mère d'un enfant suivi"}).status_code == 302
    )
    assert Registration.objects.get(project=other).overridden_by == world.assistant_a


def test_changing_a_person_evaluates_their_registrations_again(world, login):
    rule_set = _rules(world.pa, ("population_group", "in", ["refugee"]))
    registration = world.person_p.registrations.get()
    registration.refresh_from_db()
    assert registration.eligibility == "eligible"  # the rules were added after registering
    client = login(world.assistant_a)
    data = {k: v for k, v in person_post(world.pa).items()
            if k not in ("project", "partner", "registered_on")}  # fmt: skip
    data.update(family_name="Coulibaly", given_name="Awa", population_group="host")
    response = client.post(reverse("registry:person_edit", args=[world.person_p.pk]), data)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.eligibility == "not_eligible"
    assert registration.eligibility_failures == [
        {"criterion": rule_set.criteria.get().pk, "status": "failed"}
    ]
    assert AuditEvent.objects.filter(
        action="registration.eligibility", target_id=str(registration.pk)
    ).exists()


def test_person_page_shows_each_criterion_passed_or_failed_with_its_reason(world, login):
    _rules(world.pa, ("sex", "in", ["F"]), ("age", "at_least", 18))
    page = text(login(world.assistant_a).get(
        reverse("registry:person_detail", args=[world.person_p.pk])
    ))  # fmt: skip
    assert "Eligibility in PA-EDU: Not eligible" in page
    assert "Sex: Female: meets “Sex is one of Female”." in page
    assert "Age 15 on 10/01/2026: does not meet “Age (years) is at least 18”." in page


# --- Compliance report --------------------------------------------------------------------------


def _count_row(page: str, criterion: str) -> list[int]:
    """Passed, failed and unknown of a criterion's row in the report's table."""
    row = page[page.index(f"<td>{criterion}</td>") :].split("</tr>")[0]
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]


def _report(client, project, **params):
    return client.get(reverse("registry:compliance_report", args=[project.pk]), params)


def test_compliance_report_counts_and_lists_who_fails_which_criterion(world, login):
    helpers.create_person(world.pa, partner=world.q, family_name="Keïta", birth_date=None,
                          population_group="idp")  # fmt: skip
    _rules(world.pa, ("population_group", "in", ["idp"]), ("age", "at_most", 17))
    page = text(_report(login(world.manager_a), world.pa))
    assert "3 registrations checked." in page
    # Population group: 1 passes, 2 fail; age: 2 pass, 0 fail, 1 unknown.
    assert _count_row(page, "Population group is one of Internally displaced") == [1, 2, 0]
    assert _count_row(page, "Age (years) is at most 17") == [2, 0, 1]
    assert "Coulibaly".upper() in page and "DIALLO" in page and "KEÏTA" in page
    assert "Age (years) is at most 17 (missing data)" in page


def test_partner_sees_only_their_own_registrations_in_the_report(world, login):
    _rules(world.pa, ("population_group", "in", ["idp"]))
    page = text(_report(login(world.partner_p), world.pa))
    assert "COULIBALY" in page
    assert "DIALLO" not in page
    assert "1 registration checked." in page
    # Staff filter by partner.
    page = text(_report(login(world.manager_a), world.pa, partner=world.q.pk))
    assert "DIALLO" in page and "COULIBALY" not in page


def test_compliance_report_downloads_as_excel(world, login):
    _rules(world.pa, ("population_group", "in", ["idp"]), ("sex", "in", ["F"]))
    response = _report(login(world.manager_a), world.pa, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="conformite-PA-EDU')
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary, rows = book.worksheets
    assert [c.value for c in summary[2]][:5] == [
        "Enfants déplacés", "Population group is one of Internally displaced", 0, 2, 0,
    ]  # fmt: skip
    lines = [[c.value for c in row] for row in rows.iter_rows(min_row=2)]
    failing = sorted((line[1], line[8]) for line in lines)
    assert failing == [
        ("Coulibaly", "Population group is one of Internally displaced"),
        ("Diallo", "Population group is one of Internally displaced"),
        ("Diallo", "Sex is one of Female"),
    ]


def test_compliance_report_is_in_french(world, login):
    _rules(world.pa, ("population_group", "in", ["idp"]))
    client = _in_french(login(world.manager_a))
    page = text(client.get(reverse("registry:compliance_report", args=[world.pa.pk])))
    assert "Conformité aux règles d’éligibilité" in page
    assert "Groupe de population est l’un de Personne déplacée interne (PDI)" in page
    assert "2 inscriptions vérifiées." in page


def test_report_of_a_planned_activity_rule_set(world, login):
    from suivi.projects import services as project_services

    activity = project_services.planned_activity_create(
        project=world.pa, by=None,
        data={"title_fr": "Bourses", "start_date": world.pa.start_date,
              "end_date": world.pa.end_date},
    )  # fmt: skip
    rule_set = services.eligibility_rule_set_create(
        project=world.pa,
        by=None,
        data={"name": "Bourses", "planned_activity": activity, "reference": "fixed",
              "reference_date": datetime.date(2026, 9, 1)},
    )  # fmt: skip
    services.eligibility_criterion_add(
        rule_set=rule_set, by=None, data={"field": "age", "operator": "at_most", "value": 15}
    )
    # The activity's rules do not decide registration: the stored outcome stays eligible.
    assert world.person_p.registrations.get().eligibility in ("", "eligible")
    page = text(_report(login(world.manager_a), world.pa, rule_set=rule_set.pk))
    assert "Age (years) is at most 15" in page
    assert "2 registrations checked." in page


def test_rule_set_is_changed_and_a_fixed_reference_needs_its_date(world, login):
    rule_set = _rules(world.pa, ("age", "at_most", 15))
    client = login(world.me_a)
    url = reverse("registry:rule_set_edit", args=[rule_set.pk])
    post = {"name": "Enfants", "planned_activity": "", "reference": "fixed", "reference_date": "",
            "active": "on"}  # fmt: skip
    response = client.post(url, post)
    assert response.status_code == 200
    assert "Give the reference date" in text(response)
    assert client.post(url, {**post, "reference_date": "2026-09-01"}).status_code == 302
    rule_set.refresh_from_db()
    assert (rule_set.name, rule_set.reference_date) == ("Enfants", datetime.date(2026, 9, 1))
    # Person P is 16 on 01/09/2026: the stored outcome follows the new reference date.
    assert world.person_p.registrations.get().eligibility == "not_eligible"
    assert AuditEvent.objects.filter(action="eligibility.rule_set_update").exists()


def test_the_report_shows_the_age_the_rules_judged_not_todays(world, login):
    """Born in June 2014 and registered in January 2026: 11 on the registration day, the rules'
    reference, so « between 12 and 24 » fails; the report says 11, not the age of today."""
    helpers.create_person(world.pa, partner=world.q, family_name="Ilboudo",
                          birth_date=datetime.date(2014, 6, 1))  # fmt: skip
    _rules(world.pa, ("age", "between", [12, 24]))
    client = login(world.manager_a)
    page = text(_report(client, world.pa))
    row = page[page.index("ILBOUDO") :].split("</tr>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["11"]
    assert "Age on the reference day" in page
    response = _report(client, world.pa, format="xlsx")
    _summary, rows = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    lines = {row[1].value: row[4].value for row in rows.iter_rows(min_row=2)}
    assert lines["Ilboudo"] == 11

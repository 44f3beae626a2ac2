"""The eligibility engine: criteria checked at save, one person explained, a list in the database.

Each behaviour is checked on one person (``evaluate``) and on the same persons through the
database (``compliance``): the two must give the same answers.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from suivi.projects import services as project_services
from suivi.registry import eligibility, services
from suivi.registry.models import EligibilityRuleSet, Registration, SpecificNeed
from tests import helpers

DAY = datetime.date(2026, 9, 1)


def _activity(project):
    return project_services.planned_activity_create(
        project=project,
        by=None,
        data={
            "title_fr": "Bourses",
            "start_date": project.start_date,
            "end_date": project.end_date,
        },
    )


def _rule_set(project, *criteria, reference="fixed", day=DAY, activity="new"):
    """A rule set of a planned activity by default: those do not gate registration, so the
    persons of a test can be registered after it."""
    if activity == "new":
        activity = _activity(project)
    rule_set = services.eligibility_rule_set_create(
        project=project,
        by=None,
        data={
            "name": "Règles",
            "reference": reference,
            "reference_date": day if reference == "fixed" else None,
            "planned_activity": activity,
        },
    )
    for field, operator, value in criteria:
        services.eligibility_criterion_add(
            rule_set=rule_set, by=None, data={"field": field, "operator": operator, "value": value}
        )
    return EligibilityRuleSet.objects.prefetch_related("criteria").get(pk=rule_set.pk)


def _outcomes_in_python(rule_set, person, registered_on=datetime.date(2026, 1, 10)):
    return [r.outcome for r in eligibility.evaluate(person, rule_set, on=registered_on).results]


def _outcomes_in_database(rule_set, person):
    report = eligibility.compliance(
        Registration.objects.filter(project=rule_set.project, person=person), [rule_set]
    )
    row = report.not_passing.values(*report.columns).first()
    if row is None:
        return [eligibility.PASSED] * len(report.counts)
    return [eligibility.OUTCOMES[row[c]] for c in report.columns]


def _both(rule_set, person):
    python = _outcomes_in_python(rule_set, person)
    database = _outcomes_in_database(rule_set, person)
    assert python == database, (python, database)
    return python


class TestCriteriaAreCheckedAtSave:
    def test_unknown_field_is_refused_with_the_fields_to_choose(self, world):
        with pytest.raises(ValidationError) as error:
            _rule_set(world.pa, ("shoe_size", "at_least", 3))
        assert "Unknown field shoe_size" in str(error.value.message_dict["field"])

    def test_operator_not_valid_for_the_field_is_refused(self, world):
        with pytest.raises(ValidationError) as error:
            _rule_set(world.pa, ("sex", "between", [1, 2]))
        message = error.value.message_dict["operator"][0]
        assert "does not apply to Sex" in message and "is one of" in message

    def test_empty_age_range_is_refused_in_french(self, world):
        with translation.override("fr"), pytest.raises(ValidationError) as error:
            _rule_set(world.pa, ("age", "between", [18, 6]))
        assert error.value.message_dict["value"] == [
            "La plage est vide : le minimum 18 est supérieur au maximum 6."
        ]

    def test_unknown_codes_are_named(self, world):
        with pytest.raises(ValidationError) as error:
            _rule_set(world.pa, ("population_group", "in", ["refugee", "martian"]))
        assert "martian" in error.value.message_dict["value"][0]
        with pytest.raises(ValidationError) as error:
            _rule_set(world.pa, ("area", "in", ["ZZ99"]))
        assert "ZZ99" in error.value.message_dict["value"][0]

    def test_fixed_reference_needs_a_date(self, world):
        with pytest.raises(ValidationError) as error:
            _rule_set(world.pa, reference="fixed", day=None)
        assert "reference_date" in error.value.message_dict


class TestOnePersonAndTheDatabaseAgree:
    def test_age_range_on_the_reference_date(self, world):
        rule_set = _rule_set(world.pa, ("age", "between", [6, 17]))
        child = helpers.create_person(world.pa, birth_date=datetime.date(2010, 9, 1))
        adult = helpers.create_person(world.pa, birth_date=datetime.date(2008, 9, 1))
        turns_18_next_day = helpers.create_person(world.pa, birth_date=datetime.date(2008, 9, 2))
        unknown = helpers.create_person(world.pa, birth_date=None)
        assert _both(rule_set, child) == ["passed"]
        assert _both(rule_set, adult) == ["failed"]
        assert _both(rule_set, turns_18_next_day) == ["passed"]
        assert _both(rule_set, unknown) == ["unknown"]

    def test_age_on_each_registration_date(self, world):
        rule_set = _rule_set(world.pa, ("age", "at_most", 15), reference="registration")
        # 15 on 10/01/2026, the registration date, though 16 by the fixed day of other tests.
        person = helpers.create_person(world.pa, birth_date=datetime.date(2010, 1, 11))
        assert _both(rule_set, person) == ["passed"]
        older = helpers.create_person(world.pa, birth_date=datetime.date(2010, 1, 10))
        assert _both(rule_set, older) == ["failed"]

    def test_an_area_includes_its_sub_areas(self, world):
        gao = helpers.create_area("ML07", "Gao")
        ansongo = helpers.create_area("ML0702", "Ansongo", level=2, parent=gao)
        mopti = helpers.create_area("ML05", "Mopti")
        rule_set = _rule_set(world.pa, ("area", "in", ["ml07"]))
        assert rule_set.criteria.get().value == ["ML07"]
        assert _both(rule_set, helpers.create_person(world.pa, area=ansongo)) == ["passed"]
        assert _both(rule_set, helpers.create_person(world.pa, area=mopti)) == ["failed"]
        assert _both(rule_set, helpers.create_person(world.pa, area=None)) == ["unknown"]

    def test_specific_needs_any_all_and_none(self, world):
        for code in ("DS", "CR", "SM"):
            SpecificNeed.objects.create(code=code, name_fr=code, name_en=code)
        rule_set = _rule_set(
            world.pa,
            ("specific_needs", "any", ["DS", "CR"]),
            ("specific_needs", "all", ["DS", "CR"]),
            ("specific_needs", "none", ["SM"]),
        )
        person = helpers.create_person(world.pa)
        person.specific_needs.set(SpecificNeed.objects.filter(code__in=["DS", "SM"]))
        assert _both(rule_set, person) == ["passed", "failed", "failed"]
        person.specific_needs.set(SpecificNeed.objects.filter(code__in=["DS", "CR"]))
        assert _both(rule_set, person) == ["passed", "passed", "passed"]

    def test_disability_household_size_and_choice_fields(self, world):
        rule_set = _rule_set(
            world.pa,
            ("has_disability", "is", True),
            ("household_size", "at_least", 2),
            ("sex", "in", ["F"]),
            ("population_group", "not_in", ["host"]),
            ("phone", "present", None),
            ("wg_walking", "in", ["a_lot", "cannot"]),
        )
        person = helpers.create_person(world.pa, wg_walking="a_lot", phone="+22376000001")
        services.household_create(
            organisation=world.a,
            by=None,
            data={"code": "MEN-1"},
            members=[person, helpers.create_person(world.pa)],
        )
        assert _both(rule_set, person) == ["passed"] * 6
        not_asked = helpers.create_person(world.pa, sex="M", population_group="host")
        assert _both(rule_set, not_asked) == [
            "unknown",
            "unknown",
            "failed",
            "failed",
            "failed",
            "unknown",
        ]


def test_reasons_say_what_the_record_holds_and_which_rule_in_french(world):
    rule_set = _rule_set(world.pa, ("age", "between", [6, 17]), ("sex", "in", ["M"]))
    person = helpers.create_person(world.pa, birth_date=datetime.date(2000, 1, 15))
    with translation.override("fr"):
        results = eligibility.evaluate(person, rule_set, on=DAY).results
        assert results[0].reason == (
            "Âge 26 ans au 01/09/2026 : ne respecte pas « Âge (ans) est entre 6 et 17 »."
        )
        assert results[1].reason == (
            "Sexe : Féminin : ne respecte pas « Sexe est l’un de Masculin »."
        )

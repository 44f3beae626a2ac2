"""Registering many checked persons at once (what an import's commit calls)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from suivi.audit.models import AuditEvent
from suivi.lib import bulk
from suivi.projects import services as project_services
from suivi.projects.models import ReportingPeriod
from suivi.registry import services
from suivi.registry.models import Person, Registration


def _rows(n, **extra):
    return [
        services.PersonRow(
            data={
                "family_name": "Sangaré",
                "given_name": f"Awa {i}",
                "sex": "F",
                "birth_date": datetime.date(2010, 1, 1),
                "population_group": "idp",
                **extra,
            },
            external_ids={"progres": f"ML-26-{i:06d}"},
            key=i,
        )
        for i in range(n)
    ]


def test_bulk_registration_matches_one_by_one_registration(world, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_ROWS", 2)
    seen = []
    created = services.persons_register_bulk(
        organisation=world.a,
        by=world.assistant_a,
        rows=_rows(5, wg_walking="a_lot"),
        project=world.pa,
        partner=world.p,
        registered_on=datetime.date(2026, 2, 1),
        on_batch=lambda rows, persons: seen.append(
            {r.key: p.pk for r, p in zip(rows, persons, strict=True)}
        ),
    )
    assert created == 5 and [len(b) for b in seen] == [2, 2, 1]
    persons = Person.objects.filter(family_name="Sangaré").order_by("pk")
    keys = {key: pk for batch in seen for key, pk in batch.items()}
    assert sorted(keys) == [0, 1, 2, 3, 4]
    assert all(Person.objects.get(pk=pk).given_name == f"Awa {key}" for key, pk in keys.items())
    for person in persons:
        assert person.has_disability  # derived by Person.fill_derived, as save() would
        assert person.created_by == world.assistant_a and person.created_at and person.updated_at
        assert person.external_ids.get().value.startswith("ML-26-")
    registrations = Registration.objects.filter(person__in=persons)
    assert {(r.project_id, r.partner_id, r.registered_on) for r in registrations} == {
        (world.pa.pk, world.p.pk, datetime.date(2026, 2, 1))
    }
    event = AuditEvent.objects.get(action="person.register_bulk")
    assert event.actor == world.assistant_a and event.changes["persons_created"] == 5


def test_bulk_registration_in_a_locked_period_is_refused(world):
    quarter = ReportingPeriod.objects.filter(project=world.pa, kind="quarter").order_by("start")[0]
    project_services.period_lock(period=quarter, by=world.me_a)
    with pytest.raises(ValidationError, match="is locked"):
        services.persons_register_bulk(
            organisation=world.a,
            by=world.assistant_a,
            rows=_rows(2),
            project=world.pa,
            registered_on=quarter.start,
        )
    assert not Person.objects.filter(family_name="Sangaré").exists()


def test_bulk_registration_with_a_taken_identifier_writes_nothing(world, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_ROWS", 2)
    world.person_q.external_ids.create(scheme="progres", value="ML-26-000003")
    with pytest.raises(IntegrityError):
        services.persons_register_bulk(
            organisation=world.a, by=None, rows=_rows(5), project=world.pa
        )
    assert not Person.objects.filter(family_name="Sangaré").exists()


def test_bulk_registration_never_gives_again_the_key_of_a_deleted_person(world):
    services.persons_register_bulk(organisation=world.a, by=None, rows=_rows(2), project=world.pa)
    last = Person.objects.order_by("pk").last()
    deleted = last.pk
    last.delete()
    rows = _rows(1)
    rows[0].external_ids = None
    services.persons_register_bulk(organisation=world.a, by=None, rows=rows, project=world.pa)
    assert Person.objects.order_by("pk").last().pk > deleted


def test_bulk_registration_stores_who_fails_the_projects_eligibility_rules(world):
    rule_set = services.eligibility_rule_set_create(
        project=world.pa, by=None, data={"name": "Réfugiés seulement"}
    )
    services.eligibility_criterion_add(
        rule_set=rule_set,
        by=None,
        data={"field": "population_group", "operator": "in", "value": ["refugee"]},
    )

    services.persons_register_bulk(
        organisation=world.a,
        by=world.assistant_a,
        rows=_rows(2),
        project=world.pa,
        partner=world.p,
        registered_on=datetime.date(2026, 3, 2),
    )

    imported = Registration.objects.filter(person__given_name__startswith="Awa ", project=world.pa)
    assert imported.count() == 2
    assert set(imported.values_list("eligibility", flat=True)) == {"not_eligible"}


def test_without_criteria_every_imported_person_is_eligible_and_stays_so_when_the_last_goes(world):
    services.persons_register_bulk(
        organisation=world.a,
        by=world.assistant_a,
        rows=_rows(3),
        project=world.pa,
        partner=world.p,
        registered_on=datetime.date(2026, 3, 2),
    )
    imported = Registration.objects.filter(person__given_name__startswith="Awa ", project=world.pa)
    assert (
        list(imported.values_list("eligibility", "eligibility_failures")) == [("eligible", [])] * 3
    )

    rule_set = services.eligibility_rule_set_create(
        project=world.pa, by=None, data={"name": "Réfugiés seulement"}
    )
    criterion = services.eligibility_criterion_add(
        rule_set=rule_set,
        by=None,
        data={"field": "population_group", "operator": "in", "value": ["refugee"]},
    )
    assert set(imported.values_list("eligibility", flat=True)) == {"not_eligible"}

    services.eligibility_criterion_delete(criterion=criterion, by=world.me_a)

    assert (
        list(imported.values_list("eligibility", "eligibility_failures")) == [("eligible", [])] * 3
    )
    refresh = AuditEvent.objects.filter(action="project.eligibility_refresh").order_by("pk")
    assert refresh.last().changes == {"changed": 3}


@pytest.mark.parametrize(
    ("day", "at"),
    [
        (datetime.date(2026, 3, 2), datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)),
        ("2026-03-02", "2026-03-02T10:00:00+00:00"),  # text goes through Django's preparation
    ],
)
def test_bulk_rows_store_dates_and_times_as_django_would_whatever_their_form(world, day, at):
    fields = ["organisation_id", "person_id", "project_id", "registered_on"]
    row = (world.a.pk, world.person_p.pk, world.pb.pk, day, at)

    bulk.insert_values(Registration, [*fields, "eligibility_evaluated_at"], [row])

    stored = Registration.objects.get(project=world.pb, person=world.person_p)
    assert stored.registered_on == datetime.date(2026, 3, 2)
    assert stored.eligibility_evaluated_at == datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    assert stored.created_at.tzinfo is not None

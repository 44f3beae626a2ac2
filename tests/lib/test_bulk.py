"""Bulk writing: instances built from dicts of values, written with COPY or executemany."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import signals

from suivi.lib import bulk
from suivi.registry.models import Person

VALUES = {
    "family_name": "Traoré",
    "given_name": "Mamadou",
    "sex": "M",
    "birth_date": datetime.date(1990, 3, 14),
    "phone": "+22376123456",
}


def _state(person: Person) -> dict:
    return {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}


def test_a_built_instance_is_the_one_the_constructor_makes(world):
    built = bulk.Builder(Person, organisation=world.a)(VALUES)
    made = Person(organisation=world.a, **VALUES)
    built.created_at = made.created_at = None  # defaults taken at different instants
    assert _state(built) == _state(made)
    assert built._state.adding and built._state.db is None
    assert built.organisation == world.a  # the relation reads like any instance's


def test_a_value_for_no_field_is_refused_not_dropped(world):
    with pytest.raises(TypeError, match="'villages'"):
        bulk.Builder(Person, organisation=world.a)({**VALUES, "villages": "Pelengana"})


def test_a_model_with_init_listeners_is_built_by_its_constructor(world):
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.family_name)

    signals.post_init.connect(listener, sender=Person)
    try:
        built = bulk.Builder(Person, organisation=world.a)(VALUES)
    finally:
        signals.post_init.disconnect(listener, sender=Person)
    assert seen == ["Traoré"] and built.given_name == "Mamadou"


def test_built_persons_are_written_with_their_keys(world):
    build = bulk.Builder(Person, organisation=world.a)
    persons = [build({**VALUES, "given_name": name}) for name in ("Awa", "Moussa")]
    for person in persons:
        person.fill_derived()
    bulk.insert(Person, persons)
    stored = Person.objects.filter(pk__in=[p.pk for p in persons]).order_by("pk")
    assert [p.given_name for p in stored] == ["Awa", "Moussa"]
    assert all(p.match_family for p in stored)

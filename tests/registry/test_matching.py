"""The matching engine: weights follow the evidence, the model exports, the stored keys agree."""

from __future__ import annotations

import datetime
import importlib

from suivi.lib import names
from suivi.registry import matching, services
from suivi.registry.models import Person


def _row(k, family, given, year=2000, sex="M", **extra):
    return {
        "id": k,
        "family_name": family,
        "given_name": given,
        "sex": sex,
        "birth_date": datetime.date(year, 6, 1),
        **extra,
    }


def test_agreeing_on_a_common_name_weighs_less_than_on_a_rare_one():
    rows = [_row(k, "Traoré", "Mamadou", 1950 + k % 60) for k in range(300)]
    rows += [_row(300 + k, f"Famille{k}", f"Prenom{k}", 1950 + k % 60) for k in range(900)]
    rows += [_row(2000, "Tounkara", "Modibo", 1990), _row(2001, "Tounkara", "Modibo", 1990)]
    rows += [_row(2002, "Traore", "Mahamadou", 1990), _row(2003, "Traoré", "Mamadou", 1990)]
    frame = matching.Frame(rows)
    n = len(rows)
    scored = matching.score_pairs(frame, [n - 4, n - 2], [n - 3, n - 1])
    rare, common = scored.weight
    assert rare > common + 5


def test_same_name_born_a_generation_apart_is_never_a_match():
    frame = matching.Frame([_row(1, "Diallo", "Moussa", 1970), _row(2, "Diallo", "Moussa", 1995)])
    assert matching.score_pairs(frame, [0], [1]).probability[0] == 0


def test_swapped_names_are_compared_the_other_way_round():
    frame = matching.Frame([_row(1, "Traoré", "Awa", sex="F"), _row(2, "Awa", "Trawore", sex="F")])
    scored = matching.score_pairs(frame, [0], [1])
    assert scored.swapped[0]
    assert "swapped" in matching.reasons_for(scored, 0)
    assert "family and given names swapped" in matching.reason_labels(["swapped"])


def test_the_model_exports_as_splink_settings():
    settings = matching.splink_settings()
    exported = {c["output_column_name"]: c for c in settings["comparisons"]}
    assert set(exported) == {c.name for c in matching.MODEL.comparisons}
    levels = exported["family"]["comparison_levels"]
    assert levels[0]["is_null_level"]
    assert levels[1]["m_probability"] == matching.MODEL.comparisons[0].levels[0].m
    assert 0 < settings["probability_two_random_records_match"] < 1


def test_the_data_migration_computes_the_keys_as_the_model_does():
    migration = importlib.import_module("suivi.registry.migrations.0003_person_match_keys_fill")
    for name in ["Mahamadou", "Traoré", "Ould Sidi", "محمد", "N'Diaye", "Kulibali", "Cissé"]:
        assert migration.name_key(name) == names.name_key(name)
    assert migration.phone_key("+223 76 12 34 56") == names.phone_key("+22376123456")


def test_a_re_registration_is_found_among_more_namesakes_than_a_block_keeps(
    world, monkeypatch, django_user_model
):
    """Checked against many persons of the same name, the one born the same day is a candidate,
    wherever the database happens to store it."""
    from suivi.registry.models import Person

    monkeypatch.setattr(matching, "NEAR_BIRTH", 4)
    born = datetime.date(2011, 3, 14)
    namesakes = []
    for k in range(40):
        person = Person(
            organisation=world.a,
            family_name="Traoré",
            given_name="Mamadou",
            sex="M",
            birth_date=datetime.date(1960 + k, 6, 1),
            population_group="refugee",
        )
        person.fill_derived()
        namesakes.append(person)
    Person.objects.bulk_create(namesakes[:20])
    same = Person(
        organisation=world.a,
        family_name="Traoré",
        given_name="Mamadou",
        sex="M",
        birth_date=born,
        population_group="refugee",
        phone="",
    )
    same.fill_derived()
    same.save()
    Person.objects.bulk_create(namesakes[20:])

    probe = {"family_name": "TRAORE", "given_name": "Mahamadou", "sex": "M", "birth_date": born}
    found = {row["id"] for row in matching.candidate_rows(probe)}

    assert same.pk in found
    assert len(found) < 30


def _person(family, given, year, sex="M"):
    return {
        "family_name": family,
        "given_name": given,
        "sex": sex,
        "birth_date": datetime.date(year, 6, 1),
        "population_group": "refugee",
    }


def _register(organisation, *rows):
    services.persons_register_bulk(
        organisation=organisation, by=None, rows=[services.PersonRow(data=r) for r in rows]
    )


def test_link_pairs_new_records_with_the_registry_and_each_other_only(world):
    _register(
        world.a,
        _person("Coulibaly", "Awa", 2010, "F"),
        _person("Kulibali", "Awa", 2010, "F"),  # a pair of the registry: not a new record's
        _person("Diarra", "Moussa", 1980),
    )
    diarra = Person.objects.get(family_name="Diarra")
    rows = [
        _row(None, "Traoré", "Mamadou", 1990),
        _row(None, "Trawore", "Mahamadou", 1990),
        _row(None, "Diarra", "Mousa", 1980),
    ]
    persons = Person.objects.filter(organisation=world.a)
    links = matching.link(
        [{k: v for k, v in r.items() if k != "id"} for r in rows], persons=persons
    )
    found = {(x.row, x.other_row, x.person_id) for x in links}
    assert found == {(1, 0, None), (2, None, diarra.pk)}
    assert all(x.score >= matching.MODEL.threshold for x in links)


def test_linking_to_a_large_registry_weighs_a_common_name_less(world):
    common = [_person("Traoré", "Mamadou", 1950 + k % 60) for k in range(1200)]
    _register(world.a, *common, _person("Tounkara", "Modibo", 1990))
    rows = [
        {**_person("Traore", "Mahamadou", 1990), "birth_date_estimated": True},
        {**_person("Tounkara", "Modibo", 1990), "birth_date_estimated": True},
    ]
    persons = Person.objects.filter(organisation=world.a)
    links = matching.link(rows, persons=persons, threshold=0.0)
    best = {}
    for x in links:
        if x.person_id is not None:
            best[x.row] = max(best.get(x.row, 0.0), x.score)
    assert best[1] > 0.5 > best.get(0, 0.0)


def test_blocking_pairs_are_each_record_with_its_nearest_namesakes_once():
    """The pairs of every blocking key, by date of birth within the key, each pair once with
    the lower index first: the same set a plain reading of the sorted neighbourhood gives."""
    import random

    rnd = random.Random(7)
    families = ["Traoré", "Diallo", "Maïga", "Ould Ahmed"]
    givens = ["Mamadou", "Aïssata", "Fatoumata", "Moussa", ""]
    rows = [
        matching.Record(
            family_name=rnd.choice(families),
            given_name=rnd.choice(givens),
            sex=rnd.choice("MF"),
            birth_date=datetime.date(rnd.randint(1960, 2020), 1, 1) if rnd.random() < 0.9 else None,
            phone=rnd.choice(["", "+22376000001", "+22376000002"]),
        )
        for _ in range(300)
    ]
    frame = matching.Frame(rows)
    left, right = matching.blocking_pairs(frame)
    found = list(zip(left.tolist(), right.tolist(), strict=True))

    birth = [b if b > 0 else 0 for b in frame.birth.tolist()]
    expected = set()
    for key, window in matching.blocking_keys(frame):
        keyed = sorted((k, birth[i], i) for i, k in enumerate(key.tolist()) if k >= 0)
        for at, (k, _born, i) in enumerate(keyed):
            for k2, _born2, j in keyed[at + 1 : at + 1 + window]:
                if k2 == k:
                    expected.add((min(i, j), max(i, j)))
    assert found == sorted(expected)
    assert len(found) > 300  # names are common here: many namesakes are paired


def test_a_region_and_a_commune_of_that_region_are_the_same_area_not_different_ones():
    """One record names the region, the other a commune of it (cercle 20, region 10): "within",
    which weighs for the pair; a commune of another region weighs against it."""
    base = {"family_name": "Traoré", "given_name": "Mamadou", "sex": "M"}
    base["birth_date"] = datetime.date(1990, 7, 1)
    registered = {**base, "area_id": 30, "area_parent_id": 20, "area_grandparent_id": 10}
    region_only = matching.Record(**base, area_id=10)
    elsewhere = matching.Record(**base, area_id=11)
    frame = matching.Frame([registered, region_only, elsewhere])
    scored = matching.score_pairs(frame, [0, 0], [1, 2])
    assert matching.reasons_for(scored, 0)[-1] == "area:within"
    assert "area:within" not in matching.reasons_for(scored, 1)
    assert scored.weight[0] > scored.weight[1] + 3


def test_registering_with_the_region_only_shows_the_person_registered_in_its_commune(world):
    from tests import helpers

    region = helpers.create_area("ML04", "Ségou", 1)
    cercle = helpers.create_area("ML0401", "Ségou", 2, parent=region)
    commune = helpers.create_area("ML040101", "Pelengana", 3, parent=cercle)
    registered = helpers.create_person(
        world.pa, family_name="Traoré", given_name="Mamadou", sex="M",
        birth_date=datetime.date(1990, 3, 14), area=commune,
    )  # fmt: skip
    probe = {"family_name": "TRAORE", "given_name": "Mamadou", "sex": "M", "area": region}
    probe |= {"birth_date": datetime.date(1990, 7, 1), "birth_date_estimated": True}
    matches = matching.likely_matches(world.manager_a, probe)
    assert [m.person_id for m in matches] == [registered.pk]
    assert "area:within" in matches[0].reasons

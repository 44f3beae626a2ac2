"""Cells of partners' lists turned into a person's values, or refused with a message."""

from __future__ import annotations

import datetime

import pytest

from suivi.imports.normalise import (
    CellError,
    PlaceIndex,
    birth_from_age,
    parse_date,
    parse_phone,
    parse_population_group,
    parse_sex,
    suggest,
)
from tests import helpers

TODAY = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("12/03/2009", (datetime.date(2009, 3, 12), False)),
        ("12-03-2009", (datetime.date(2009, 3, 12), False)),
        ("2009-03-12", (datetime.date(2009, 3, 12), False)),
        ("2009", (datetime.date(2009, 7, 1), True)),
        (2009, (datetime.date(2009, 7, 1), True)),
        ("vers 2008", (datetime.date(2008, 7, 1), True)),
        ("env. 2008", (datetime.date(2008, 7, 1), True)),
        ("~2008", (datetime.date(2008, 7, 1), True)),
        ("Vers 12/03/2009", (datetime.date(2009, 3, 12), True)),
        (39884, (datetime.date(2009, 3, 12), False)),  # Excel serial
        ("39884", (datetime.date(2009, 3, 12), False)),
        (datetime.datetime(2009, 3, 12, 0, 0), (datetime.date(2009, 3, 12), False)),
    ],
)
def test_dates_as_partners_write_them(value, expected):
    assert parse_date(value, TODAY) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        ("2027-01-01", "in the future"),
        ("01/01/1890", "over 120 years"),
        ("31/02/2010", "not a real date"),
        ("demain", "is not a date"),
    ],
)
def test_impossible_dates_are_refused_with_a_message(value, message):
    with pytest.raises(CellError, match=message):
        parse_date(value, TODAY)


def test_age_gives_an_estimated_birth_year_at_the_registration_date():
    assert birth_from_age("15", datetime.date(2026, 3, 1)) == datetime.date(2011, 7, 1)
    assert birth_from_age(0, datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)
    assert birth_from_age("40 ans", datetime.date(2026, 9, 1)) == datetime.date(1986, 7, 1)
    with pytest.raises(CellError, match="not plausible"):
        birth_from_age("130", TODAY)
    with pytest.raises(CellError, match="not an age"):
        birth_from_age("adulte", TODAY)


@pytest.mark.parametrize(
    "values, code",
    [
        (["M", "H", "Homme", "Masculin", "male", "1", " m "], "M"),
        (["F", "Femme", "Féminin", "FEMININ", "Female", "2"], "F"),
    ],
)
def test_sex_codes(values, code):
    assert {parse_sex(v) for v in values} == {code}


def test_unknown_sex_is_refused():
    with pytest.raises(CellError, match="“X” is not a sex"):
        parse_sex("X")


@pytest.mark.parametrize(
    "value, code",
    [
        ("Réfugié", "refugee"),
        ("REFUGIEE", "refugee"),
        ("PDI", "idp"),
        ("Déplacé interne", "idp"),
        ("Hôte", "host"),
        ("Communauté hôte", "host"),
        ("Rapatrié", "returnee"),
        ("Retourné", "returnee"),
        ("Migrant", "migrant"),
    ],
)
def test_population_group_synonyms(value, code):
    assert parse_population_group(value) == code


def test_phones_take_the_countrys_prefix():
    assert parse_phone("76 12 34 56", "ML") == "+22376123456"
    assert parse_phone(22123456, "MR") == "+22222123456"
    assert parse_phone("00223 76-12-34-56", "") == "+22376123456"
    with pytest.raises(CellError, match="Malian"):
        parse_phone("12345", "ML")


def test_places_match_accents_case_hyphens_and_known_spellings(db):
    segou = helpers.create_area("ML04", "Ségou", 1)
    cercle = helpers.create_area("ML0401", "Ségou", 2, parent=segou)
    tombouctou = helpers.create_area("ML06", "Tombouctou", 1)
    guidimakha = helpers.create_area("MR10", "Guidimakha", 1)
    selibaby = helpers.create_area("MR1002", "Sélibaby", 2, parent=guidimakha)
    kayes = helpers.create_area("ML01", "Kayes", 1)
    nioro = helpers.create_area("ML0105", "Nioro du Sahel", 2, parent=kayes)
    index = PlaceIndex()
    assert index.resolve(1, "SEGOU", None) == segou
    assert index.resolve(2, "segou", segou) == cercle
    assert index.resolve(1, "Timbuktu", None) == tombouctou
    assert index.resolve(1, "tombouctou ", None) == tombouctou
    assert index.resolve(2, "Selibabi", None) == selibaby
    assert index.resolve(2, "NIORO-DU-SAHEL", None) == nioro
    assert index.resolve(1, "ML06", None) == tombouctou
    with pytest.raises(CellError, match="not a known place"):
        index.resolve(1, "Atlantis", None)
    with pytest.raises(CellError, match="not a known place of Ségou"):
        index.resolve(2, "Sélibaby", segou)


def test_column_titles_are_suggested_in_french_and_english():
    assert suggest("Prénom(s)") == "given_name"
    assert suggest("NOM") == "family_name"
    assert suggest("Date de naissance") == "birth_date"
    assert suggest("Âge") == "age"
    assert suggest("Tél.") == "phone"
    assert suggest("N° proGres") == "progres"
    assert suggest("Village/Quartier") == "village"
    assert suggest("First name") == "given_name"
    assert suggest("Remarque") == ""

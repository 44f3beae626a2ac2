"""`manage.py places_load`: the shipped areas, loading twice, and files with bad rows."""

from __future__ import annotations

import csv
import datetime
import difflib
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from suivi.audit.models import AuditEvent
from suivi.lib.text import bare
from suivi.places.models import Area
from suivi.places.services import AREA_COLUMNS, SHIPPED_AREAS

SOURCE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "standards"
    / "cod-ab"
    / "mli-mrt-pcodes-adm1-adm2.csv"
)
HEADER = ",".join(AREA_COLUMNS)


def load(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("places_load", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load_refused(path: Path) -> tuple[str, str]:
    """Load a file that must be refused: the command's error and what it printed."""
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("places_load", "--file", str(path), stdout=io.StringIO(), stderr=err)
    return str(refused.value), err.getvalue()


def write(tmp_path: Path, *lines: str, encoding="utf-8") -> Path:
    path = tmp_path / "areas.csv"
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def shipped_rows() -> list[dict]:
    with SHIPPED_AREAS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_shipped_areas_are_loaded_with_accented_french_and_english_names(db):
    out, _err = load()

    assert "143 created, 0 updated, 0 unchanged" in out
    assert Area.objects.count() == 143
    mali, mauritania = Area.objects.get(pcode="ML"), Area.objects.get(pcode="MR")
    assert (mali.level, mali.parent, mali.name_fr, mali.name_en) == (0, None, "Mali", "Mali")
    assert (mauritania.name_fr, mauritania.name_en) == ("Mauritanie", "Mauritania")
    assert Area.objects.filter(level=1, country="ML").count() == 10
    assert Area.objects.filter(level=2, country="ML").count() == 53
    assert Area.objects.filter(level=1, country="MR").count() == 15
    assert Area.objects.filter(level=2, country="MR").count() == 63
    segou = Area.objects.get(pcode="ML04")
    assert (segou.name_fr, segou.parent, segou.valid_from) == (
        "Ségou",
        mali,
        datetime.date(2021, 12, 20),
    )
    timbuktu = Area.objects.get(pcode="ML0605")
    assert (timbuktu.name_fr, timbuktu.name_en, timbuktu.parent.pcode) == (
        "Tombouctou",
        "Timbuktu",
        "ML06",
    )
    nbeiket = Area.objects.get(pcode="MR017")
    assert (nbeiket.name_fr, nbeiket.parent.name_fr) == ("N'Beiket Lehwach", "Hodh Ech Chargui")
    north = Area.objects.get(pcode="MR14")
    assert (north.name_fr, north.name_en) == ("Nouakchott-Nord", "Nouakchott North")
    assert Area.objects.get(pcode="MR102").valid_from == datetime.date(2024, 3, 6)


def test_every_shipped_area_sits_one_level_below_its_parent(areas):
    for area in Area.objects.exclude(level=0).select_related("parent"):
        assert area.parent.level == area.level - 1, area.pcode
        assert area.pcode.startswith(area.parent.pcode), area.pcode
        assert area.country == area.parent.country == area.pcode[:2], area.pcode


def test_loading_twice_changes_nothing_and_writes_one_audit_event(db):
    load()
    first = list(Area.objects.values_list("pk", "pcode", "parent_id", "name_fr", "name_en"))

    out, _err = load()

    assert "0 created, 0 updated, 143 unchanged" in out
    assert list(Area.objects.values_list("pk", "pcode", "parent_id", "name_fr", "name_en")) == first
    event = AuditEvent.objects.get(action="areas.load")
    assert event.target_type == "places.area"
    assert event.actor is None and event.organisation is None
    assert len(event.changes["created"]) == 143
    assert event.changes["source"] == "areas.csv"


def test_loading_again_restores_a_name_changed_since_and_records_it(areas):
    Area.objects.filter(pcode="ML04").update(name_fr="Segou")

    out, _err = load()

    assert "0 created, 1 updated, 142 unchanged" in out
    assert Area.objects.get(pcode="ML04").name_fr == "Ségou"
    event = AuditEvent.objects.filter(action="areas.load").latest("at")
    assert event.changes["updated"] == {"ML04": {"name_fr": ["Segou", "Ségou"]}}


def test_file_adds_communes_below_the_loaded_cercles(areas, tmp_path):
    path = write(
        tmp_path,
        HEADER,
        "ML070101,ML,3,ML0701,Ansongo,Ansongo,2021-12-20",
        "ml070102,ml,3,ML0701,Bara,Bara,",
    )

    out, _err = load("--file", str(path))

    assert "2 created, 0 updated, 0 unchanged" in out
    bara = Area.objects.get(pcode="ML070102")
    assert (bara.level, bara.parent.pcode, bara.country, bara.valid_from) == (
        3,
        "ML0701",
        "ML",
        None,
    )
    assert list(Area.objects.within(Area.objects.get(pcode="ML07")).filter(level=3)) == [
        Area.objects.get(pcode="ML070101"),
        bara,
    ]


def test_file_rows_may_come_in_any_order(db, tmp_path):
    path = write(
        tmp_path,
        HEADER,
        "ML0701,ML,2,ML07,Ansongo,Ansongo,",
        "ML07,ML,1,ML,Gao,Gao,",
        "ML,ML,0,,Mali,Mali,",
    )

    load("--file", str(path))

    assert Area.objects.get(pcode="ML0701").parent.parent.pcode == "ML"


def test_file_with_bad_rows_loads_nothing_and_names_each_row_column_and_fix(areas, tmp_path):
    path = write(
        tmp_path,
        HEADER,
        "ML070101,ML,3,ML0701,Ansongo,Ansongo,",
        "ML070102,ML,three,ML0701,Bara,Bara,",
        "ML070103,MR,3,ML0701,Bourra,Bourra,",
        "ML070104,ML,3,ML0702,Ouattagouna,Ouattagouna,",
        "ML070105,ML,3,ML0701,,Talataye,20/01/2022",
        "ML070101,ML,3,ML0701,Ansongo,Ansongo,",
        "ML0801001,ML,3,ML0801,Abeïbara,Abeibara,",
        "MR99101,MR,3,MR991,Nowhere,Nowhere,",
    )
    before = Area.objects.count()

    message, printed = load_refused(path)

    assert "Nothing was loaded: 8 problems" in message
    assert Area.objects.count() == before
    assert AuditEvent.objects.filter(action="areas.load").count() == 1
    for expected in [
        "Row 3, column level: “three” is not a level: write 0 for a country",
        "Row 4, column country: write ML, the first two letters of the P-code ML070103.",
        "Row 5, column parent_pcode: ML0702 is not the start of the P-code ML070104",
        "Row 6, column name_fr: give the French name of the area.",
        "Row 6, column valid_from: “20/01/2022” is not a date: write it as YYYY-MM-DD",
        "Row 7, column pcode: ML070101 is already on row 2: keep one row per P-code.",
        "Row 8, column pcode: a level 3 P-code of ML has 6 digits after the letters, not 7",
        "Row 9, column parent_pcode: no area has the P-code MR991",
    ]:
        assert expected in printed


def test_a_loaded_area_keeps_its_level(areas, tmp_path):
    path = write(tmp_path, HEADER, "ML0701,ML,1,ML,Ansongo,Ansongo,")

    _message, printed = load_refused(path)

    assert "Row 2, column level: ML0701 is already loaded as a level 2 area" in printed
    assert Area.objects.get(pcode="ML0701").level == 2


def test_parent_of_the_wrong_level_is_refused(areas, tmp_path):
    path = write(tmp_path, HEADER, "ML070101,ML,3,ML07,Gao,Gao,")

    _message, printed = load_refused(path)

    assert "Row 2, column parent_pcode: ML07 is a level 1 area" in printed


def test_country_row_has_no_parent_and_no_digits(db, tmp_path):
    path = write(tmp_path, HEADER, "NE01,NE,0,NE,Niger,Niger,")

    _message, printed = load_refused(path)

    assert "Row 2, column pcode: a country's P-code is its two letters (NE)" in printed
    assert "Row 2, column parent_pcode: a country has no parent" in printed


def test_file_without_the_columns_is_refused(db, tmp_path):
    path = write(tmp_path, "pcode,name", "ML,Mali")

    message, _printed = load_refused(path)

    assert "The file lacks the columns country, level, parent_pcode" in message
    assert HEADER in message
    assert not Area.objects.exists()


def test_file_saved_by_excel_with_a_byte_order_mark_loads(db, tmp_path):
    path = write(tmp_path, HEADER, "ML,ML,0,,Mali,Mali,", encoding="utf-8-sig")

    load("--file", str(path))

    assert Area.objects.get(pcode="ML").name_fr == "Mali"


def test_file_in_another_encoding_is_refused(db, tmp_path):
    path = write(tmp_path, HEADER, "ML04,ML,1,ML,Ségou,Ségou,", encoding="cp1252")

    message, _printed = load_refused(path)

    assert "cannot be read as UTF-8 text" in message


def test_missing_file_is_refused(db, tmp_path):
    message, _printed = load_refused(tmp_path / "nowhere.csv")

    assert "There is no file" in message


def test_empty_file_is_refused(db, tmp_path):
    message, printed = load_refused(write(tmp_path, HEADER))

    assert "Nothing was loaded: 1 problem" in message
    assert "The file has no area rows" in printed


@pytest.mark.skipif(not SOURCE.exists(), reason="the COD-AB source file is not on this machine")
def test_shipped_areas_match_the_cod_ab_source():
    """Same P-codes and parents as the OCHA source; names are the source's with accents and
    official spellings, so each folded name stays close to the source's ASCII name."""
    countries = {"MLI": "ML", "MRT": "MR"}
    with SOURCE.open(encoding="utf-8") as f:
        source = {row["P-Code"]: row for row in csv.DictReader(f)}
    shipped = {row["pcode"]: row for row in shipped_rows() if row["level"] != "0"}

    assert sorted(shipped) == sorted(source)
    far = []
    for pcode, row in shipped.items():
        expected = source[pcode]
        parent = countries.get(expected["Parent P-Code"], expected["Parent P-Code"])
        assert row["parent_pcode"] == parent, pcode
        assert row["level"] == expected["Admin Level"], pcode
        assert row["country"] == countries[expected["Location"]], pcode
        assert row["valid_from"] == expected["Valid from date"], pcode
        ours, theirs = bare(row["name_fr"]), bare(expected["Name"])
        close = difflib.SequenceMatcher(None, ours, theirs).ratio() >= 0.8
        if not (close or ours.startswith(theirs) or theirs.startswith(ours)):
            far.append((pcode, row["name_fr"], expected["Name"]))
    assert not far


def test_shipped_file_names_every_area_in_both_languages():
    rows = shipped_rows()

    assert len(rows) == 143
    assert len({row["pcode"] for row in rows}) == 143
    for row in rows:
        assert row["name_fr"].strip() == row["name_fr"] and row["name_fr"], row
        assert row["name_en"].strip() == row["name_en"] and row["name_en"], row
    names = {row["pcode"]: row["name_fr"] for row in rows}
    assert names["ML10"] == "Ménaka"
    assert names["ML0503"] == "Djenné"
    assert names["MR113"] == "Zouérate"
    assert names["MR054"] == "Magta-Lahjar"

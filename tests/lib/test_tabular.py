"""Reading lists: encodings, separators, header rows, hidden columns, total rows, bad files."""

from __future__ import annotations

import datetime
import io
import tracemalloc

import openpyxl
import pytest
from django.utils import translation

from suivi.lib import tabular, xlsx
from suivi.lib.tabular import TabularError, open_table
from suivi.lib.xlsx import neutralise, write_xlsx
from tests.imports import files


@pytest.fixture(autouse=True)
def _english():
    """Messages in English, the source language, so assertions do not follow translations."""
    with translation.override("en"):
        yield


def _write(tmp_path, content: bytes, name="liste") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_cp1252_csv_with_semicolons_is_decoded_and_mojibake_repaired(tmp_path):
    table = open_table(_write(tmp_path, files.cp1252_csv()))
    assert (table.kind, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    assert table.header == ["Nom", "Prénom", "Sexe", "Date de naissance", "Statut", "Région"]
    rows = list(table.rows())
    assert [n for n, _c in rows] == [2, 3, 4]
    assert rows[1][1][0] == "Traoré"  # was "TraorÃ©"
    assert rows[0][1][:2] == ["Sangaré", "Aïssata"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_utf8_csv_with_bom_and_any_separator(tmp_path, delimiter):
    lines = [delimiter.join(["Nom", "Prénom", "Sexe"]), delimiter.join(["Touré", "Awa", "F"])]
    content = "\ufeff" + "\n".join(lines) + "\n"
    table = open_table(_write(tmp_path, content.encode("utf-8")))
    assert table.encoding == "utf-8" and table.delimiter == delimiter
    assert table.header[0] == "Nom"  # no BOM left on the first title
    assert list(table.rows()) == [(2, ["Touré", "Awa", "F"])]


def test_mojibake_is_repaired_only_when_it_round_trips():
    assert tabular.repair_mojibake("TraorÃ©") == "Traoré"
    assert tabular.repair_mojibake("KÃ¢ Ã‰lise") == "Kâ Élise"
    assert tabular.repair_mojibake("Traoré") == "Traoré"
    assert tabular.repair_mojibake("Ã la maison") == "Ã la maison"


def test_messy_workbook_header_hidden_column_dates_blank_and_total_rows(tmp_path):
    path = _write(tmp_path, files.messy_workbook(), "liste.xlsx")
    table = open_table(path, known_headers=["nom", "prenom s", "sexe"])
    assert table.sheets == ["Bénéficiaires", "Notes"] and table.sheet == "Bénéficiaires"
    assert table.header_row == 4 and table.header[1] == "Nom"
    assert table.hidden_columns == [10]
    rows = dict(table.rows())
    assert sorted(rows) == [5, 7, 8, 9, 10, 11]  # blank row 6 skipped, total row 12 ignored
    assert table.ignored == [(12, "total")]
    assert rows[5][4] == datetime.date(2009, 3, 12)  # a real Excel date, read as a date
    assert rows[7][4] == "vers 2008" and rows[7][6] == 76123457
    assert rows[11][5] == "15"  # a number stored as text stays text
    assert rows[9][10] == "=cmd"  # hidden column still read


def test_header_is_found_without_known_titles_when_data_follows(tmp_path):
    content = "Rapport mensuel\n\nColonne A;Colonne B;Colonne C\n1;2;3\n"
    table = open_table(_write(tmp_path, content.encode()))
    assert table.header_row == 3
    assert list(table.rows()) == [(4, ["1", "2", "3"])]


def test_a_large_csv_is_streamed_not_loaded(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("Nom;Prénom;Sexe;Statut\n")
        for i in range(100_000):
            f.write(f"Traoré {i};Awa;F;Réfugié\n")
    tracemalloc.start()
    table = open_table(path)
    count = sum(1 for _row in table.rows())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 100_000 and table.estimated_rows == 100_000
    # The file is 2.6 MB and its rows as Python lists would take far more.
    assert peak < 2 * 1024 * 1024, peak


@pytest.mark.parametrize(
    "content, message",
    [
        (files.encrypted_office_file(), "protected by a password"),
        (files.legacy_xls(), "old Excel file"),
        (b"\x00\x01\x02\x03" * 100, "not a spreadsheet"),
        (b"   \n", "empty"),
    ],
)
def test_unreadable_files_raise_a_message_with_the_fix(tmp_path, content, message):
    with pytest.raises(TabularError, match=message):
        open_table(_write(tmp_path, content))


def test_size_limit_names_the_limit():
    with pytest.raises(TabularError, match="limit is 1.0 MB"):
        tabular.check_size(3 * 1024 * 1024, 1024 * 1024)


def test_xlsx_writer_neutralises_formula_looking_text(tmp_path):
    out = io.BytesIO()
    rows = [["=SUM(A1:A2)", "+223 76", "-Ali", "@cmd", "Awa", -3, datetime.date(2026, 1, 2)]]
    write_xlsx(out, [("Liste", ["=A", "B", "C", "D", "E", "F", "G"], iter(rows))])
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[0] == "'=A"
    assert row[:5] == ("'=SUM(A1:A2)", "'+223 76", "'-Ali", "'@cmd", "Awa")
    assert row[5] == -3 and row[6] == datetime.datetime(2026, 1, 2)
    assert sheet["A2"].data_type == "s"
    assert neutralise(None) is None


def test_xlsx_longer_than_a_sheet_goes_on_in_further_sheets_with_the_header(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)
    path = tmp_path / "long.xlsx"
    title = "Registre des personnes du projet"
    rows = [[n, f"Personne {n}"] for n in range(1, 11)]
    write_xlsx(path, [(title, ["N°", "Nom"], iter(rows), ["", "#beneficiary+name"])])
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == [
        "Registre des personnes du proje",
        "Registre des personnes du p (2)",
        "Registre des personnes du p (3)",
        "Registre des personnes du p (4)",
    ]
    read = []
    for sheet in book.worksheets:
        lines = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert len(lines) <= 5
        assert lines[:2] == [["N°", "Nom"], [None, "#beneficiary+name"]]
        read += lines[2:]
    assert read == rows


def test_utf16_text_export_of_excel_is_read(tmp_path):
    content = "Nom\tPrénom\tSexe\r\nTouré\tAwa\tF\r\n".encode("utf-16")
    table = open_table(_write(tmp_path, content))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert list(table.rows()) == [(2, ["Touré", "Awa", "F"])]

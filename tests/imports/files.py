"""Lists as partners send them, built in the tests: real XLSX written with openpyxl, and CSV."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook

HEADER = [
    "N°",
    "Nom",
    "Prénom(s)",
    "Sexe",
    "Date de naissance",
    "Âge",
    "Téléphone",
    "Région",
    "Cercle",
    "Statut",
    "Remarque",
    "N° proGres",
]
# Spreadsheet rows (row number -> cells) of the messy list; rows 9 and 10 are refused.
ROWS = {
    5: [
        1,
        "Traoré",
        "Aminata",
        "F",
        datetime.datetime(2009, 3, 12),
        None,
        "76 12 34 56",
        "Segou",
        "Ségou",
        "Réfugié",
        "",
        "ML-26-000101",
    ],
    7: [2, "Maïga", "Oumar", "H", "vers 2008", None, 76123457, "Tombouctou", None, "PDI", "", None],
    8: [
        3,
        "Cissé",
        "Fanta",
        "Femme",
        "12/03/2011",
        None,
        None,
        "TOMBOUCTOU",
        None,
        "Déplacé interne",
        "",
        None,
    ],
    9: [4, "Diarra", "-Moussa", "X", "2010", None, None, "Gao", None, "Hôte", "=cmd", None],
    10: [5, "Keïta", "@Sali", "F", "2030-01-01", None, None, "Atlantis", None, "Réfugié", "", None],
    11: [
        6,
        "Koné",
        "Ali",
        "M",
        None,
        "15",
        "+223 66 00 00 01",
        "gao",
        None,
        "Communauté hôte",
        "",
        None,
    ],
}
ACCEPTED = {5, 7, 8, 11}
REJECTED = {9, 10}


def messy_workbook(rows: dict | None = None) -> bytes:
    """A French list: a title block in merged cells, the header on row 4, a hidden column,
    dates as Excel dates and as text, numbers as text, blank rows and a TOTAL row."""
    rows = ROWS if rows is None else rows
    wb = Workbook()
    ws = wb.active
    ws.title = "Bénéficiaires"
    ws["A1"] = "LISTE DES BÉNÉFICIAIRES – PARTENAIRE P"
    ws.merge_cells("A1:L1")
    ws["A2"] = "Projet PA-EDU – janvier 2026"
    ws.merge_cells("A2:L2")
    for col, label in enumerate(HEADER, start=1):
        ws.cell(row=4, column=col, value=label)
    for number, cells in rows.items():
        for col, value in enumerate(cells, start=1):
            cell = ws.cell(row=number, column=col)
            # Strings are written as text even when they look like formulas.
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
            if isinstance(value, datetime.datetime):
                cell.number_format = "DD/MM/YYYY"
    last = max(rows) + 1
    ws.cell(row=last, column=1, value="TOTAL")
    ws.cell(row=last, column=2, value=len(rows))
    ws.column_dimensions["K"].hidden = True
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Liste vérifiée par le chef de village"
    return _save(wb)


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def simple_workbook(rows: list[list], header=None, sheets=1) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Liste"
    ws.append(header or ["Nom", "Prénom", "Sexe", "Statut", "Région"])
    for row in rows:
        ws.append(row)
    for i in range(1, sheets):
        wb.create_sheet(f"Feuille {i + 1}")
    return _save(wb)


def cp1252_csv() -> bytes:
    """A CSV from Excel in French Windows: cp1252, semicolons, and a cell of mojibake (UTF-8
    read as Windows-1252 once, saved again) that must come back as Traoré."""
    lines = [
        "Nom;Prénom;Sexe;Date de naissance;Statut;Région",
        "Sangaré;Aïssata;F;01/02/2012;Réfugiée;Ségou",
        "TraorÃ©;Ibrahim;M;vers 2005;Retourné;Tombouctou",
        "Dembélé;Mariam;F;~2001;Migrant;Timbuktu",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def encrypted_office_file() -> bytes:
    """The start of a password-protected Office file: an OLE container holding the
    EncryptionInfo and EncryptedPackage streams (names in UTF-16, as in the directory)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 50
    return header + b"\x00" * 512 + directory + b"\x00" * 2048


def legacy_xls() -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + "Workbook".encode("utf-16-le") + b"\x00" * 4096

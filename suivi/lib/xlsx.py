"""The one Excel writer of Suivi: every XLSX export goes through ``write_xlsx``.

Rows are streamed with openpyxl's write-only mode, so an export of a million rows does not sit in
memory. Text that a spreadsheet would run as a formula (starting with =, +, - or @) is prefixed
with a single quote, so an exported name cannot become a formula in the reader's Excel.
A sheet holds at most ``MAX_ROWS`` rows (Excel's limit): longer tables go on in further sheets,
"Title (2)", "Title (3)"…, each with the same header, so that no row is lost.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 1_048_576


def neutralise(value):
    """The value as it is safe to write to a cell."""
    if isinstance(value, str):
        if value.startswith(FORMULA_STARTS):
            return "'" + value
        return value
    if value is None or isinstance(
        value, (bool, int, float, decimal.Decimal, datetime.date, datetime.datetime)
    ):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    return neutralise(str(value))


def write_xlsx(
    target: str | IO[bytes],
    sheets: Iterable[tuple],
) -> None:
    """Write sheets of ``(title, header, rows)`` to ``target`` (a path or a binary file).

    A sheet may carry a fourth item, its HXL hashtag row, written under the header. The header
    (and the hashtag row) are bold and frozen; every cell goes through ``neutralise``.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def start(title, top, part):
        name = _sheet_title(str(title))
        if part > 1:
            suffix = f" ({part})"
            name = name[: 31 - len(suffix)].rstrip() + suffix
        sheet = workbook.create_sheet(title=name)
        sheet.freeze_panes = f"A{len(top) + 1}"
        for line in top:
            cells = []
            for label in line:
                cell = WriteOnlyCell(sheet, value=neutralise(str(label)) if label else None)
                cell.font = bold
                cells.append(cell)
            sheet.append(cells)
        return sheet

    for title, header, rows, *hxl in sheets:
        top = [header, hxl[0]] if hxl and any(hxl[0]) else [header]
        room = MAX_ROWS - len(top)
        part = 1
        sheet, used = start(title, top, part), 0
        for row in rows:
            if used == room:
                part += 1
                sheet, used = start(title, top, part), 0
            sheet.append([neutralise(v) for v in row])
            used += 1
    workbook.save(target)


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title.strip()[:31] or "Sheet"

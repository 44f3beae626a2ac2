"""The one Excel writer of Suivi: every XLSX export goes through ``write_xlsx``.

Rows are streamed with openpyxl's write-only mode, so an export of a million rows does not sit in
memory. Text that a spreadsheet would run as a formula (starting with =, +, - or @) is prefixed
with a single quote, so an exported name cannot become a formula in the reader's Excel.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    sheets: Iterable[tuple[str, list[str], Iterable[Iterable]]],
) -> None:
    """Write sheets of ``(title, header, rows)`` to ``target`` (a path or a binary file).

    The header row is bold and frozen; every cell goes through ``neutralise``.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title))
        sheet.freeze_panes = "A2"
        cells = []
        for label in header:
            cell = WriteOnlyCell(sheet, value=neutralise(label))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    workbook.save(target)


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title.strip()[:31] or "Sheet"

"""The one export writer of Suivi: a ``Table`` written as CSV or XLSX, with an HXL hashtag row.

A table is a list of columns (label, HXL hashtag with its attributes, value getter) and an
iterable of rows; the rows are read once, as they are written, so an export of a million
persons never sits in memory. CSV is streamed (UTF-8 with a byte order mark, so that Excel reads
the accents); XLSX goes through ``suivi.lib.xlsx.write_xlsx`` (openpyxl write-only mode) into a
temporary file that is then sent. Every cell goes through ``xlsx.neutralise``: a name starting
with ``=`` cannot become a formula in the reader's spreadsheet.

The HXL row (https://hxlstandard.org) sits under the header row; a column without a hashtag is
left untagged, which HXL allows (HXL tools ignore it).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

from suivi.lib.xlsx import FORMULA_STARTS, neutralise, write_xlsx

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
BOM = "\ufeff"
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One column: its header (translatable), its HXL tag (``#adm1+code``, or "") and the
    function giving its value for a row."""

    label: Any
    hxl: str
    value: Callable[[Any], Any]


@dataclass
class Table:
    title: Any
    columns: list[Column]
    rows: Iterable[Any] = field(default_factory=list)

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def hxl_row(self) -> list[str]:
        return [c.hxl for c in self.columns]

    def values(self) -> Iterator[list]:
        for row in self.rows:
            yield [c.value(row) for c in self.columns]


def csv_text(value) -> str:
    """A value as written to a CSV cell: numbers without exponent, dates in ISO 8601, text that
    a spreadsheet would run as a formula neutralised."""
    kind = type(value)
    if kind is str:
        # Most cells are plain text: only those starting like a formula need ``neutralise``.
        return neutralise(value) if value[:1] in _FORMULA_FIRST else value
    if value is None:
        return ""
    if kind is bool:
        return "1" if value else "0"
    if kind is int:
        return str(value)
    if kind is decimal.Decimal:
        return decimal_text(value)
    value = neutralise(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def decimal_text(value) -> str:
    """A number as plain text: no exponent, no trailing zeros (12.50 -> "12.5", 3.00 -> "3")."""
    text = format(decimal.Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Line:
    """A file-like object whose ``write`` returns what it was given (for csv.writer)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([csv_text(v) for v in table.header()])
    yield writer.writerow(table.hxl_row())
    for values in table.values():
        yield writer.writerow([csv_text(v) for v in values])


def xlsx_response(sheets: list[tuple], filename: str) -> FileResponse:
    """Sheets as ``write_xlsx`` takes them, as an Excel download named ``filename`` (without
    extension), written to a temporary file rather than held in memory."""
    # FileResponse closes the file once sent; the temporary file then disappears.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(target, sheets)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_TYPE
    )


def write_table_xlsx(target, tables: list[Table]) -> None:
    write_xlsx(target, [(t.title, t.header(), t.values(), t.hxl_row()) for t in tables])


def response(table: Table | list[Table], filename: str, fmt: str):
    """The table as a download named ``filename`` (without extension) in ``fmt`` (csv or xlsx).

    Several tables make several sheets of one workbook (CSV takes the first one only).
    """
    tables = table if isinstance(table, list) else [table]
    if fmt == XLSX:
        return xlsx_response(
            [(t.title, t.header(), t.values(), t.hxl_row()) for t in tables], filename
        )
    answer = StreamingHttpResponse(csv_lines(tables[0]), content_type="text/csv; charset=utf-8")
    answer["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return answer

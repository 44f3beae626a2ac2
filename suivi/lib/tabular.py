"""Read the lists people send: CSV and Excel files, row by row, never whole in memory.

``open_table(path, sheet=...)`` checks the file, finds its header row and returns a ``Table``
whose ``rows()`` yields ``(row_number, cells)``: the row number as the spreadsheet shows it (1 for
the first line) and one cell per header column. Cells are ``None``, ``str`` (trimmed, mojibake
repaired), ``int``, ``float``, ``datetime.date`` or ``datetime.datetime``. Blank rows are skipped
silently; total rows are skipped and reported in ``Table.ignored`` so that a preview can say so.
Files that cannot be read raise ``TabularError`` with a message naming the problem and the fix.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# The stream an encrypted (password-protected) Office file carries inside its OLE container.
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
HEADER_SCAN_ROWS = 30
SNIFF_BYTES = 64 * 1024
CHUNK = 256 * 1024
TOTAL_ROW = re.compile(r"^(grand\s+|sous[\s-]*)?tota(l|ux)\b", re.IGNORECASE)
# Characters that appear when UTF-8 text was decoded as Latin-1 or Windows-1252 ("TraorÃ©").
MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00c5\u00e2][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]?")
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class TabularError(Exception):
    """A file that cannot be read as a list; the message names the problem and the fix."""


@dataclass
class Table:
    """One sheet of a workbook, or a CSV file, with its header found."""

    kind: str  # "csv" or "xlsx"
    sheets: list[str]
    sheet: str
    header_row: int
    header: list[str]
    hidden_columns: list[int] = field(default_factory=list)  # indexes into header
    hidden_sheets: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)
    estimated_rows: int = 0  # rows below the header, blank and total rows included
    _source: Iterable | None = field(default=None, repr=False)
    _close: object = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, cells) of every data row below the header, one at a time."""
        self.ignored = []
        width = len(self.header)
        total_row = TOTAL_ROW.match
        try:
            for number, raw in self._source():
                cells = [clean_cell(v) for v in raw[:width]]
                if len(cells) < width:
                    cells += [None] * (width - len(cells))
                first = next((c for c in cells if c is not None), None)
                if first is None:
                    continue
                if first.__class__ is str and first[:1] in "TtGgSs" and total_row(first):
                    self.ignored.append((number, "total"))
                    continue
                yield number, cells
        finally:
            self.close()

    def close(self) -> None:
        if callable(self._close):
            self._close()


# --- Cells ---------------------------------------------------------------------------------


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Latin-1/Windows-1252 ("TraorÃ©" -> "Traoré") when it round-trips."""
    if not MOJIBAKE_HINT.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        return repaired
    return text


def clean_cell(value):
    """Trim text, turn empty text into None, repair mojibake and give whole floats as ints."""
    if value is None:
        return None
    if value.__class__ is str:  # the common case first: this runs for every cell of a list
        if not value.isascii():
            value = repair_mojibake(value).replace("\u00a0", " ")
        return " ".join(value.split()) or None
    if isinstance(value, str):
        value = " ".join(repair_mojibake(value).replace("\u00a0", " ").split())
        return value or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, hyphens or punctuation: the form in which labels compare.

    Cached: the cells of a list repeat the same few labels (sexes, statuses, places) a million
    times."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    bare = re.sub(r"[^\w]+", " ", bare.replace("°", " "))
    return " ".join(bare.split())


# --- Opening a file ------------------------------------------------------------------------


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise TabularError(_("The file is empty. Choose the file that holds the list."))
    if size > limit:
        raise TabularError(
            _(
                "The file is too large (%(size)s MB; the limit is %(limit)s MB). Split the list "
                "into several files, or remove the columns and sheets that are not needed."
            )
            % {"size": round(size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
        )


def detect_kind(path: Path) -> str:
    """'xlsx' or 'csv' from the file's first bytes, whatever its name says."""
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        raise TabularError(_("The file is empty. Choose the file that holds the list."))
    if head.startswith(OLE_MAGIC):
        if _contains(path, ENCRYPTION_STREAM):
            raise TabularError(
                _(
                    "The file is protected by a password. Open it in Excel, remove the password "
                    "(File > Info > Protect workbook) and save it again, then upload it."
                )
            )
        raise TabularError(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as an Excel "
                "workbook (.xlsx) or as CSV, then upload it."
            )
        )
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TabularError(
            _(
                "This file is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file "
                "of the list."
            )
        )
    return "csv"


def _contains(path: Path, needle: bytes) -> bool:
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def sheet_names(path: Path) -> list[str]:
    """The sheets of an Excel workbook (or ["CSV"] for a CSV file)."""
    if detect_kind(path) == "csv":
        return ["CSV"]
    workbook = _open_workbook(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def open_table(
    path: Path | str, sheet: str | None = None, known_headers: Iterable[str] = ()
) -> Table:
    """Open a CSV file or one sheet of a workbook (the first one by default) and find its header.

    The header is the first row with at least three text cells that either holds two labels of
    ``known_headers`` (compared folded) or is followed by a row of data.
    """
    path = Path(path)
    known = {fold(h) for h in known_headers}
    if detect_kind(path) == "csv":
        return _open_csv(path, known)
    return _open_xlsx(path, sheet, known)


def _find_header(rows: list[tuple[int, list]], known: set[str]) -> int:
    """Index in ``rows`` of the header row."""
    for i, (_number, cells) in enumerate(rows):
        texts = [c for c in cells if isinstance(c, str) and c.strip()]
        if len(texts) < 3:
            continue
        if sum(1 for t in texts if fold(t) in known) >= 2:
            return i
        following = [c for _n, cs in rows[i + 1 :] for c in cs if c not in (None, "")]
        if following:
            return i
    raise TabularError(
        _(
            "No header row was found in the first %(n)s rows. Put the column titles (Nom, "
            "Prénom, Sexe...) in one row above the data, then upload the file again."
        )
        % {"n": HEADER_SCAN_ROWS}
    )


def _header_labels(cells: list) -> list[str]:
    labels = []
    for c in cells:
        text = clean_cell(c)
        labels.append(str(text) if text is not None else "")
    while labels and not labels[-1]:
        labels.pop()
    return [label or _("Column %(n)s") % {"n": i + 1} for i, label in enumerate(labels)]


# --- CSV -----------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' when the whole file decodes as UTF-8 (read in chunks), else 'cp1252'.

    Excel's "Unicode text" export (UTF-16 with its byte order mark) is recognised by the mark.
    """
    with open(path, "rb") as f:
        if f.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def detect_delimiter(sample: str) -> str:
    """The separator among ; , and tab that splits the first lines most consistently."""
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (";", "\t", ","):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * 1000 + common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(path: Path, known: set[str]) -> Table:
    encoding = detect_encoding(path)
    # cp1252 leaves five bytes undefined; Latin-1 reads them rather than refusing the file.
    errors = "replace" if encoding == "cp1252" else "strict"
    with open(path, encoding=encoding, errors=errors, newline="") as f:
        sample = f.read(SNIFF_BYTES)
    delimiter = detect_delimiter(sample)

    def numbered(handle):
        reader = csv.reader(handle, delimiter=delimiter)
        for row in reader:
            yield reader.line_num, row

    with open(path, encoding=encoding, errors=errors, newline="") as f:
        head = []
        for number, row in numbered(f):
            head.append((number, [clean_cell(c) for c in row]))
            if len(head) >= HEADER_SCAN_ROWS:
                break
    if not any(any(c is not None for c in cells) for _n, cells in head):
        raise TabularError(_("The file is empty. Choose the file that holds the list."))
    index = _find_header(head, known)
    header_number, header_cells = head[index]
    handle = open(path, encoding=encoding, errors=errors, newline="")  # noqa: SIM115

    def source():
        for number, row in numbered(handle):
            if number > header_number:
                yield number, row

    lines = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            lines += chunk.count(b"\n")  # an estimate for the progress bar
    return Table(
        kind="csv",
        estimated_rows=max(0, lines - header_number),
        sheets=["CSV"],
        sheet="CSV",
        header_row=header_number,
        header=_header_labels(header_cells),
        encoding="utf-8" if encoding == "utf-8-sig" else encoding,
        delimiter=delimiter,
        _source=source,
        _close=handle.close,
    )


# --- Excel ---------------------------------------------------------------------------------


def _open_workbook(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign zip
        raise TabularError(
            _(
                "This file could not be read as an Excel workbook (%(detail)s). Open it in Excel, "
                "save it as .xlsx or as CSV, then upload it again."
            )
            % {"detail": type(error).__name__}
        ) from error


def _hidden_column_letters(workbook, worksheet) -> set[int]:
    """1-based indexes of the hidden columns, read from the sheet's <cols> before its data.

    The streaming reader does not load column settings; they sit at the top of the sheet XML.
    """
    hidden: set[int] = set()
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return hidden
    with workbook._archive.open(path) as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == f"{SHEET_NS}sheetData":
                break
            if element.tag == f"{SHEET_NS}col" and element.get("hidden") in ("1", "true"):
                low, high = int(element.get("min", "0")), int(element.get("max", "0"))
                if high - low < 16384:
                    hidden.update(range(low, high + 1))
    return hidden


def _open_xlsx(path: Path, sheet: str | None, known: set[str]) -> Table:
    workbook = _open_workbook(path)
    try:
        names = list(workbook.sheetnames)
        if sheet is None:
            visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
            sheet = (visible or names)[0]
        if sheet not in names:
            raise TabularError(
                _("The workbook has no sheet named %(sheet)s. Choose one of: %(names)s.")
                % {"sheet": sheet, "names": ", ".join(names)}
            )
        worksheet = workbook[sheet]
        head = []
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            head.append((number, [clean_cell(c) for c in row]))
            if number >= HEADER_SCAN_ROWS:
                break
        if not any(any(c is not None for c in cells) for _n, cells in head):
            raise TabularError(
                _("The sheet %(sheet)s is empty. Choose the sheet that holds the list.")
                % {"sheet": sheet}
            )
        index = _find_header(head, known)
        header_number, header_cells = head[index]
        header = _header_labels(header_cells)
        hidden = sorted(i - 1 for i in _hidden_column_letters(workbook, worksheet))
        hidden_sheets = [ws.title for ws in workbook.worksheets if ws.sheet_state != "visible"]
    except Exception:
        workbook.close()
        raise

    def source():
        yield from _xlsx_rows(path, sheet, header_number)

    return Table(
        kind="xlsx",
        estimated_rows=max(0, (worksheet.max_row or 0) - header_number),
        sheets=names,
        sheet=sheet,
        header_row=header_number,
        header=header,
        hidden_columns=[i for i in hidden if i < len(header)],
        hidden_sheets=hidden_sheets,
        _source=source,
        _close=workbook.close,
    )


def _xlsx_rows(path: Path, sheet: str, header_number: int) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the rows below the header, read by calamine (Rust).

    openpyxl opens the workbook, finds the header and the hidden columns; the rows themselves
    are read by calamine, about twenty times faster than openpyxl's streaming reader (a list of
    100,000 rows in seconds rather than minutes). calamine holds the values of the sheet in
    memory, compactly (some tens of MB for 100,000 rows), within the upload size limit.
    """
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # a file openpyxl opened but calamine cannot read
        raise TabularError(
            _(
                "This file could not be read as an Excel workbook (%(detail)s). Open it in Excel, "
                "save it as .xlsx or as CSV, then upload it again."
            )
            % {"detail": type(error).__name__}
        ) from error
    try:
        worksheet = book.get_sheet_by_name(sheet)
        if worksheet.start is None:
            return
        first_row, first_column = worksheet.start  # zero-based: the used area of the sheet
        padding = [None] * first_column
        for offset, row in enumerate(worksheet.iter_rows()):
            number = first_row + offset + 1
            if number > header_number:
                yield number, padding + row if first_column else row
    finally:
        book.close()


def excel_serial_to_date(serial: float) -> datetime.date:
    """The date of an Excel serial number (1900 date system, as Excel for Windows writes)."""
    return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))


__all__ = [
    "Table",
    "TabularError",
    "check_size",
    "clean_cell",
    "detect_kind",
    "excel_serial_to_date",
    "fold",
    "open_table",
    "repair_mojibake",
    "sheet_names",
]

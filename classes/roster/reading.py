"""Read a roster file (CSV in utf-8 or cp1251 with `,` or `;`, or the first sheet of an XLSX) into rows of cells."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl
from django.utils.translation import gettext as _

# A cell as it comes from the file: text from a CSV; text, a number, a date or a boolean from an XLSX.
Cell = str | int | float | bool | date | datetime | time | None

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_SEPARATORS = (";", ",", "\t")


class RosterReadError(Exception):
    """The file cannot be read as a roster; the message says why and what to do."""


@dataclass(frozen=True)
class Table:
    """The file's rows, each with its number in the file (the header is row 1)."""

    header: list[str]
    rows: list[tuple[int, list[Cell]]]


def table_read(*, content: bytes, filename: str) -> Table:
    """Return the header and the data rows of a roster file; raise RosterReadError if it cannot be read."""
    if not content or not content.strip():
        raise RosterReadError(_("The file is empty; upload the roster with its header row."))
    if content.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise RosterReadError(_("The file is an old .xls workbook; save it as XLSX or CSV and upload it again."))
    if content.startswith(_ZIP_MAGIC) or filename.lower().endswith(".xlsx"):
        records = _xlsx_records(content)
    else:
        records = _csv_records(content)
    numbered = [(number, cells) for number, cells in enumerate(records, start=1)]
    if not numbered or all(_blank(cell) for cell in numbered[0][1]):
        raise RosterReadError(_("Row 1 has no headers; put the column headers in the first row."))
    header = [cell_text(cell) for cell in numbered[0][1]]
    rows = [(number, cells) for number, cells in numbered[1:] if not all(_blank(cell) for cell in cells)]
    return Table(header=header, rows=rows)


def text_decode(content: bytes) -> str:
    """Return the text of a CSV file: utf-8 (with or without a BOM), utf-16 with a BOM, or cp1251."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise RosterReadError(
            _("The file is neither UTF-8 nor Windows-1251 text; save it as CSV (UTF-8) or XLSX and upload it again.")
        ) from exc


def separator_sniff(header_line: str) -> str:
    """Return the separator the header line uses: the most frequent of `;`, `,` and tab outside quotes."""
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_records(content: bytes) -> list[list[Cell]]:
    text = text_decode(content)
    header_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator_sniff(header_line))
    try:
        return [list(record) for record in reader]
    except csv.Error as exc:
        raise RosterReadError(
            _("The file is not a readable CSV table (%(reason)s); save it again as CSV or XLSX.") % {"reason": exc}
        ) from exc


def _xlsx_records(content: bytes) -> list[list[Cell]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RosterReadError(_("The file is not a readable XLSX workbook; save it again as XLSX or CSV.")) from exc
    try:
        if not workbook.worksheets:
            raise RosterReadError(_("The workbook has no sheets; put the roster on its first sheet."))
        sheet = workbook.worksheets[0]
        return [list(values) for values in sheet.iter_rows(min_row=1, values_only=True)]
    finally:
        workbook.close()


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """Return a cell as trimmed text: 1001.0 → "1001", a date → "2015-03-12", a boolean → "true"/"false"."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, date | time):
        return cell.isoformat()
    return str(cell).strip()

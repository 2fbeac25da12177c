"""Read a tabular file (CSV in utf-8 or cp1251 with `,` or `;`, or the first sheet of an XLSX) into rows of cells.

Every file read from outside goes through `table_read` and its limits (`classes.tabular.limits`): the roster,
Sferum member lists and weekly activity reports alike.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import CELL_TAG  # read-only mode's cell reader (3.1)
from openpyxl.worksheet._reader import DATA_TAG as _SHEET_DATA_TAG
from openpyxl.worksheet._reader import ROW_TAG  # read-only mode's cell reader (3.1)
from openpyxl.worksheet._reader import WorkSheetParser  # read-only mode's cell reader (3.1)
from openpyxl.xml.functions import iterparse  # defusedxml's when installed: no entity expansion

from classes.tabular.limits import TableLimitError
from classes.tabular.limits import TableLimits
from classes.tabular.limits import archive_check
from classes.tabular.limits import cell_check
from classes.tabular.limits import columns_check
from classes.tabular.limits import rows_check
from classes.tabular.limits import size_check
from classes.tabular.limits import table_limits

# A cell as it comes from the file: text from a CSV; text, a number, a date or a boolean from an XLSX.
Cell = str | int | float | bool | date | datetime | time | None

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
_SEPARATORS = (";", ",", "\t")
_NUL = "\x00"
_UTF16_SAMPLE = 4096
_SNIFF_CHARS = 100_000
_XLSX_MAX_COLUMNS = 16_384  # XFD: no valid sheet has more cells in a row
# Call the progress callback every this many rows.
PROGRESS_EVERY = 1000


class TableReadError(Exception):
    """The tabular file (roster, member list, activity report) cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class Table:
    """The file's rows, each with its number in the file (the header is row 1).

    `nul_cells`: (row, cell index) of the cells holding a NUL character, for the row checks to report.
    """

    header: list[str]
    rows: list[tuple[int, list[Cell]]]
    nul_cells: list[tuple[int, int]] = field(default_factory=list)


def table_read(
    *,
    content: bytes,
    filename: str,
    limits: TableLimits | None = None,
    progress: Callable[[int], None] | None = None,
) -> Table:
    """Return the header and the data rows of a tabular file; raise TableReadError if it cannot be read.

    A file over a limit (size, columns, rows, cell length, and for an XLSX its unpacked size and packing) is
    refused before any work per column; `progress(rows read)` is called every PROGRESS_EVERY rows.
    """
    limits = limits or table_limits()
    try:
        xlsx = _kind_check(content, filename, limits)
        records = _xlsx_records(content, limits) if xlsx else _csv_records(content, limits)
        return _table(records, limits, progress)
    except TableLimitError as exc:
        raise TableReadError(str(exc)) from exc


def table_check(*, content: bytes, filename: str, limits: TableLimits | None = None) -> None:
    """Raise TableReadError when the file fails a check that parses nothing: its size and kind, an XLSX's zip
    directory, a CSV's encoding and the width of its header line. Quick for any file within the size limit.
    """
    limits = limits or table_limits()
    try:
        if _kind_check(content, filename, limits):
            _archive_check(content, limits)
        else:
            _csv_header(text_decode(content), limits)
    except TableLimitError as exc:
        raise TableReadError(str(exc)) from exc


def _kind_check(content: bytes, filename: str, limits: TableLimits) -> bool:
    """Check the size and that the file is not empty nor an old .xls; return True for an XLSX."""
    size_check(size=len(content), limits=limits)
    if not content or not content.strip():
        raise TableReadError(_("The file is empty; upload the roster with its header row."))
    if content.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise TableReadError(_("The file is an old .xls workbook; save it as XLSX or CSV and upload it again."))
    return content.startswith(_ZIP_MAGIC) or filename.lower().endswith(".xlsx")


def file_read(path: Path) -> bytes:
    """Return a file's bytes, reading no more than one byte past the size limit (table_read refuses those)."""
    with path.open("rb") as source:
        return source.read(table_limits().max_bytes + 1)


def _table(
    records: Iterator[tuple[int, list[Cell]]], limits: TableLimits, progress: Callable[[int], None] | None
) -> Table:
    header_cells: list[Cell] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    nul_cells: list[tuple[int, int]] = []
    for count, (number, cells) in enumerate(records, start=1):
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
        if header_cells is None:
            if number != 1 or all(_blank(cell) for cell in cells):
                break
            header_cells = cells
            continue
        if all(_blank(cell) for cell in cells):
            continue
        for index, cell in enumerate(cells):
            if isinstance(cell, str):
                cell_check(text=cell, row=number, column=index + 1, limits=limits)
                if _NUL in cell:
                    nul_cells.append((number, index))
        rows.append((number, cells))
    if header_cells is None:
        raise TableReadError(_("Row 1 has no headers; put the column headers in the first row."))
    for index, cell in enumerate(header_cells):
        if isinstance(cell, str):
            cell_check(text=cell, row=1, column=index + 1, limits=limits)
    header = [cell_text(cell).replace(_NUL, "") for cell in header_cells]
    return Table(header=header, rows=rows, nul_cells=nul_cells)


def _utf16_without_bom(content: bytes) -> bool:
    """Return True when the text looks like UTF-16 without a byte order mark.

    Its NUL bytes (the high bytes of Latin letters, digits and separators) all fall on one side of each pair,
    and read as UTF-16 the text has line breaks and separators; stray NULs in UTF-8 text do neither.
    """
    sample = content[:_UTF16_SAMPLE]
    sample = sample[: len(sample) - len(sample) % 2]
    if b"\x00" not in sample:
        return False
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    for nuls, other, encoding in ((odd_nuls, even_nuls, "utf-16-le"), (even_nuls, odd_nuls, "utf-16-be")):
        if nuls and not other:
            text = sample.decode(encoding, errors="replace")
            if "\n" in text and any(separator in text for separator in _SEPARATORS):
                return True
    return False


def text_decode(content: bytes) -> str:
    """Return the text of a CSV file: utf-8 (with or without a BOM), utf-16 with a BOM, or cp1251."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if _utf16_without_bom(content):
        raise TableReadError(
            _(
                "The file is in the wrong encoding (UTF-16 without a byte order mark); save it as CSV (UTF-8) or "
                "XLSX and upload it again."
            )
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1251")
    except UnicodeDecodeError as exc:
        raise TableReadError(
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


def _first_line(text: str) -> str:
    start = len(text) - len(text.lstrip("\r\n"))
    ends = [index for index in (text.find("\n", start), text.find("\r", start)) if index >= 0]
    return text[start : min(ends)] if ends else text[start:]


def _csv_records(content: bytes, limits: TableLimits) -> Iterator[tuple[int, list[Cell]]]:
    text = text_decode(content)
    separator = _csv_header(text, limits)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    return _csv_rows(reader, limits)


def _csv_header(text: str, limits: TableLimits) -> str:
    """Return the header line's separator; refuse a header line wider than the limit before it is split."""
    header_line = _first_line(text)
    separator = separator_sniff(header_line[:_SNIFF_CHARS])
    if '"' not in header_line:
        # 500,000 columns cost one count, not 500,000 cells (a quoted header is checked as csv splits it).
        columns_check(count=header_line.count(separator) + 1, limits=limits)
    return separator


def _csv_rows(reader: Iterator[list[str]], limits: TableLimits) -> Iterator[tuple[int, list[Cell]]]:
    number = 0
    try:
        for record in reader:
            number += 1
            columns_check(count=len(record), limits=limits)
            if number > limits.max_rows + 1 and any(cell.strip() for cell in record):
                rows_check(number=number, limits=limits)
            yield number, list(record)
    except csv.Error as exc:
        raise TableReadError(
            _("The file is not a readable CSV table (%(reason)s); save it again as CSV or XLSX.") % {"reason": exc}
        ) from exc


def _xlsx_unreadable() -> TableReadError:
    return TableReadError(_("The file is not a readable XLSX workbook; save it again as XLSX or CSV."))


def _xlsx_records(content: bytes, limits: TableLimits) -> Iterator[tuple[int, list[Cell]]]:
    """Check the archive's directory against the limits, then return the first sheet's rows as it reads them.

    The directory is read once, by openpyxl's reader, and checked before any part is unpacked.
    """
    try:
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # not a zip archive, or a broken one
        raise _xlsx_unreadable() from exc
    archive_check(archive=reader.archive, limits=limits)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
    except Exception as exc:  # a broken or hostile workbook can fail anywhere in the parser: entities, truncation
        raise _xlsx_unreadable() from exc
    return _xlsx_rows(reader, limits)


def _archive_check(content: bytes, limits: TableLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            archive_check(archive=archive, limits=limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if isinstance(exc, TableLimitError):
            raise
        raise _xlsx_unreadable() from exc


def _xlsx_rows(reader: ExcelReader, limits: TableLimits) -> Iterator[tuple[int, list[Cell]]]:
    """Yield (row number, cells) of the first sheet, trusting no declared dimension: rows the sheet does not hold
    are not made up, a row is as wide as its last filled cell, and a row or a filled cell past the limits is
    refused as soon as it is met.

    The sheet is opened here rather than by `openpyxl.load_workbook`, whose read-only worksheets look for a
    declared dimension first and, without one, parse the whole sheet into memory to find it.
    """
    try:
        path = next(
            (
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if rel.target in reader.valid_files and "chartsheet" not in rel.Type
            ),
            None,
        )
        if path is None:
            raise TableReadError(_("The workbook has no sheets; put the roster on its first sheet."))
        workbook = reader.wb
        with reader.archive.open(path) as source:
            cells = WorkSheetParser(
                source,
                reader.shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            yield from _sheet_rows(source, cells, limits)
    except (TableReadError, TableLimitError):
        raise
    except Exception as exc:  # entities, a truncated part, a broken cell: the file is not readable
        raise _xlsx_unreadable() from exc
    finally:
        reader.archive.close()


def _sheet_rows(source, cells: WorkSheetParser, limits: TableLimits) -> Iterator[tuple[int, list[Cell]]]:
    """Stream the sheet's XML element by element, dropping each element once read (a sheet of millions of
    cells, rows or other elements never sits in memory), and read each cell as openpyxl's read-only mode does.
    """
    stack: list = []
    row_number, in_cell, count = 0, False, 0
    values: dict[int, Cell] = {}
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            stack.append(element)
            if tag == CELL_TAG:
                in_cell = True
                count += 1
                if count > _XLSX_MAX_COLUMNS:  # more cells than a sheet may have columns
                    columns_check(count=count, limits=limits)
            elif tag == ROW_TAG:
                row_number = _row_number(element.get("r"), row_number)
                rows_check(number=row_number, limits=limits)
                cells.row_counter, cells.col_counter, count, values = row_number, 0, 0, {}
            continue
        stack.pop()
        if tag == CELL_TAG:
            cell = cells.parse_cell(element)
            in_cell = False
            if not _blank(cell["value"]):
                columns_check(count=cell["column"], limits=limits)
                values[cell["column"]] = cell["value"]
        elif tag == ROW_TAG:
            yield row_number, _row_cells(values)
        elif tag == _SHEET_DATA_TAG:
            return  # what follows the rows (merged cells, formatting, …) is never read
        elif in_cell:
            continue  # a cell's value or text: read when the cell ends
        if stack:
            del stack[-1][-1]  # the element that just ended is its parent's last child


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    number = float(text)
    if not number.is_integer() or number < 1:
        raise ValueError(text)
    return int(number)


def _row_cells(values: dict[int, Cell]) -> list[Cell]:
    if not values:
        return []
    row: list[Cell] = [None] * max(values)
    for column, value in values.items():
        row[column - 1] = value
    return row


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

"""The limits every tabular file read from outside is held to (rosters, member lists, activity reports).

A file over a limit is refused with a sentence for people before any work per column or row, so no file can
hold a worker for long or take much memory: its size, its columns, rows and cell lengths, and for an XLSX
(a zip archive) its declared unpacked size, packing ratio and number of parts, read from the archive's
directory before anything is unpacked.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MB = 1024 * 1024
# Parts smaller than this are not judged by their packing ratio (a small XML part may pack very well).
_RATIO_MIN_BYTES = 1 * MB
# Sheets are read element by element; every other part (shared strings, styles, …) is read whole by openpyxl.
_SHEETS = ("xl/worksheets/", "xl/chartsheets/")


class TableLimitError(ValueError):
    """The file is over one of the limits; the message says which and what to do."""


@dataclass(frozen=True)
class TableLimits:
    """How large a tabular file may be; `table_limits()` reads them from the settings."""

    max_bytes: int = 10 * MB
    max_columns: int = 100
    max_rows: int = 20_000  # data rows, besides the header
    max_cell_chars: int = 1_000
    max_unpacked_bytes: int = 50 * MB
    max_ratio: int = 100
    max_members: int = 200
    max_part_bytes: int = 10 * MB  # any part but a sheet: shared strings, styles, …


def table_limits() -> TableLimits:
    """Return the limits the settings give (IMPORT_* settings)."""
    return TableLimits(
        max_bytes=settings.IMPORT_FILE_MAX_BYTES,
        max_columns=settings.IMPORT_MAX_COLUMNS,
        max_rows=settings.IMPORT_MAX_ROWS,
        max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
        max_unpacked_bytes=settings.IMPORT_XLSX_MAX_UNPACKED_BYTES,
        max_ratio=settings.IMPORT_XLSX_MAX_RATIO,
        max_members=settings.IMPORT_XLSX_MAX_MEMBERS,
        max_part_bytes=settings.IMPORT_XLSX_MAX_PART_BYTES,
    )


def _megabytes(size: int) -> str:
    """Return a size in MB with one decimal, rounded up (a file just over 1 MB is 1.1 MB, not 1 MB)."""
    return f"{math.ceil(size * 10 / MB) / 10:.1f}".removesuffix(".0")


def size_check(*, size: int, limits: TableLimits) -> None:
    """Raise TableLimitError when a file of `size` bytes is larger than the limit."""
    if size > limits.max_bytes:
        raise TableLimitError(
            _(
                "The file is %(size)s MB; a file may be at most %(limit)s MB. Split it or remove other sheets, and "
                "upload it again."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limits.max_bytes)}
        )


def columns_check(*, count: int, limits: TableLimits) -> None:
    """Raise TableLimitError when a row has more columns than the limit."""
    if count > limits.max_columns:
        raise TableLimitError(
            _("The file has more than %(limit)d columns; keep only the columns of the table and upload it again.")
            % {"limit": limits.max_columns}
        )


def rows_check(*, number: int, limits: TableLimits) -> None:
    """Raise TableLimitError when row `number` of the file (the header is row 1) is past the limit."""
    if number > limits.max_rows + 1:
        raise TableLimitError(
            _(
                "The file has more than %(limit)d rows besides the header; split it, or delete the empty rows at its "
                "end, and upload it again."
            )
            % {"limit": limits.max_rows}
        )


def cell_check(*, text: str, row: int, column: int, limits: TableLimits) -> None:
    """Raise TableLimitError when a cell's text is longer than the limit."""
    if len(text) > limits.max_cell_chars:
        raise TableLimitError(
            _(
                "Row %(row)d, column %(column)d holds more than %(limit)d characters; check that cell and upload "
                "the file again."
            )
            % {"row": row, "column": column, "limit": limits.max_cell_chars}
        )


def archive_check(*, archive: zipfile.ZipFile, limits: TableLimits) -> None:
    """Raise TableLimitError when a workbook would unpack too large, packs too tightly or has too many parts,
    or when a part read whole (any but a sheet) is too large.

    Only the archive's directory is read. The sizes it declares bound what unpacking yields: Python's zipfile
    reads no more than a part's declared size (and a part that unpacks to more fails its checksum).
    """
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise TableLimitError(
            ngettext(
                "The workbook has %(count)d part, more than %(limit)d; save the table in a new workbook or as CSV "
                "and upload it again.",
                "The workbook has %(count)d parts, more than %(limit)d; save the table in a new workbook or as CSV "
                "and upload it again.",
                len(members),
            )
            % {"count": len(members), "limit": limits.max_members}
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise TableLimitError(
            _(
                "The workbook unpacks to %(size)s MB, more than %(limit)s MB; remove other sheets and formatting, or "
                "save the table as CSV, and upload it again."
            )
            % {"size": _megabytes(unpacked), "limit": _megabytes(limits.max_unpacked_bytes)}
        )
    for member in members:
        if member.file_size > limits.max_part_bytes and not member.filename.lower().startswith(_SHEETS):
            raise TableLimitError(
                _(
                    "A part of the workbook (%(part)s) unpacks to %(size)s MB, more than %(limit)s MB; save the "
                    "table again as XLSX or CSV and upload it again."
                )
                % {
                    "part": member.filename[:100],
                    "size": _megabytes(member.file_size),
                    "limit": _megabytes(limits.max_part_bytes),
                }
            )
        if member.file_size >= _RATIO_MIN_BYTES and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise TableLimitError(
                _(
                    "The workbook is packed suspiciously tightly (a part unpacks over %(ratio)d times larger); save "
                    "the table again as XLSX or CSV and upload it again."
                )
                % {"ratio": limits.max_ratio}
            )

"""Generators of hostile tabular files, made in the tests (never committed): each is small to send and costly to
read naively. Shared by the tests of every tabular import and by bench/hostile_files.py.
"""

from __future__ import annotations

import functools
import io
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

# Every hostile file is dealt with in less than this (issue 9's bound).
MAX_SECONDS = 2.0
MAX_MEMORY_BYTES = 200 * 1024 * 1024

ROSTER_HEADER = "Роль;Идентификатор;ФИО;Класс"
ROSTER_ROWS = ("учитель;T-1;Иванова Мария Петровна;", "ученик;S-1;Смирнов Пётр Алексеевич;5А")

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
_SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _header_row() -> bytes:
    cells = b"".join(_cell(f"{letter}1", text) for letter, text in zip("ABCD", ROSTER_HEADER.split(";"), strict=True))
    return b'<row r="1">' + cells + b"</row>"


def xlsx_pack(sheet_parts: Iterator[bytes] | list[bytes], *, level: int = 9) -> bytes:
    """Return an XLSX (a zip) whose only sheet is the concatenated parts, streamed into the archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
    return buffer.getvalue()


def xlsx_declared_dimension() -> bytes:
    """A ~1.5 KB workbook declaring A1:XFD1048576 with one cell in the last row (finding 2)."""
    return xlsx_pack(
        [
            _SHEET_OPEN,
            b'<dimension ref="A1:XFD1048576"/><sheetData>',
            b'<row r="1048576">' + _cell("XFD1048576", "x") + b"</row>",
            b"</sheetData></worksheet>",
        ]
    )


def xlsx_wide_row(*, column: int = 16_384) -> bytes:
    """A workbook whose header row has one more cell far to the right (column XFD by default)."""
    letters = ""
    number = column
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    header = _header_row()[:-6] + _cell(f"{letters}1", "x") + b"</row>"
    return xlsx_pack([_SHEET_OPEN, b'<dimension ref="A1:XFD2"/><sheetData>', header, b"</sheetData></worksheet>"])


def xlsx_zip_bomb(*, unpacked_bytes: int = 150 * 1024 * 1024) -> bytes:
    """A workbook whose sheet unpacks to about `unpacked_bytes` of valid rows, packed about 250 times (finding 4:
    1.5 GB packs into 6.2 MB).
    """

    def parts() -> Iterator[bytes]:
        yield _SHEET_OPEN + b"<sheetData>" + _header_row()
        chunk = _PLAIN_ROW * 10_000
        for _ in range(max(1, unpacked_bytes // len(chunk))):
            yield chunk
        yield b"</sheetData></worksheet>"

    return xlsx_pack(parts())


def _cell_plain(text: str) -> bytes:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'.encode()


_PLAIN_ROW = b"<row>" + b"".join(_cell_plain(text) for text in ("ученик", "S-1", "Смирнов Пётр", "5А")) + b"</row>"


def xlsx_entity_expansion() -> bytes:
    """A workbook whose sheet defines nested entities (billion laughs) and uses them in a cell (finding 5)."""
    entities = b'<!ENTITY a0 "lol">' + b"".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">'.encode() for i in range(1, 10))
    doctype = b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [' + entities + b"]>"
    sheet = (
        doctype
        + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + _header_row()
        + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>'
    )
    return xlsx_pack([sheet])


def xlsx_truncated_sheet() -> bytes:
    """A workbook whose sheet XML stops in the middle of a row (finding 5)."""
    return xlsx_pack(
        [_SHEET_OPEN, b"<sheetData>", _header_row(), '<row r="2"><c r="A2" t="inlineStr"><is><t>уче'.encode()]
    )


def xlsx_truncated_archive() -> bytes:
    """A valid roster workbook cut off at two thirds of its bytes."""
    rows = [_SHEET_OPEN, b"<sheetData>", _header_row()]
    rows += [b"<row>" + b"".join(_cell_plain(f"S-{n}") for _ in range(4)) + b"</row>" for n in range(200)]
    whole = xlsx_pack([*rows, b"</sheetData></worksheet>"], level=0)
    return whole[: len(whole) * 2 // 3]


def xlsx_wide_row_without_references(*, cells: int = 200_000) -> bytes:
    """A workbook whose second row holds `cells` numbers without cell references (each is one column further)."""
    numbers = b"".join(b"<c><v>%d</v></c>" % (index * 7919 % 1_000_003) for index in range(cells))
    return xlsx_pack(
        [_SHEET_OPEN, b"<sheetData>", _header_row(), b'<row r="2">', numbers, b"</row></sheetData></worksheet>"]
    )


def xlsx_shared_strings(*, strings: int = 700_000) -> bytes:
    """A workbook with a shared-strings part of `strings` distinct strings (over 10 MB unpacked)."""
    buffer = io.BytesIO()
    content_types = _CONTENT_TYPES.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    workbook_rels = _WORKBOOK_RELS.replace(
        b"</Relationships>",
        b'<Relationship Id="rId2" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml"/></Relationships>',
    )
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        archive.writestr(
            "xl/worksheets/sheet1.xml", _SHEET_OPEN + b"<sheetData>" + _header_row() + b"</sheetData></worksheet>"
        )
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for start in range(0, strings, 10_000):
                part.write(b"".join(b"<si><t>%d</t></si>" % index for index in range(start, start + 10_000)))
            part.write(b"</sst>")
    return buffer.getvalue()


def csv_wide_header(*, columns: int = 500_000) -> bytes:
    """A CSV whose header has `columns` columns (500,000: 3.9 MB) and one data row (finding 3)."""
    header = ";".join(f"h{index}" for index in range(columns))
    return (header + "\n" + ROSTER_ROWS[0] + "\n").encode()


def csv_nul_in_name() -> bytes:
    """A roster CSV with NUL characters inside a student's name (finding 5)."""
    return ("\n".join([ROSTER_HEADER, ROSTER_ROWS[0], "ученик;S-1;Смир\x00нов Пётр\x00;5А"]) + "\n").encode()


def csv_utf16_without_bom() -> bytes:
    """A roster CSV in UTF-16 (little-endian) without its byte order mark (finding 5)."""
    return ("\n".join([ROSTER_HEADER, *ROSTER_ROWS]) + "\n").encode("utf-16-le")


def csv_long_cell(*, chars: int = 5_000) -> bytes:
    """A roster CSV whose name cell holds `chars` characters."""
    return ("\n".join([ROSTER_HEADER, ROSTER_ROWS[0], f"ученик;S-1;{'Я' * chars};5А"]) + "\n").encode()


def csv_many_rows(*, rows: int) -> bytes:
    """A roster CSV with a class teacher and `rows - 1` students (valid rows)."""
    lines = [ROSTER_HEADER, ROSTER_ROWS[0]]
    lines += [f"ученик;S-{n};Смирнов Пётр Алексеевич;5А" for n in range(1, rows)]
    return ("\n".join(lines) + "\n").encode()


@contextmanager
def within_bounds() -> Iterator[None]:
    """Assert that the block takes under MAX_SECONDS and allocates under MAX_MEMORY_BYTES at its peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"took {elapsed:.1f} s"
    assert peak < MAX_MEMORY_BYTES, f"peak {peak / 1024 / 1024:.0f} MB"


@functools.cache
def hostile(name: str) -> tuple[bytes, str]:
    """Return (content, file name) of a hostile file by name, made once per test session."""
    makers = {
        "declared-dimension.xlsx": xlsx_declared_dimension,
        "wide-row.xlsx": xlsx_wide_row,
        "wide-row-without-references.xlsx": xlsx_wide_row_without_references,
        "shared-strings.xlsx": xlsx_shared_strings,
        "zip-bomb.xlsx": xlsx_zip_bomb,
        "entities.xlsx": xlsx_entity_expansion,
        "truncated-sheet.xlsx": xlsx_truncated_sheet,
        "truncated-archive.xlsx": xlsx_truncated_archive,
        "wide-header.csv": csv_wide_header,
        "utf16-no-bom.csv": csv_utf16_without_bom,
        "long-cell.csv": csv_long_cell,
        "nul.csv": csv_nul_in_name,
    }
    return makers[name](), name


# Hostile files refused as a whole: (name, the message's words).
REFUSED = [
    ("declared-dimension.xlsx", "The file has more than 20000 rows besides the header"),
    ("wide-row.xlsx", "The file has more than 100 columns"),
    ("wide-row-without-references.xlsx", "The file has more than 100 columns"),
    ("shared-strings.xlsx", "A part of the workbook (xl/sharedStrings.xml) unpacks to"),
    ("zip-bomb.xlsx", "MB, more than 50 MB; remove other sheets and formatting, or save the table as CSV"),
    ("entities.xlsx", "The file is not a readable XLSX workbook; save it again as XLSX or CSV."),
    ("truncated-sheet.xlsx", "The file is not a readable XLSX workbook; save it again as XLSX or CSV."),
    ("truncated-archive.xlsx", "The file is not a readable XLSX workbook; save it again as XLSX or CSV."),
    ("wide-header.csv", "The file has more than 100 columns"),
    ("utf16-no-bom.csv", "The file is in the wrong encoding (UTF-16 without a byte order mark)"),
    ("long-cell.csv", "Row 3, column 3 holds more than 1000 characters"),
]

"""The signed-off reconciliation report as XLSX (openpyxl) and PDF (reportlab), in Russian, audited.

The PDF embeds DejaVu Sans from static/fonts (its licence permits redistribution), since reportlab's
standard fonts have no Cyrillic letters. Every export writes an audit entry (names are personal data).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether
from reportlab.platypus import LongTable
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle

from classes.dates import quarter_label_text
from classes.models import User
from classes.services import audit_record
from reports.models import Reconciliation
from reports.models import ReconciliationItem
from reports.spreadsheet_cells import xlsx_row_append

REPORT_LANGUAGE = "ru"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class ReconciliationExportError(Exception):
    """The reconciliation cannot be exported; the message says why."""


@dataclass
class ReportText:
    """Every line of the report, as the renderers lay it out."""

    title: str
    meta: list[tuple[str, str]]
    summary_header: list[str]
    summary: list[tuple[str, int]]
    items_header: list[str]
    items: list[list[str]]
    signer: str = ""
    signer_position: str = ""
    signed_on: str = ""


def _category_labels() -> dict[str, str]:
    return {value: str(label) for value, label in ReconciliationItem.Category.choices}


def report_text(*, reconciliation: Reconciliation) -> ReportText:
    """Return the report's text in the current language: heading, who signed, the summary and every item."""
    tz = reconciliation.school.tz
    signed_at = reconciliation.signed_at.astimezone(tz) if reconciliation.signed_at else None
    signed_on = date_format(signed_at, "d.m.Y H:i") if signed_at else ""
    labels = _category_labels()
    total = reconciliation.summary.get("total", {})
    items = [
        [
            labels.get(item.category, item.category),
            item.get_role_display(),
            item.person_id,
            item.name,
            item.roster_class,
            item.sferum_class,
            item.sferum_user_id,
            item.note,
            item.get_resolution_display() if item.resolution else "",
            " ".join(
                part
                for part in (
                    item.resolved_by_name,
                    date_format(item.resolved_at.astimezone(tz), "d.m.Y H:i") if item.resolved_at else "",
                    item.resolution_note,
                )
                if part
            ),
        ]
        for item in reconciliation.items.order_by("-role", "pk")
    ]
    return ReportText(
        title=_("Roster reconciliation with Sferum"),
        meta=[
            (_("School"), reconciliation.school_name),
            (_("Quarter"), quarter_label_text(reconciliation.quarter_label)),
            (_("Date"), signed_on),
            (_("Signed off by"), reconciliation.signed_by_name),
            (_("Position"), reconciliation.signed_by_position),
        ],
        summary_header=[_("Category"), _("People")],
        summary=[(labels[category], int(total.get(category, 0))) for category in labels],
        items_header=[
            _("Category"),
            _("Role"),
            pgettext("reconciliation report column", "Roster id"),
            _("Name"),
            pgettext("reconciliation report column", "Class on the roster"),
            pgettext("reconciliation report column", "Class in Sferum"),
            pgettext("reconciliation report column", "Sferum user id"),
            _("Note"),
            _("Resolution"),
            _("Resolved by"),
        ],
        items=items,
        signer=reconciliation.signed_by_name,
        signer_position=reconciliation.signed_by_position,
        signed_on=signed_on,
    )


def reconciliation_xlsx(*, reconciliation: Reconciliation) -> bytes:
    """Return the report as an XLSX workbook (one sheet)."""

    text = report_text(reconciliation=reconciliation)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Reconciliation")[:31]
    bold = Font(bold=True)
    # Every row goes through xlsx_row_append: names, notes and the school come from people and the platform.
    xlsx_row_append(sheet, [text.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in text.meta:
        xlsx_row_append(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    xlsx_row_append(sheet, [])
    xlsx_row_append(sheet, text.summary_header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for label, count in text.summary:
        xlsx_row_append(sheet, [label, count])
    xlsx_row_append(sheet, [])
    xlsx_row_append(sheet, text.items_header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for row in text.items:
        xlsx_row_append(sheet, row)
    for column, width in zip("ABCDEFGHIJ", (22, 12, 12, 36, 10, 12, 14, 60, 18, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        row[7].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fonts_register() -> None:

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(settings.BASE_DIR) / "static" / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


# The items table: preferred column widths (mm), the room of the page between its margins, a cell's padding.
ITEM_WIDTHS_MM = (26, 16, 17, 42, 13, 15, 18, 70, 22, 28)
PAGE_ROOM_MM = 281
CELL_PADDING_PT = 3
HEADER_FONT_SIZE = 7.5
NOTE_COLUMN = 7


def item_column_widths(headers: list[str]) -> list[float]:
    """Return the items table's column widths (points): each wide enough for the longest word of its header.

    A header then wraps between words only, never inside one; the note column gives up the room the others
    need, so the table keeps the page's width.
    """
    widths = []
    for preferred, header in zip(ITEM_WIDTHS_MM, headers, strict=True):
        longest = max(pdfmetrics.stringWidth(word, FONT_BOLD, HEADER_FONT_SIZE) for word in header.split() or [""])
        widths.append(max(preferred * mm, longest + 2 * CELL_PADDING_PT + 1))
    widths[NOTE_COLUMN] = max(40 * mm, widths[NOTE_COLUMN] - (sum(widths) - PAGE_ROOM_MM * mm))
    return widths


def signature_block(text: ReportText, style: ParagraphStyle) -> Table:
    """Return the signature block: a line to sign on, the signer's full name and position under it, the date."""
    block = Table(
        [
            [Paragraph(escape(_("Signature")), style), "", Paragraph(escape(text.signed_on), style)],
            [Paragraph(escape(text.signer), style), "", ""],
            [Paragraph(escape(text.signer_position), style), "", ""],
        ],
        colWidths=[90 * mm, 20 * mm, 50 * mm],
        hAlign="LEFT",
    )
    block.setStyle(
        TableStyle([("LINEBELOW", (0, 0), (0, 0), 0.8, colors.black), ("TOPPADDING", (0, 0), (-1, 0), 12 * mm)])
    )
    return block


def reconciliation_story(*, reconciliation: Reconciliation) -> list:
    """Return the PDF's flowables: the heading, who signed, the summary, the items and the signature block."""
    _fonts_register()
    text = report_text(reconciliation=reconciliation)
    body = ParagraphStyle("body", fontName=FONT, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=body, fontName=FONT_BOLD)
    column_head = ParagraphStyle("column_head", parent=head, fontSize=HEADER_FONT_SIZE, leading=9)
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=6)

    def cell(value: object, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(value)), style)

    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2fb")),
        ]
    )
    story = [Paragraph(escape(text.title), title)]
    meta = Table([[cell(label, head), cell(value)] for label, value in text.meta], colWidths=[40 * mm, 200 * mm])
    meta.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [meta, Spacer(1, 5 * mm)]
    summary = Table(
        [[cell(label, head) for label in text.summary_header]]
        + [[cell(label), cell(count)] for label, count in text.summary],
        colWidths=[60 * mm, 25 * mm],
        hAlign="LEFT",
    )
    summary.setStyle(grid)
    story += [summary, Spacer(1, 5 * mm)]
    items = LongTable(
        [[cell(label, column_head) for label in text.items_header]]
        + [[cell(value) for value in row] for row in text.items],
        colWidths=item_column_widths(text.items_header),
        repeatRows=1,
    )
    items.setStyle(grid)
    items.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
            ]
        )
    )
    story += [items, Spacer(1, 8 * mm), KeepTogether([signature_block(text, body)])]
    return story


def reconciliation_pdf(*, reconciliation: Reconciliation) -> bytes:
    """Return the report as a PDF (A4 landscape) with a Cyrillic font."""
    story = reconciliation_story(reconciliation=reconciliation)
    text_title = _("Roster reconciliation with Sferum")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=8 * mm,
        rightMargin=8 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"{text_title} · {reconciliation.school_name} · {quarter_label_text(reconciliation.quarter_label)}",
        author=reconciliation.signed_by_name,
    )
    document.build(story)
    return buffer.getvalue()


def reconciliation_export(*, reconciliation: Reconciliation, fmt: str, user: User | None) -> tuple[bytes, str]:
    """Return the signed-off report as (bytes, file name) in Russian, and write the audit entry."""
    if fmt not in FORMATS:
        raise ReconciliationExportError(_("Choose XLSX or PDF."))
    if not reconciliation.signed_off:
        raise ReconciliationExportError(
            _("Only a signed-off reconciliation can be exported; sign the quarter off first.")
        )
    with translation.override(REPORT_LANGUAGE):
        content = (reconciliation_xlsx if fmt == "xlsx" else reconciliation_pdf)(reconciliation=reconciliation)
    rows = reconciliation.items.count()
    audit_record(
        user=user,
        action=f"export.reconciliation.{fmt}",
        description=_("Roster reconciliation %(quarter)s of %(school)s")
        % {"quarter": reconciliation.quarter_label, "school": reconciliation.school_name},
        rows=rows,
        school=reconciliation.school,
    )
    label = reconciliation.quarter_label.replace("/", "-")
    return content, f"reconciliation-{reconciliation.school.code}-{label}.{fmt}"

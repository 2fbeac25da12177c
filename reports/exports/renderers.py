"""The file formats of a report: CSV, XLSX and a printable HTML page, and the export that writes the audit log.

CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Cyrillic right), comma-separated, rates
in percent with two decimals and a dot. XLSX: a title and what the table covers on top, a bold header with
filters, numbers as numbers (rates formatted as percentages), ready to print on landscape pages. Text from
people or the platform goes through reports.spreadsheet_cells in every cell of both files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from django.http import HttpRequest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from classes import clock
from classes.models import Municipality
from classes.models import School
from classes.services import audit_record
from reports.exports.report import Column
from reports.exports.report import ExportFormatError
from reports.exports.report import Report
from reports.spreadsheet_cells import cell_value_neutralise
from reports.spreadsheet_cells import xlsx_cell_write


def _percent(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _local(value: datetime, tz) -> datetime:
    return timezone.localtime(value, tz) if timezone.is_aware(value) else value


def _signed(shown: Decimal) -> str:
    return f"+{shown}" if shown > 0 else str(shown)


def _yes_no(value) -> str:
    return _("yes") if value else _("no")


class CellsByKind:
    """A renderer's cells by column kind: `shown[kind](value, report)`, `empty` for no value, else str(value)."""

    empty = ""
    shown: ClassVar[dict[str, Callable]] = {}

    def cell(self, column: Column, value, report: Report) -> str:
        if value is None:
            return self.empty
        show = self.shown.get(column.kind)
        return show(value, report) if show else str(value)


class CSVRenderer(CellsByKind):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    # Each kind's text (`render` neutralises it, see spreadsheet_cells); other kinds are str(value).
    shown: ClassVar[dict[str, Callable]] = {
        "percent": lambda value, report: str(_percent(value)),
        "points": lambda value, report: _signed(_percent(value)),
        "bool": lambda value, report: _yes_no(value),
        "date": lambda value, report: value.isoformat(),
        "datetime": lambda value, report: _local(value, report.tz).strftime("%Y-%m-%d %H:%M"),
    }

    def render(self, report: Report, request: HttpRequest | None = None) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = report.get_columns()
        # Every cell, the header's too, is neutralised here, once: text from people or the platform never runs.
        writer.writerow([cell_value_neutralise(str(column.label)) for column in columns])
        totals = report.get_totals()
        for row in [*report.rows, *([totals] if totals else [])]:
            cells = (self.cell(column, row.get(column.key), report) for column in columns)
            writer.writerow([cell_value_neutralise(cell) for cell in cells])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.filename(self.extension)}"'
        return response


class XLSXRenderer:
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    formats: ClassVar[dict[str, str]] = {
        "percent": "0.00%",
        "points": "+0.00;-0.00;0.00",
        "date": "DD.MM.YYYY",
        "datetime": "DD.MM.YYYY HH:MM",
        "int": "0",
    }

    def value(self, column: Column, value, report: Report):
        if value is None:
            return None
        if column.kind == "percent":
            return float(value)
        if column.kind == "points":
            return float(_percent(value))
        if column.kind == "bool":
            return _("yes") if value else _("no")
        if column.kind == "datetime":
            return _local(value, report.tz).replace(tzinfo=None)
        if column.kind in ("int", "date"):
            return value
        return str(value)

    def render(self, report: Report, request: HttpRequest | None = None) -> HttpResponse:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment
        from openpyxl.styles import Border
        from openpyxl.styles import Font
        from openpyxl.styles import PatternFill
        from openpyxl.styles import Side
        from openpyxl.utils import get_column_letter

        columns = report.get_columns()
        book = Workbook()
        sheet = book.active
        sheet.title = report.code[:31]
        # Every cell goes through xlsx_cell_write: the title's school name (A2) comes from people too.
        xlsx_cell_write(sheet, row=1, column=1, value=str(report.title)).font = Font(bold=True, size=14)
        xlsx_cell_write(sheet, row=2, column=1, value=report.subtitle())
        exported = _("Exported %(when)s") % {"when": _local(clock.now(), report.tz).strftime("%d.%m.%Y %H:%M")}
        xlsx_cell_write(sheet, row=3, column=1, value=exported).font = Font(italic=True, color="555555")
        header_row = 5
        thin = Side(style="thin", color="999999")
        for index, column in enumerate(columns, start=1):
            cell = xlsx_cell_write(sheet, row=header_row, column=index, value=str(column.label))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE5F5")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(bottom=thin)
        totals = report.get_totals()
        widths = [len(str(column.label)) for column in columns]
        row_number = header_row
        for row in [*report.rows, *([totals] if totals else [])]:
            row_number += 1
            for index, column in enumerate(columns, start=1):
                value = self.value(column, row.get(column.key), report)
                cell = xlsx_cell_write(sheet, row=row_number, column=index, value=value)
                if isinstance(cell.value, str):
                    widths[index - 1] = max(widths[index - 1], len(cell.value))
                elif value is not None:
                    widths[index - 1] = max(widths[index - 1], 10)
                if column.kind in self.formats and value is not None:
                    cell.number_format = self.formats[column.kind]
                if row is totals:
                    cell.font = Font(bold=True)
                    cell.border = Border(top=thin)
        for index, column in enumerate(columns, start=1):
            width = column.width or min(max(widths[index - 1] + 2, 8), 50)
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.row_dimensions[header_row].height = 32
        last_data_row = header_row + len(report.rows)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last_data_row, header_row)}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{header_row}:{header_row}"
        output = io.BytesIO()
        book.save(output)
        response = HttpResponse(output.getvalue(), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{report.filename(self.extension)}"'
        return response


class HTMLRenderer(CellsByKind):
    """A printable page with the table (the same columns and values as the files)."""

    extension = "html"
    content_type = "text/html; charset=utf-8"

    empty = "—"
    shown: ClassVar[dict[str, Callable]] = {
        "percent": lambda value, report: f"{number_format(_percent(value), 2)}\u00a0%",
        "points": lambda value, report: ("+" if value > 0 else "") + number_format(_percent(value), 2),
        "date": lambda value, report: date_format(value, "d.m.Y"),
        "datetime": lambda value, report: _local(value, report.tz).strftime("%d.%m.%Y %H:%M"),
        "bool": lambda value, report: _yes_no(value),
    }

    def render(self, report: Report, request: HttpRequest | None = None) -> HttpResponse:
        columns = report.get_columns()
        totals = report.get_totals()
        table = [[self.cell(column, row.get(column.key), report) for column in columns] for row in report.rows]
        total_cells = [self.cell(column, totals.get(column.key), report) for column in columns] if totals else None
        html = render_to_string(
            "reports/report_print.html",
            {"report": report, "columns": columns, "table": table, "totals": total_cells},
            request=request,
        )
        return HttpResponse(html, content_type=self.content_type)


RENDERERS = {"csv": CSVRenderer(), "xlsx": XLSXRenderer(), "html": HTMLRenderer()}


def report_export(
    *,
    request: HttpRequest,
    report: Report,
    fmt: str,
    school: School | None = None,
    municipality: Municipality | None = None,
    region=None,
) -> HttpResponse:
    """Render the report in the format (csv, xlsx, html) and write the export to the audit log.

    Every export is logged (who, when, what, how many rows): those of personal data must be, and the
    rest cost one row each.
    """
    renderer = RENDERERS.get(fmt)
    if renderer is None:
        raise ExportFormatError(
            _("«%(format)s» is not an export format; use one of: %(choices)s.")
            # Shortened: the page echoes the address, so a stranger's link cannot make it say much of their own.
            % {"format": Truncator(fmt).chars(20), "choices": ", ".join(RENDERERS)}
        )
    response = renderer.render(report, request)
    if report.personal_data or report.audited:
        audit_record(
            user=request.user,
            action=f"export.{report.code}.{fmt}",
            description=report.description(),
            rows=len(report.rows),
            school=school,
            municipality=municipality,
            region=region,
        )
    return response

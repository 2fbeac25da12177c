"""Tables as files: a small report class with a date range, rendered as a printable HTML page, CSV or XLSX.

As in django-oscar's reports, a report knows its columns and rows and nothing of formats; a renderer knows
one format and nothing of reports. `report_export` renders a report in the asked format and writes the audit
log entry an export of personal data needs (who, when, what).

CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Cyrillic right), comma-separated, rates
in percent with two decimals and a dot. XLSX: a title and what the table covers on top, a bold header with
filters, numbers as numbers (rates formatted as percentages), ready to print on landscape pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import ClassVar

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chats.mapping import moderator_names
from classes import clock
from classes.calendar import week_label
from classes.models import Municipality, School
from classes.services import audit_record
from reports.rates import Rate
from reports.selectors import ACTIVATION_GROUPS, ClassRow, SchoolMetrics, TeacherStatus, TeacherWeekRow
from reports.spreadsheet_cells import cell_value_neutralise, xlsx_cell_write

TEACHER_STATUS_LABELS = {
    TeacherStatus.ACTIVE: gettext_lazy("active"),
    TeacherStatus.INACTIVE: gettext_lazy("inactive"),
    TeacherStatus.EXCUSED: gettext_lazy("excused"),
    TeacherStatus.NOT_EVALUATED: gettext_lazy("not evaluated"),
}


class ExportFormatError(ValueError):
    """The asked format is not one of the renderers'."""


def verdict(rate: Rate) -> str:
    """Return pass or fail in words: «passes», «below target», or «no data» (an empty denominator)."""
    if rate.passes is None:
        return _("no data") if not rate.denominator else ""
    return _("passes") if rate.passes else _("below target")


def teacher_status_label(status: TeacherStatus | str | None) -> str:
    """Return a teacher's weekly status in words, «—» for none."""
    if status is None or status == "":
        return "—"
    return str(TEACHER_STATUS_LABELS.get(TeacherStatus(status), status))


@dataclass(frozen=True)
class Column:
    """A column: its key in the rows, its heading, and what its values are.

    Kinds: text, int, percent (a Fraction or None), points (a change of a rate, a Fraction), bool,
    date, datetime.
    """

    key: str
    label: str
    kind: str = "text"
    width: int | None = None


class Report:
    """A table with a title, an optional date range, columns and rows; subclasses give rows()."""

    code: ClassVar[str] = "report"
    title: ClassVar[str] = gettext_lazy("Report")
    personal_data: ClassVar[bool] = True
    # Exports of personal data are always logged; a report without any may still ask to be.
    audited: ClassVar[bool] = True

    def __init__(self, *, date_from: date | None = None, date_to: date | None = None, tz=None) -> None:
        self.date_from = date_from
        self.date_to = date_to
        self.tz = tz
        self._rows: list[dict] | None = None

    def get_columns(self) -> list[Column]:
        raise NotImplementedError

    def get_rows(self) -> list[dict]:
        raise NotImplementedError

    def get_totals(self) -> dict | None:
        """Return a totals row, or None."""
        return None

    def scope_label(self) -> str:
        """Return what the table is about (a school, a municipality)."""
        return ""

    @property
    def rows(self) -> list[dict]:
        if self._rows is None:
            self._rows = self.get_rows()
        return self._rows

    def period_label(self) -> str:
        """Return the date range in words: «on 30.11.2026» or «from 05.10.2026 to 29.11.2026»."""
        if self.date_from and self.date_to and self.date_from != self.date_to:
            return _("from %(start)s to %(end)s") % {
                "start": date_format(self.date_from, "d.m.Y"),
                "end": date_format(self.date_to, "d.m.Y"),
            }
        if self.date_to:
            return _("on %(day)s") % {"day": date_format(self.date_to, "d.m.Y")}
        return ""

    def subtitle(self) -> str:
        return ", ".join(part for part in (self.scope_label(), self.period_label()) if part)

    def description(self) -> str:
        """Return the audit log's "what": the title, the scope and the period."""
        return f"{self.title}: {self.subtitle()}"

    def filename(self, extension: str) -> str:
        day = (self.date_to or clock.today()).isoformat()
        return f"{self.code}-{day}.{extension}"


# ---------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------


def _percent(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _local(value: datetime, tz) -> datetime:
    return timezone.localtime(value, tz) if timezone.is_aware(value) else value


class CSVRenderer:
    extension = "csv"
    content_type = "text/csv; charset=utf-8"

    def cell(self, column: Column, value, report: Report) -> str:
        """Return the cell's text; text from people or the platform is neutralised (see spreadsheet_cells)."""
        value = cell_value_neutralise(value)
        if value is None:
            return ""
        if column.kind == "percent":
            return str(_percent(value))
        if column.kind == "points":
            shown = _percent(value)
            return f"+{shown}" if shown > 0 else str(shown)
        if column.kind == "bool":
            return _("yes") if value else _("no")
        if column.kind == "date":
            return value.isoformat()
        if column.kind == "datetime":
            return _local(value, report.tz).strftime("%Y-%m-%d %H:%M")
        if column.kind == "int":
            return str(value)
        return cell_value_neutralise(str(value))

    def render(self, report: Report, request: HttpRequest | None = None) -> HttpResponse:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        columns = report.get_columns()
        writer.writerow([cell_value_neutralise(str(column.label)) for column in columns])
        totals = report.get_totals()
        for row in [*report.rows, *([totals] if totals else [])]:
            writer.writerow([self.cell(column, row.get(column.key), report) for column in columns])
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
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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


class HTMLRenderer:
    """A printable page with the table (the same columns and values as the files)."""

    extension = "html"
    content_type = "text/html; charset=utf-8"

    def cell(self, column: Column, value, report: Report) -> str:
        if value is None:
            return "—"
        if column.kind == "percent":
            return f"{number_format(_percent(value), 2)}\u00a0%"
        if column.kind == "points":
            return ("+" if value > 0 else "") + number_format(_percent(value), 2)
        if column.kind == "date":
            return date_format(value, "d.m.Y")
        if column.kind == "datetime":
            return _local(value, report.tz).strftime("%d.%m.%Y %H:%M")
        if column.kind == "bool":
            return _("yes") if value else _("no")
        return str(value)

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
        )
    return response


# ---------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------


class ClassesReport(Report):
    """The dashboard's classes table: activation of students and parents, chats, the class teacher's week."""

    code = "classes"
    title = gettext_lazy("Classes: activation and chats")

    def __init__(self, *, metrics: SchoolMetrics, rows: Sequence[ClassRow]) -> None:
        super().__init__(date_to=metrics.day, tz=metrics.school.tz)
        self.metrics = metrics
        self.class_rows = list(rows)

    def scope_label(self) -> str:
        return self.metrics.school.full_name

    def get_columns(self) -> list[Column]:
        return [
            Column("class", _("Class")),
            Column("class_teacher", _("Class teacher")),
            Column("students_activated", _("Students activated"), "int"),
            Column("students_enrolled", _("Students enrolled"), "int"),
            Column("students_rate", _("Students, %"), "percent"),
            Column("students_verdict", _("Students: target")),
            Column("parents_activated", _("Students with an activated parent"), "int"),
            Column("parents_rate", _("Parents, %"), "percent"),
            Column("parents_verdict", _("Parents: target")),
            Column("students_chat", _("Students chat"), "bool"),
            Column("parents_chat", _("Parents chat"), "bool"),
            Column("class_teacher_admin", _("Class teacher moderates both chats"), "bool"),
            Column("class_teacher_week", _("Class teacher last week (%(week)s)") % {"week": self.metrics.week.week}),
        ]

    def get_rows(self) -> list[dict]:
        return [
            {
                "class": row.name,
                "class_teacher": row.class_teacher_name or _("no class teacher"),
                "students_activated": row.students.numerator,
                "students_enrolled": row.students.denominator,
                "students_rate": row.students.exact,
                "students_verdict": verdict(row.students),
                "parents_activated": row.parents.numerator,
                "parents_rate": row.parents.exact,
                "parents_verdict": verdict(row.parents),
                "students_chat": row.has_students_chat,
                "parents_chat": row.has_parents_chat,
                "class_teacher_admin": row.class_teacher_is_admin if row.class_teacher_id else None,
                "class_teacher_week": teacher_status_label(row.teacher_status),
            }
            for row in self.class_rows
        ]


class TeacherActivityReport(Report):
    """Teachers' weekly activity over a range of stored weeks: one row per teacher and week."""

    code = "teachers"
    title = gettext_lazy("Teachers' weekly activity")

    def __init__(self, *, school: School, mondays: Sequence[date], rows: Sequence[TeacherWeekRow]) -> None:
        super().__init__(
            date_from=mondays[0] if mondays else None,
            date_to=mondays[-1] + timedelta(days=6) if mondays else None,
            tz=school.tz,
        )
        self.school = school
        self.mondays = list(mondays)
        self.teacher_rows = list(rows)

    def scope_label(self) -> str:
        return self.school.full_name

    def get_columns(self) -> list[Column]:
        return [
            Column("week", _("Week")),
            Column("week_start", _("Monday"), "date"),
            Column("person_id", _("Roster id")),
            Column("name", _("Teacher")),
            Column("messages", _("Messages"), "int"),
            Column("threshold", _("Threshold"), "int"),
            Column("status", _("Status")),
            Column("suspicious", _("Suspicious activity"), "bool"),
            Column("emoji_only", _("Emoji-only messages"), "int"),
            Column("duplicates", _("Near-duplicate messages"), "int"),
            Column("bursts", _("Messages in bursts"), "int"),
            Column("account", _("Has a Sferum account"), "bool"),
        ]

    def get_rows(self) -> list[dict]:
        rows = []
        for index, monday in enumerate(self.mondays):
            for teacher in self.teacher_rows:
                week = teacher.weeks[index]
                if week is None:
                    continue
                rows.append(
                    {
                        "week": week_label(monday),
                        "week_start": monday,
                        "person_id": teacher.staff.person_id,
                        "name": teacher.staff.full_name,
                        "messages": week.messages,
                        "threshold": week.threshold,
                        "status": teacher_status_label(week.status),
                        "suspicious": week.suspicious,
                        "emoji_only": week.emoji_only_messages,
                        "duplicates": week.duplicate_messages,
                        "bursts": week.burst_messages,
                        "account": week.has_account,
                    }
                )
        return rows


class ChatRegistryReport(Report):
    """The school's chat registry: kind, class, whether the mapping is confirmed, members and moderators."""

    code = "chats"
    title = gettext_lazy("Chat registry")

    def __init__(self, *, school: School, chats: Sequence, day: date) -> None:
        super().__init__(date_to=day, tz=school.tz)
        self.school = school
        self.chats = list(chats)

    def scope_label(self) -> str:
        return self.school.full_name

    def get_columns(self) -> list[Column]:
        return [
            Column("title", _("Chat")),
            Column("platform_id", _("Platform id")),
            Column("kind", _("Kind")),
            Column("class", _("Class")),
            Column("mapping", _("Class and kind")),
            Column("members", _("Members"), "int"),
            Column("moderators", _("Moderators")),
            Column("last_message", _("Last message"), "datetime"),
            Column("last_synced", _("Last synced"), "datetime"),
        ]

    def get_rows(self) -> list[dict]:
        return [
            {
                "title": chat.title or chat.platform_id,
                "platform_id": chat.platform_id,
                "kind": chat.get_kind_display(),
                "class": chat.school_class.name if chat.school_class_id else "",
                "mapping": _("confirmed") if chat.mapping_confirmed else _("proposed"),
                "members": chat.members,
                "moderators": ", ".join(moderator_names(chat)),
                "last_message": chat.last_message_at,
                "last_synced": chat.last_synced_at,
            }
            for chat in self.chats
        ]


class MunicipalOverviewReport(Report):
    """Every school of a municipality side by side, with the municipality's totals; for the report upward."""

    code = "municipality"
    title = gettext_lazy("Schools on Sferum: activation and activity")
    personal_data = False

    def __init__(self, *, municipality: Municipality, rows: Sequence, totals: dict, day: date, tz=None) -> None:
        super().__init__(date_to=day, tz=tz)
        self.municipality = municipality
        self.overview_rows = list(rows)
        self.totals = totals

    def scope_label(self) -> str:
        return self.municipality.name

    def get_columns(self) -> list[Column]:
        columns = [Column("school", _("School")), Column("code", _("Code"))]
        for group, label in (("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))):
            columns += [
                Column(f"{group}_numerator", _("%(group)s: activated") % {"group": label}, "int"),
                Column(f"{group}_denominator", _("%(group)s: on the roster") % {"group": label}, "int"),
                Column(f"{group}_rate", _("%(group)s, %%") % {"group": label}, "percent"),
                Column(f"{group}_verdict", _("%(group)s: target") % {"group": label}),
                Column(f"{group}_change", _("%(group)s: change in a week, p.p.") % {"group": label}, "points"),
            ]
        columns += [
            Column("teachers_numerator", _("Active teachers"), "int"),
            Column("teachers_denominator", _("Teachers evaluated"), "int"),
            Column("teachers_rate", _("Active teachers, %"), "percent"),
            Column("week", _("Week")),
            Column("reconciliation", _("Reconciliation this quarter")),
            Column("sync_at", _("Last sync"), "datetime"),
            Column("sync_status", _("Last sync: status")),
        ]
        return columns

    def get_rows(self) -> list[dict]:
        return [overview_row_values(row) for row in self.overview_rows]

    def get_totals(self) -> dict | None:
        return self.totals


def overview_rate_values(*, rates, change: Callable[[str], Fraction | None], teachers: Rate) -> dict:
    """Return the activation and active-teacher columns of a municipal overview row or its totals.

    `rates` has a Rate attribute per group (staff, students, parents); `change(group)` is its weekly change.
    """
    values: dict = {}
    for group in ACTIVATION_GROUPS:
        rate: Rate = getattr(rates, group)
        values.update(
            {
                f"{group}_numerator": rate.numerator,
                f"{group}_denominator": rate.denominator,
                f"{group}_rate": rate.exact,
                f"{group}_verdict": verdict(rate),
                f"{group}_change": change(group),
            }
        )
    values.update(
        {
            "teachers_numerator": teachers.numerator,
            "teachers_denominator": teachers.denominator,
            "teachers_rate": teachers.exact,
        }
    )
    return values


def overview_row_values(row) -> dict:
    """Return the export values of a municipal overview row (see reports.views.municipal.OverviewRow)."""
    metrics: SchoolMetrics = row.metrics
    values = {"school": metrics.school.short_name, "code": metrics.school.code}
    values.update(overview_rate_values(rates=metrics, change=metrics.change, teachers=metrics.active_teachers))
    values.update(
        {
            "week": metrics.week.week if metrics.week.evaluated else _("not evaluated"),
            "reconciliation": row.reconciliation.label,
            "sync_at": row.last_sync.started_at if row.last_sync else None,
            "sync_status": row.last_sync.get_status_display() if row.last_sync else _("never synced"),
        }
    )
    return values

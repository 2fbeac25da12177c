"""The reports the pages export: the classes table, the staff not activated, teachers' weekly activity, the chat
registry, the municipal overview; each knows its columns and rows and nothing of formats."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activation.staff_status import StaffNotActivated
from chats.mapping import moderator_names
from classes.dates import week_text
from classes.models import Municipality
from classes.models import School
from reports.exports.report import Column
from reports.exports.report import Report
from reports.rates import Rate
from reports.selectors import ACTIVATION_GROUPS
from reports.selectors import ClassesBelowTarget
from reports.selectors import ClassRow
from reports.selectors import SchoolMetrics
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeekRow

TEACHER_STATUS_LABELS = {
    TeacherStatus.ACTIVE: gettext_lazy("active"),
    TeacherStatus.INACTIVE: gettext_lazy("inactive"),
    TeacherStatus.EXCUSED: gettext_lazy("excused"),
    TeacherStatus.NOT_EVALUATED: gettext_lazy("not evaluated"),
}


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


class SchoolReport(Report):
    """A table about one school: the school is its scope, the school's time zone its own."""

    def __init__(self, *, school: School, date_from: date | None = None, date_to: date | None = None) -> None:
        super().__init__(date_from=date_from, date_to=date_to, tz=school.tz)
        self.school = school

    def scope_label(self) -> str:
        return self.school.full_name


class ClassesReport(SchoolReport):
    """The dashboard's classes table: activation of students and parents, chats, the class teacher's week."""

    code = "classes"
    title = gettext_lazy("Classes: activation and chats")

    def __init__(self, *, metrics: SchoolMetrics, rows: Sequence[ClassRow]) -> None:
        super().__init__(school=metrics.school, date_to=metrics.day)
        self.metrics = metrics
        self.class_rows = list(rows)

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
            Column(
                "class_teacher_week",
                _("Class teacher last week (%(week)s)") % {"week": week_text(self.metrics.week.week_start)},
            ),
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


class StaffNotActivatedReport(SchoolReport):
    """The staff employed on the day who are not activated: the reason and what to do."""

    code = "staff-not-activated"
    title = gettext_lazy("Staff not activated")

    def __init__(self, *, school: School, day: date, rows: Sequence[StaffNotActivated]) -> None:
        super().__init__(school=school, date_to=day)
        self.staff_rows = list(rows)

    def get_columns(self) -> list[Column]:
        return [
            Column("person_id", _("Roster id")),
            Column("name", _("Staff member")),
            Column("position", _("Position")),
            Column("reason", _("Reason")),
            Column("accounts", _("Sferum accounts linked")),
            Column("advice", _("What to do")),
        ]

    def get_rows(self) -> list[dict]:
        return [
            {
                "person_id": row.person_id,
                "name": row.name,
                "position": row.position,
                "reason": str(row.reason.label),
                "accounts": ", ".join(row.accounts),
                "advice": str(row.advice),
            }
            for row in self.staff_rows
        ]


class TeacherActivityReport(SchoolReport):
    """Teachers' weekly activity over a range of stored weeks: one row per teacher and week."""

    code = "teachers"
    title = gettext_lazy("Teachers' weekly activity")

    def __init__(self, *, school: School, mondays: Sequence[date], rows: Sequence[TeacherWeekRow]) -> None:
        super().__init__(
            school=school,
            date_from=mondays[0] if mondays else None,
            date_to=mondays[-1] + timedelta(days=6) if mondays else None,
        )
        self.mondays = list(mondays)
        self.teacher_rows = list(rows)

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
                        "week": week_text(monday),
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


class ChatRegistryReport(SchoolReport):
    """The school's chat registry: kind, class, whether the mapping is confirmed, members and moderators."""

    code = "chats"
    title = gettext_lazy("Chat registry")

    def __init__(self, *, school: School, chats: Sequence, day: date) -> None:
        super().__init__(school=school, date_to=day)
        self.chats = list(chats)

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
        columns = [Column("school", _("School")), Column("code", _("Code")), *overview_figure_columns()]
        columns += [
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


def overview_figure_columns() -> list[Column]:
    """Return the overviews' figure columns (the values of overview_rate_values): per group activated, on the
    roster, rate, verdict and change in a week; classes below target; active teachers."""
    columns = []
    for group, label in (("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))):
        columns += [
            Column(f"{group}_numerator", _("%(group)s: activated") % {"group": label}, "int"),
            Column(f"{group}_denominator", _("%(group)s: on the roster") % {"group": label}, "int"),
            Column(f"{group}_rate", _("%(group)s, %%") % {"group": label}, "percent"),
            Column(f"{group}_verdict", _("%(group)s: target") % {"group": label}),
            Column(f"{group}_change", _("%(group)s: change in a week, p.p.") % {"group": label}, "points"),
        ]
    return [
        *columns,
        Column("classes_below_target", _("Classes below target"), "int"),
        Column("classes_below_target_students", _("Classes below target: students"), "int"),
        Column("classes_below_target_parents", _("Classes below target: parents"), "int"),
        Column("teachers_numerator", _("Active teachers"), "int"),
        Column("teachers_denominator", _("Teachers evaluated"), "int"),
        Column("teachers_rate", _("Active teachers, %"), "percent"),
        Column("materials_last_week", _("Materials last week"), "int"),
    ]


def overview_rate_values(
    *,
    rates,
    change: Callable[[str], Fraction | None],
    teachers: Rate,
    below_target: ClassesBelowTarget,
    materials: int | None = None,
) -> dict:
    """Return the activation, classes-below-target and active-teacher columns of a municipal overview row or its
    totals.

    `rates` has a Rate attribute per group (staff, students, parents); `change(group)` is its weekly change.
    """
    values: dict = {
        "classes_below_target": below_target.any,
        "classes_below_target_students": below_target.students,
        "classes_below_target_parents": below_target.parents,
    }
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
            "materials_last_week": materials,
        }
    )
    return values


def overview_row_values(row) -> dict:
    """Return the export values of a municipal overview row (see reports.overview.OverviewRow); a school without
    stored figures yet has empty figure columns and says so in the week column."""
    metrics = row.metrics
    values = {"school": row.school.short_name, "code": row.school.code}
    if metrics is None:
        values["week"] = _("no figures yet")
    else:
        values.update(
            overview_rate_values(
                rates=metrics,
                change=metrics.change,
                teachers=metrics.active_teachers,
                below_target=metrics.below_target,
                materials=getattr(metrics, "materials_last_week", None),
            )
        )
        values["week"] = week_text(metrics.week.week_start) if metrics.week.evaluated else _("not evaluated")
    values.update(
        {
            "reconciliation": row.reconciliation.label,
            "sync_at": row.last_sync.started_at if row.last_sync else None,
            "sync_status": row.last_sync.get_status_display() if row.last_sync else _("never synced"),
        }
    )
    return values

"""A teacher's own weeks for «My messages»: the last weeks of the academic year against the threshold, and what
counted in one of them.

The figures are the school's weekly ones (`reports.selectors.weekly_activity_compute`) narrowed to one teacher,
read in a fixed number of queries whatever the number of weeks and of the school's teachers: a complete week the
weekly job stored is read as stored; the current week, and a week not stored yet, is computed live for this
teacher alone, all live weeks together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.db.models import IntegerField
from django.db.models import Value

from activation.models import SferumAccount
from chats.horizon import history_horizons
from chats.models import Chat
from chats.models import Message
from chats.models import ReportedActivity
from classes.calendar import school_days
from classes.calendar import week_days
from classes.calendar import week_label
from classes.calendar import week_start
from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import StaffAbsence
from classes.school_days import SchoolCalendar
from reports.models import WeeklyActivity
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeek
from reports.selectors import teacher_status
from reports.selectors import teacher_week_messages
from reports.selectors import weekly_activity_history
from reports.week_status import threshold_note
from reports.week_status import week_not_evaluated_reason

HISTORY_WEEKS = 8


@dataclass
class WeekRow:
    """One week of the teacher's history: the count against the threshold and what it makes them."""

    week_start: date
    threshold: int
    teacher: TeacherWeek | None
    current: bool
    stored: bool
    reason: str | None = None  # why the week is not evaluated: no_school_day, no_history
    note: str = ""  # why the threshold is lower: a short week (reports.week_status.threshold_note)

    @property
    def label(self) -> str:
        return week_label(self.week_start)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def _stored_week(row: WeeklyActivity, staff: Staff) -> TeacherWeek:
    return TeacherWeek(
        staff_id=staff.pk,
        person_id=staff.person_id,
        name=staff.full_name,
        has_account=row.has_account,
        status=TeacherStatus(row.status),
        messages=row.messages,
        emoji_only=row.emoji_only_messages,
        duplicates=row.duplicate_messages,
        bursts=row.burst_messages,
    )


def _message_counts_by_week(*, staff: Staff, mondays: Sequence[date]) -> dict[date, dict[str, int]]:
    """Return {Monday: counts} of the teacher's counted messages, every week in one query.

    Each week is the teacher's list of what counted (`teacher_week_messages`, whose marks the weekly count
    uses: bursts and near-duplicates are found inside the week), the weeks joined by UNION ALL.
    """
    parts = [
        teacher_week_messages(staff=staff, week_start=monday)
        .order_by()
        .annotate(week_index=Value(index, output_field=IntegerField()))
        for index, monday in enumerate(mondays)
    ]
    counts = {monday: {"messages": 0, "emoji_only": 0, "duplicates": 0, "bursts": 0} for monday in mondays}
    if not parts:
        return counts
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in query:
        week = counts[mondays[row["week_index"]]]
        week["messages"] += 1
        week["emoji_only"] += bool(row["emoji_only"])
        week["duplicates"] += bool(row["near_duplicate"])
        week["bursts"] += bool(row["in_burst"])
    return counts


def _live_weeks(*, staff: Staff, school: School, mondays: Sequence[date], current: date) -> list[WeekRow]:
    """Return the teacher's weeks computed live, as `weekly_activity_compute` would find them for this teacher."""
    if not mondays:
        return []
    first, last = min(mondays), max(mondays) + timedelta(days=4)
    holidays = list(
        Holiday.objects.filter(year__school=school, starts_on__lte=last, ends_on__gte=first)
        .order_by()
        .values_list("starts_on", "ends_on")
    )
    absences = list(
        StaffAbsence.objects.filter(staff=staff, starts_on__lte=last, ends_on__gte=first)
        .order_by()
        .values_list("starts_on", "ends_on")
    )
    led_years = list(
        SchoolClass.objects.filter(class_teacher=staff).order_by().values_list("year__starts_on", "year__ends_on")
    )
    has_account = SferumAccount.objects.filter(staff=staff).exists()
    reported = dict(
        ReportedActivity.objects.filter(school=school, staff=staff, week_start__in=list(mondays))
        .order_by()
        .values_list("week_start", "messages")
    )
    counts = _message_counts_by_week(staff=staff, mondays=mondays)
    history_from = history_horizons(school_ids=[school.pk]).get(school.pk)
    full = school.effective_activity_threshold
    rows = []
    for monday in mondays:
        days = school_days(monday, holidays)
        threshold = school.activity_threshold_for(len(days))
        reason = week_not_evaluated_reason(school_days=days, week_start=monday, tz=school.tz, history_from=history_from)
        sunday = monday + timedelta(days=6)
        leads_a_class = any(starts <= sunday and ends >= monday for starts, ends in led_years)
        employed = any(staff.is_employed_on(day) for day in days or week_days(monday))
        teacher = None
        if employed and (staff.teaches or leads_a_class):
            counted = {**counts[monday], "messages": reported.get(monday, counts[monday]["messages"])}
            absent = {day for day in week_days(monday) if any(a <= day <= b for a, b in absences)}
            status = teacher_status(
                staff=staff,
                school_days=days,
                evaluated=reason is None,
                absent=absent,
                messages=counted["messages"],
                threshold=threshold,
            )
            who = {"staff_id": staff.pk, "person_id": staff.person_id, "name": staff.full_name}
            teacher = TeacherWeek(**who, has_account=has_account, status=status, **counted)
        rows.append(
            WeekRow(
                monday,
                threshold,
                teacher,
                current=monday == current,
                stored=False,
                reason=reason,
                note=threshold_note(threshold=threshold, full=full, school_days=len(days)),
            )
        )
    return rows


def teacher_week_rows(*, staff: Staff, today: date) -> list[WeekRow]:
    """Return the teacher's last HISTORY_WEEKS weeks of this academic year, newest first.

    A complete week the weekly job stored is read as stored (the dashboards show the same); the current week,
    and a week not stored yet (or without school days), is computed live. The staff member comes with their
    school and its municipality (for the inherited threshold).
    """
    school = staff.school
    this_week = week_start(today)
    year = AcademicYear.objects.current_on(today).filter(school=school).first()
    first = week_start(year.starts_on) if year else this_week - timedelta(weeks=HISTORY_WEEKS - 1)
    weeks = [this_week - timedelta(weeks=n) for n in range(HISTORY_WEEKS)]
    weeks = [monday for monday in weeks if monday >= first]
    stored = {}
    if year is not None:
        stored = {
            row.week_start: row for row in weekly_activity_history(staff=staff, year=year).filter(week_start__in=weeks)
        }
    stored.pop(this_week, None)
    live = _live_weeks(
        staff=staff, school=school, mondays=[monday for monday in weeks if monday not in stored], current=this_week
    )
    rows = {row.week_start: row for row in live}
    full = school.effective_activity_threshold
    calendar = SchoolCalendar.for_school(school) if any(row.threshold != full for row in stored.values()) else None
    for monday, row in stored.items():
        days = len([day for day in week_days(monday) if calendar.is_school_day(day)]) if calendar else 0
        note = threshold_note(threshold=row.threshold, full=full, school_days=days)
        rows[monday] = WeekRow(monday, row.threshold, _stored_week(row, staff), current=False, stored=True, note=note)
    return [rows[monday] for monday in weeks]


@dataclass
class CountedMessage:
    """A message that counted for the teacher, with the marks behind the flag (never any text: none is stored)."""

    sent_at: datetime
    chat_title: str
    chat_kind: str
    kind: str
    emoji_only: bool
    near_duplicate: bool
    in_burst: bool


def teacher_counted_messages(*, staff: Staff, week_start: date) -> list[CountedMessage]:
    """Return what counted for the teacher in the week, oldest first: time, chat, chat kind, kind and marks."""
    return [
        CountedMessage(
            sent_at=item["sent_at"],
            chat_title=item["chat__title"],
            chat_kind=Chat.Kind(item["chat__kind"]).label
            if item["chat__kind"] in Chat.Kind.values
            else item["chat__kind"],
            kind=Message.Kind(item["kind"]).label if item["kind"] in Message.Kind.values else item["kind"],
            emoji_only=item["emoji_only"],
            near_duplicate=item["near_duplicate"],
            in_burst=item["in_burst"],
        )
        for item in teacher_week_messages(staff=staff, week_start=week_start)
    ]

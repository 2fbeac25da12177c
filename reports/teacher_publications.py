"""A teacher's own materials and calls (regulation 2.2: learning materials, online lessons, video conferences):
the four counts of the last complete week and of the quarter, their online lessons and staff meetings per week of
the weeks their activity page shows, and a short log of the quarter. Only their own: every query filters by the
teacher's staff member. Six queries whatever the number of messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chats.publications import CallKind
from chats.publications import Materials
from chats.publications import call_kind
from chats.publications import call_messages
from chats.publications import material_messages
from chats.publications import publications_of
from classes.calendar import last_complete_week
from classes.calendar import week_start
from classes.models import Staff
from reports.publications import LogRow
from reports.publications import Period
from reports.publications import call_rows
from reports.publications import material_rows
from reports.publications import quarter_period
from reports.publications import week_period

LOG_SIZE = 20


@dataclass(frozen=True)
class CallWeek:
    week_start: date
    lessons: int
    meetings: int


@dataclass
class TeacherPublications:
    week: Period
    week_materials: Materials
    quarter: Period
    quarter_materials: Materials
    call_weeks: list[CallWeek]
    materials_log: list[LogRow]
    calls_log: list[LogRow]


def teacher_publications(*, staff: Staff, today: date, mondays: list[date]) -> TeacherPublications:
    """Return the teacher's own materials and calls: last week, the quarter, per week of `mondays`, the logs."""
    school = staff.school
    week = week_period(last_complete_week(today))
    quarter = quarter_period(school, today)
    week_start_at, week_end_at = week.bounds(school)
    quarter_start, quarter_end = quarter.bounds(school)
    week_materials = publications_of(school_id=school.pk, start=week_start_at, end=week_end_at, staff_id=staff.pk)
    quarter_materials = publications_of(school_id=school.pk, start=quarter_start, end=quarter_end, staff_id=staff.pk)
    return TeacherPublications(
        week=week,
        week_materials=week_materials.staff_materials(staff.pk),
        quarter=quarter,
        quarter_materials=quarter_materials.staff_materials(staff.pk),
        call_weeks=_call_weeks(staff=staff, mondays=mondays),
        materials_log=material_rows(
            material_messages(school_id=school.pk, start=quarter_start, end=quarter_end, staff_id=staff.pk)[:LOG_SIZE],
            school,
        ),
        calls_log=call_rows(
            call_messages(school_id=school.pk, start=quarter_start, end=quarter_end, staff_id=staff.pk)[:LOG_SIZE],
            school,
        ),
    )


def _call_weeks(*, staff: Staff, mondays: list[date]) -> list[CallWeek]:
    """Return the online lessons and staff meetings the teacher started per week of `mondays` (one query)."""
    if not mondays:
        return []
    school = staff.school
    start, _end = week_period(min(mondays)).bounds(school)
    _start, end = week_period(max(mondays)).bounds(school)
    counts = {monday: {CallKind.LESSON: 0, CallKind.MEETING: 0} for monday in mondays}
    rows = call_messages(school_id=school.pk, start=start, end=end, staff_id=staff.pk).values_list(
        "sent_at", "chat__kind"
    )
    for sent_at, chat_kind in rows:
        monday = week_start(sent_at.astimezone(school.tz).date())
        kind = call_kind(chat_kind=chat_kind, by_staff=True)
        if monday in counts and kind in counts[monday]:
            counts[monday][kind] += 1
    return [
        CallWeek(week_start=monday, lessons=counts[monday][CallKind.LESSON], meetings=counts[monday][CallKind.MEETING])
        for monday in sorted(mondays, reverse=True)
    ]

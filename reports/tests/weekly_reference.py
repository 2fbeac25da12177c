"""The previous Python computation of the stored weekly rows, kept as the reference the SQL store must equal.

`python_rows` is `weekly_activity_compute` plus the row building `weekly_activity_build_many` did before the
store moved into the database (reports.weekly_store); `stored_rows` reads what the store wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from classes.models import School
from reports.models import WeeklyActivity
from reports.selectors import TeacherStatus
from reports.selectors import weekly_activity_compute

FIELDS = (
    "school_id",
    "messages",
    "threshold",
    "status",
    "has_account",
    "emoji_only_messages",
    "duplicate_messages",
    "burst_messages",
    "suspicious",
)


def python_rows(*, schools: Sequence[School], week_start: date) -> dict[int, tuple]:
    """Return {staff id: the stored fields} as the Python computation built them (evaluated weeks only).

    One school at a time, as the Monday job computed them (one task per school): computing several schools at
    once, Python also counted a teacher's messages in the other schools' chats (DESIGN.md: the school's chats).
    """
    weeks = {}
    for school in schools:
        weeks.update(weekly_activity_compute(schools=[school], week_start=week_start))
    return {
        teacher.staff_id: (
            week.school.pk,
            teacher.messages,
            week.threshold,
            teacher.status.value,
            teacher.has_account,
            teacher.emoji_only,
            teacher.duplicates,
            teacher.bursts,
            teacher.suspicious,
        )
        for week in weeks.values()
        if week.evaluated
        for teacher in week.teachers
        if teacher.status != TeacherStatus.NOT_EVALUATED
    }


def stored_rows(*, schools: Sequence[School], week_start: date) -> dict[int, tuple]:
    """Return {staff id: the stored fields} of the schools' week."""
    rows = WeeklyActivity.objects.filter(school__in=list(schools), week_start=week_start)
    return {staff_id: tuple(values) for staff_id, *values in rows.values_list("staff_id", *FIELDS)}

"""Writes of the reports layer: weekly teacher activity and activation snapshots, upserted in bulk."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from chats.horizon import history_horizons
from chats.partitions import messages_may_be_missing
from chats.publications import Publications
from chats.publications import publications_of
from classes import clock
from classes.bulk_update import rows_upsert
from classes.calendar import last_complete_week
from classes.calendar import week_bounds
from classes.calendar import week_start as iso_week_start
from classes.models import Municipality
from classes.models import School
from classes.models import Staff
from classes.services import academic_year_current
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from reports.rates import Rate
from reports.selectors import MunicipalityActivation
from reports.selectors import SchoolActivation
from reports.selectors import SchoolMetrics
from reports.selectors import SchoolWeek
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeek
from reports.selectors import activation_compute
from reports.selectors import week_mondays
from reports.selectors import weekly_activity_compute
from reports.summaries import school_summaries_store
from reports.weekly_store import weekly_activity_store

SNAPSHOT_UPDATE_FIELDS = [
    "municipality",
    "school",
    "school_class",
    "numerator",
    "denominator",
    "target",
    "passes",
    "computed_at",
]


def weekly_activity_build(*, school: School, week_start: date) -> SchoolWeek:
    """Compute the school's teacher activity of the ISO week and store it; return the week.

    Idempotent: one row per teacher and week is upserted, and rows of teachers who no longer count
    for the week are removed; a week without school days keeps no rows (see WeeklyActivity). The
    store is set-based (reports.weekly_store); the returned week's teachers are read back from the
    stored rows, or computed live for a week that is not evaluated (nothing is stored for it). A week
    whose messages retention may have dropped is not stored again: its rows are the history.
    """
    week = weekly_activity_build_many(schools=[school], week_start=week_start)[school.pk]
    if not week.evaluated:
        return weekly_activity_compute(schools=[school], week_start=week.week_start)[school.pk]
    week.teachers = stored_teacher_weeks(school=school, week_start=week.week_start)
    return week


def weekly_activity_build_many(*, schools: list[School], week_start: date) -> dict[int, SchoolWeek]:
    """Compute and store the teacher activity of the ISO week for several schools at once (set-based, in SQL).

    Returns {school id: SchoolWeek} with school days, threshold and evaluation but no teachers: read the
    stored WeeklyActivity rows for those (at region scale that is 60,000 rows nobody asked for).
    """
    if any(messages_may_be_missing(week_bounds(iso_week_start(week_start), school.tz)[0]) for school in schools):
        # The week's messages may be dropped already (retention, chats.partitions): its stored rows stay.
        return weekly_activity_compute(schools=schools, week_start=week_start)
    return weekly_activity_store(schools=schools, week_start=week_start)


def stored_teacher_weeks(*, school: School, week_start: date) -> list[TeacherWeek]:
    """Return the school's stored teacher weeks, in the order weekly_activity_compute lists them (one query)."""
    rows = (
        WeeklyActivity.objects.filter(school=school, week_start=week_start)
        .select_related("staff")
        .order_by(*(f"staff__{field}" for field in Staff._meta.ordering))
    )
    return [
        TeacherWeek(
            staff_id=row.staff_id,
            person_id=row.staff.person_id,
            name=row.staff.full_name,
            has_account=row.has_account,
            status=TeacherStatus(row.status),
            messages=row.messages,
            emoji_only=row.emoji_only_messages,
            duplicates=row.duplicate_messages,
            bursts=row.burst_messages,
        )
        for row in rows
    ]


class SnapshotRow(NamedTuple):
    """One ActivationSnapshot row as rows_upsert writes it (no model instance: a region has 100,000)."""

    day: date
    scope: str
    scope_id: int
    group: str
    municipality_id: int
    school_id: int | None
    school_class_id: int | None
    numerator: int
    denominator: int
    target: Decimal
    passes: bool | None
    computed_at: datetime


SNAPSHOT_KEY = ["day", "scope", "scope_id", "group"]


def _snapshot(
    *,
    day: date,
    scope: str,
    scope_id: int,
    group: str,
    rate: Rate,
    municipality_id: int,
    now: datetime,
    school_id: int | None = None,
    school_class_id: int | None = None,
) -> SnapshotRow:
    return SnapshotRow(
        day=day,
        scope=scope,
        scope_id=scope_id,
        group=group,
        municipality_id=municipality_id,
        school_id=school_id,
        school_class_id=school_class_id,
        numerator=rate.numerator,
        denominator=rate.denominator,
        target=rate.target,
        passes=rate.passes,
        computed_at=now,
    )


def _school_snapshots(activation: SchoolActivation, now: datetime) -> list[SnapshotRow]:
    school = activation.school
    common = {"day": activation.day, "municipality_id": school.municipality_id, "now": now}
    scope = ActivationSnapshot.Scope
    group = ActivationSnapshot.Group
    rows = [
        _snapshot(scope=scope.SCHOOL, scope_id=school.pk, group=name, rate=rate, school_id=school.pk, **common)
        for name, rate in (
            (group.STAFF, activation.staff),
            (group.STUDENTS, activation.students),
            (group.PARENTS, activation.parents),
        )
    ]
    for school_class in activation.classes:
        for name, rate in ((group.STUDENTS, school_class.students), (group.PARENTS, school_class.parents)):
            rows.append(
                _snapshot(
                    scope=scope.CLASS,
                    scope_id=school_class.class_id,
                    group=name,
                    rate=rate,
                    school_id=school.pk,
                    school_class_id=school_class.class_id,
                    **common,
                )
            )
    return rows


def _snapshots_upsert(rows: list[SnapshotRow]) -> None:
    rows_upsert(
        ActivationSnapshot, SnapshotRow._fields, rows, unique_fields=SNAPSHOT_KEY, update_fields=SNAPSHOT_UPDATE_FIELDS
    )


def activation_snapshot_build(*, school: School, day: date) -> SchoolActivation:
    """Compute the school's activation rates on the day and upsert its class and school rows; return them."""
    activation = activation_compute(schools=[school], day=day)[school.pk]
    _snapshots_upsert(_school_snapshots(activation, clock.now()))
    return activation


def activation_snapshot_build_municipality(*, municipality: Municipality, day: date) -> MunicipalityActivation:
    """Compute every school of the municipality and the municipality itself on the day, and upsert all rows."""
    schools = list(School.objects.filter(municipality=municipality).select_related("municipality__region"))
    computed = activation_compute(schools=schools, day=day)
    result = MunicipalityActivation(municipality=municipality, day=day, schools=list(computed.values()))
    now = clock.now()
    rows = [row for activation in result.schools for row in _school_snapshots(activation, now)]
    group = ActivationSnapshot.Group
    for name, rate in ((group.STAFF, result.staff), (group.STUDENTS, result.students), (group.PARENTS, result.parents)):
        rows.append(
            _snapshot(
                day=day,
                scope=ActivationSnapshot.Scope.MUNICIPALITY,
                scope_id=municipality.pk,
                group=name,
                rate=rate,
                municipality_id=municipality.pk,
                now=now,
            )
        )
    with transaction.atomic():
        _snapshots_upsert(rows)
    return result


def metrics_compute(*, school: School, week_start: date | None = None) -> dict:
    """Compute and store the school's teacher activity of the week and today's activation; return the report.

    The week defaults to the last complete one in the school's time zone (then the school's summary of today is
    stored as well, reports.summaries); "today" is the school's.
    The report is the `metrics_compute --json` object of CLI.md.
    """
    today = clock.today(school.tz)
    monday = week_start if week_start is not None else last_complete_week(today)
    week = weekly_activity_build(school=school, week_start=monday)
    activation = activation_snapshot_build(school=school, day=today)
    if week_start is None:  # today's figures as the overviews show them: store the school's summary too
        school_summaries_store(metrics=[SchoolMetrics(school=school, day=today, activation=activation, week=week)])
    start, end = week_bounds(monday, school.tz)
    publications = publications_of(school_id=school.pk, start=start, end=end)
    return metrics_report(week=week, activation=activation, publications=publications)


def metrics_report(*, week: SchoolWeek, activation: SchoolActivation, publications: Publications) -> dict:
    """Return the CLI.md `metrics_compute --json` object of a computed week, activation and publications.

    A week that is not evaluated also says why: `"reason": "no_school_day"` or `"no_history"`. Materials, channel
    posts and calls are the week's whether it is evaluated or not (chats.publications has the definitions).
    """
    reason = {} if week.evaluated else {"reason": week.reason}
    return {
        "school": week.school.code,
        "week": week.week,
        "week_start": week.week_start.isoformat(),
        "evaluated": week.evaluated,
        **reason,
        "threshold": week.threshold,
        "teachers": [
            {
                "person_id": teacher.person_id,
                "name": teacher.name,
                "messages": teacher.messages,
                "status": teacher.status.value,
                "account": teacher.has_account,
                "flags": teacher.flags,
                "materials": publications.staff_materials(teacher.staff_id).as_json(),
            }
            for teacher in week.teachers
        ],
        "active_teachers": week.active_teachers.as_json(passes=False),
        "materials": publications.materials.as_json(),
        "channel_posts": publications.channel_posts,
        "calls": publications.calls,
        "activation": {
            "staff": activation.staff.as_json(target=True),
            "students": activation.students.as_json(target=True),
            "parents": activation.parents.as_json(target=True),
            "classes": [
                {
                    "class": school_class.name,
                    "class_teacher": school_class.class_teacher_person_id,
                    "students": school_class.students.as_json(),
                    "parents": school_class.parents.as_json(),
                    "has_students_chat": school_class.has_students_chat,
                    "has_parents_chat": school_class.has_parents_chat,
                    "class_teacher_is_admin": school_class.class_teacher_is_admin,
                }
                for school_class in activation.classes
            ],
        },
    }


def weekly_history_build(*, school: School) -> int:
    """Build the stored weekly activity of every complete week since the school's history horizon; return how many.

    The first week is the one that starts on or after the horizon (DESIGN.md, "History horizon"), or the academic
    year's first week, whichever is later; without a recorded horizon, the year's first week. The last is the
    last complete week. Weeks already stored are computed again (idempotent).
    """
    today = clock.today(school.tz)
    year = academic_year_current(school=school, on=today)
    first = iso_week_start(year.starts_on)
    horizon = history_horizons(school_ids=[school.pk]).get(school.pk)
    if horizon is not None:
        first = max(first, iso_week_start(horizon.astimezone(school.tz).date()))
        if week_bounds(first, school.tz)[0] < horizon:
            first += timedelta(days=7)  # it starts before the horizon: not evaluated (reports.week_status's rule)
    last = last_complete_week(today)
    built = 0
    monday = first
    while monday <= last:
        weekly_activity_build(school=school, week_start=monday)
        monday += timedelta(days=7)
        built += 1
    return built


def weeks_stored(*, school: School, mondays: list[date]) -> set[date]:
    """Return which of the Mondays' weeks have stored activity rows for the school (one query)."""
    rows = WeeklyActivity.objects.filter(school=school, week_start__in=mondays).order_by()
    return set(rows.values_list("week_start", flat=True).distinct())


def weekly_activity_ensure(*, school: School, weeks: int = 8) -> int:
    """Build the stored weekly activity of the last `weeks` complete weeks that have no rows yet; return how many.

    Weeks already stored are left as they are (the Monday job and `metrics_compute` keep them up to date);
    a week without school days stores nothing, so it is tried again on the next call.
    """
    mondays = week_mondays(last_week=last_complete_week(clock.today(school.tz)), weeks=weeks)
    stored = weeks_stored(school=school, mondays=mondays)
    missing = sorted(monday for monday in mondays if monday not in stored)
    for monday in missing:
        weekly_activity_build_many(schools=[school], week_start=monday)
    return len(missing)

"""Writes of the reports layer: weekly teacher activity and activation snapshots, upserted in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from datetime import timedelta

from django.db import transaction

from chats.horizon import history_horizons
from chats.partitions import messages_may_be_missing
from chats.publications import Publications
from chats.publications import publications_of
from classes import clock
from classes.calendar import last_complete_week
from classes.calendar import week_bounds
from classes.calendar import week_start as iso_week_start
from classes.models import Municipality
from classes.models import School
from classes.models import Staff
from classes.services import academic_year_current
from reports.activation_store import activation_snapshots_store
from reports.models import WeeklyActivity
from reports.selectors import SchoolActivation
from reports.selectors import SchoolMetrics
from reports.selectors import SchoolWeek
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeek
from reports.selectors import activation_compute
from reports.selectors import week_mondays
from reports.selectors import weekly_activity_compute
from reports.sql import SCHOOLS_PER_STATEMENT
from reports.summaries import school_summaries_store
from reports.weekly_store import weekly_activity_store


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


def activation_snapshot_build(*, school: School, day: date) -> SchoolActivation:
    """Store the school's class and school activation snapshots of the day (in SQL); return them computed live.

    The school comes with its municipality and region (the targets are inherited).
    """
    activation_snapshots_store(schools=[school], day=day, now=clock.now())
    return activation_compute(schools=[school], day=day)[school.pk]


def activation_snapshot_build_municipality(*, municipality: Municipality, day: date) -> int:
    """Store the snapshots of every class and school of the municipality and its own on the day; return the rows."""
    return activation_snapshot_build_municipalities(municipalities=[municipality], day=day)


def activation_snapshot_build_municipalities(*, municipalities: Sequence[Municipality], day: date) -> int:
    """Store the snapshots of the municipalities, their schools and classes on the day; return the rows written.

    One statement (reports.activation_store) per SCHOOLS_PER_STATEMENT schools, whatever their classes and
    students: a region's 40 municipalities and 1,500 schools are one statement, in one transaction.
    """
    by_municipality: dict[int, list[School]] = {municipality.pk: [] for municipality in municipalities}
    for school in School.objects.filter(municipality__in=list(by_municipality)).select_related("municipality__region"):
        by_municipality[school.municipality_id].append(school)
    now = clock.now()
    batches: list[tuple[list[Municipality], list[School]]] = [([], [])]
    for municipality in municipalities:
        schools = by_municipality[municipality.pk]
        if batches[-1][0] and len(batches[-1][1]) + len(schools) > SCHOOLS_PER_STATEMENT:
            batches.append(([], []))
        batches[-1][0].append(municipality)
        batches[-1][1].extend(schools)
    with transaction.atomic():
        return sum(
            activation_snapshots_store(schools=schools, municipalities=towns, day=day, now=now)
            for towns, schools in batches
            if towns
        )


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

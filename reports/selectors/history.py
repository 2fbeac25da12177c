"""Stored figures over time: activation snapshots and the weekly activity rows of past weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from django.db.models import Count
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery

from classes.calendar import week_start as iso_week_start
from classes.models import School
from classes.models import Staff
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from reports.rates import Rate


def activation_snapshots_of_days(*, scope: str, days_by_id: dict[int, date]) -> dict[int, dict[str, Rate]]:
    """Return {scope id: {group: Rate}} of the stored snapshots of each scope on its own day, in one query."""
    if not days_by_id:
        return {}
    ids_by_day: dict[date, list[int]] = defaultdict(list)
    for scope_id, day in days_by_id.items():
        ids_by_day[day].append(scope_id)
    condition = Q(pk__in=[])
    for day, scope_ids in ids_by_day.items():
        condition |= Q(day=day, scope_id__in=scope_ids)
    result: dict[int, dict[str, Rate]] = defaultdict(dict)
    for row in (
        ActivationSnapshot.objects.filter(condition, scope=scope)
        .order_by()
        .values("scope_id", "group", "numerator", "denominator", "target")
    ):
        result[row["scope_id"]][row["group"]] = Rate(row["numerator"], row["denominator"], row["target"])
    return dict(result)


def class_snapshots_latest(*, class_ids: Collection[int]) -> dict[int, dict[str, ActivationSnapshot]]:
    """Return {class id: {group: snapshot}} of each class's latest stored day (students and parents), in one query.

    A class without any snapshot yet is missing.
    """
    latest_day = (
        ActivationSnapshot.objects.filter(scope=ActivationSnapshot.Scope.CLASS, scope_id=OuterRef("scope_id"))
        .order_by("-day")
        .values("day")[:1]
    )
    result: dict[int, dict[str, ActivationSnapshot]] = defaultdict(dict)
    for row in ActivationSnapshot.objects.filter(
        scope=ActivationSnapshot.Scope.CLASS, scope_id__in=list(class_ids), day=Subquery(latest_day)
    ).order_by():
        result[row.scope_id][row.group] = row
    return dict(result)


def week_mondays(*, last_week: date, weeks: int) -> list[date]:
    """Return the Mondays of `weeks` ISO weeks ending with the one of `last_week`, oldest first."""
    last = iso_week_start(last_week)
    return [last - timedelta(days=7 * offset) for offset in range(weeks - 1, -1, -1)]


def weekly_activity_recent(
    *, school_ids: Collection[int], last_week: date, weeks: int = 8
) -> dict[int, list[WeeklyActivity | None]]:
    """Return {staff id: [stored week or None, …]} over the `weeks` weeks ending with `last_week`, in one query."""
    mondays = week_mondays(last_week=last_week, weeks=weeks)
    position = {monday: index for index, monday in enumerate(mondays)}
    result: dict[int, list[WeeklyActivity | None]] = defaultdict(lambda: [None] * len(mondays))
    for row in WeeklyActivity.objects.filter(
        school_id__in=list(school_ids), week_start__gte=mondays[0], week_start__lte=mondays[-1]
    ).only(
        "staff_id",
        "week_start",
        "messages",
        "threshold",
        "status",
        "suspicious",
        "emoji_only_messages",
        "duplicate_messages",
        "burst_messages",
    ):
        result[row.staff_id][position[row.week_start]] = row
    return dict(result)


def weekly_activity_trend(*, school_ids: Collection[int], last_week: date, weeks: int = 8) -> dict[int, list[Rate]]:
    """Return {school id: [active teachers over evaluated teachers per stored week]}, oldest first, in one query.

    A week without stored rows gives Rate(0, 0) ("no data").
    """
    mondays = week_mondays(last_week=last_week, weeks=weeks)
    position = {monday: index for index, monday in enumerate(mondays)}
    result: dict[int, list[Rate]] = {school_id: [Rate(0, 0)] * len(mondays) for school_id in school_ids}
    rows = (
        WeeklyActivity.objects.filter(
            school_id__in=list(school_ids), week_start__gte=mondays[0], week_start__lte=mondays[-1]
        )
        .order_by()
        .values("school_id", "week_start")
        .annotate(
            active=Count("pk", filter=Q(status=WeeklyActivity.Status.ACTIVE)),
            evaluated=Count("pk", filter=~Q(status=WeeklyActivity.Status.EXCUSED)),
        )
    )
    for row in rows:
        result[row["school_id"]][position[row["week_start"]]] = Rate(row["active"], row["evaluated"])
    return result


def weekly_activity_trend_of(recent: dict[int, list[WeeklyActivity | None]], *, weeks: int) -> list[Rate]:
    """Return active teachers over evaluated teachers per week from one school's `weekly_activity_recent` rows
    (the rule of `weekly_activity_trend`, without a query)."""
    trend = []
    for position in range(weeks):
        rows = [by_week[position] for by_week in recent.values() if by_week[position] is not None]
        evaluated = [row for row in rows if row.status != WeeklyActivity.Status.EXCUSED]
        trend.append(Rate(sum(row.status == WeeklyActivity.Status.ACTIVE for row in evaluated), len(evaluated)))
    return trend


def activation_history(
    *, scope: str, scope_ids: Collection[int], first_day: date, last_day: date
) -> dict[int, dict[str, dict[date, Rate]]]:
    """Return {scope id: {group: {day: Rate}}} of the stored snapshots between the days, in one query."""
    result: dict[int, dict[str, dict[date, Rate]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        ActivationSnapshot.objects.filter(
            scope=scope, scope_id__in=list(scope_ids), day__gte=first_day, day__lte=last_day
        )
        .order_by("day")
        .values("scope_id", "group", "day", "numerator", "denominator", "target")
    ):
        result[row["scope_id"]][row["group"]][row["day"]] = Rate(row["numerator"], row["denominator"], row["target"])
    return result


@dataclass
class TeacherWeekRow:
    """A teacher in the weekly activity table: stored weeks of a range, oldest first (None: nothing stored)."""

    staff: Staff
    weeks: list[WeeklyActivity | None]

    @property
    def counts(self) -> list[int | None]:
        return [week.messages if week is not None else None for week in self.weeks]


def weekly_activity_table(*, school: School, mondays: Sequence[date]) -> list[TeacherWeekRow]:
    """Return the school's teachers with a stored row in any of the weeks, by name, each with every week.

    Two queries whatever the number of teachers and weeks: the rows, and their teachers.
    """
    if not mondays:
        return []
    position = {monday: index for index, monday in enumerate(mondays)}
    by_staff: dict[int, list[WeeklyActivity | None]] = defaultdict(lambda: [None] * len(mondays))
    for row in WeeklyActivity.objects.filter(school=school, week_start__in=list(mondays)).order_by():
        by_staff[row.staff_id][position[row.week_start]] = row
    staff = Staff.objects.filter(pk__in=list(by_staff)).order_by("last_name", "first_name", "patronymic", "person_id")
    return [TeacherWeekRow(staff=person, weeks=by_staff[person.pk]) for person in staff]

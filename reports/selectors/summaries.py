"""Stored school summaries (reports.models.SchoolSummary) read for the municipal and regional overviews.

The pages only read: one query for the latest summary of every school in scope, one for the summaries of seven
days before those; nothing is recomputed per request.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from fractions import Fraction

from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import Subquery

from chats.models import SyncRun
from classes.models import School
from reports.models import SchoolSummary
from reports.rates import Rate

from .activation_rates import ClassesBelowTarget

SUMMARY_GROUPS = ("staff", "students", "parents")


@dataclass(frozen=True)
class StoredWeek:
    """The last complete week a summary counted active teachers in, read like `SchoolWeek` by the templates."""

    week_start: date
    reason: str | None  # None when evaluated; else "no_school_day" or "no_history"

    @property
    def evaluated(self) -> bool:
        return self.reason is None


@dataclass
class SchoolFigures:
    """A school's stored figures on a day (a SchoolSummary), with the targets the school follows today.

    Reads like `SchoolMetrics` (staff, students, parents, active_teachers, below_target, week, change), so the
    overview's table and its export take either. `week_ago` holds the rates of the summary seven days earlier.
    """

    school: School
    summary: SchoolSummary
    week_ago: dict[str, Rate] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.summary.day

    @property
    def computed_at(self) -> datetime:
        return self.summary.computed_at

    @property
    def last_sync(self) -> SyncRun | None:
        return self.summary.last_sync

    @property
    def staff(self) -> Rate:
        return summary_rate(self.summary, "staff").with_target(self.school.effective_staff_target)

    @property
    def students(self) -> Rate:
        return summary_rate(self.summary, "students").with_target(self.school.effective_students_target)

    @property
    def parents(self) -> Rate:
        return summary_rate(self.summary, "parents").with_target(self.school.effective_parents_target)

    @property
    def active_teachers(self) -> Rate:
        return Rate(self.summary.teachers_active, self.summary.teachers_evaluated)

    @property
    def below_target(self) -> ClassesBelowTarget:
        return summary_below_target(self.summary)

    @property
    def week(self) -> StoredWeek:
        return StoredWeek(week_start=self.summary.week_start, reason=self.summary.week_reason or None)

    def change(self, group: str) -> Fraction | None:
        """Return the rate minus the stored rate of seven days earlier (a fraction), or None without both."""
        return getattr(self, group).change_since(self.week_ago.get(group))

    @property
    def changes(self) -> dict[str, Fraction | None]:
        return {group: self.change(group) for group in SUMMARY_GROUPS}


def summary_rate(summary: SchoolSummary, group: str) -> Rate:
    """Return the stored rate of a group (staff, students, parents), without a target."""
    return Rate(getattr(summary, f"{group}_numerator"), getattr(summary, f"{group}_denominator"))


def summary_below_target(summary: SchoolSummary) -> ClassesBelowTarget:
    return ClassesBelowTarget(
        any=summary.below_target_any, students=summary.below_target_students, parents=summary.below_target_parents
    )


def school_summaries_latest(*, school_ids: Collection[int]) -> dict[int, SchoolSummary]:
    """Return {school id: its latest stored summary} with the summary's last sync, in one query.

    A school without any summary yet is missing (the pages show "no figures yet", not zeros).
    """
    latest_day = SchoolSummary.objects.filter(school_id=OuterRef("school_id")).order_by("-day").values("day")[:1]
    rows = SchoolSummary.objects.filter(school_id__in=list(school_ids), day=Subquery(latest_day)).select_related(
        "last_sync"
    )
    return {row.school_id: row for row in rows}


def school_summaries_of_days(*, days_by_school: dict[int, date]) -> dict[int, SchoolSummary]:
    """Return {school id: its summary of the given day} for the schools that have one, in one query."""
    if not days_by_school:
        return {}
    by_day: dict[date, list[int]] = {}
    for school_id, day in days_by_school.items():
        by_day.setdefault(day, []).append(school_id)
    condition = Q()
    for day, ids in by_day.items():
        condition |= Q(day=day, school_id__in=ids)
    return {row.school_id: row for row in SchoolSummary.objects.filter(condition)}


def school_figures_read(*, schools: Iterable[School]) -> dict[int, SchoolFigures]:
    """Return {school id: SchoolFigures} of the schools that have a stored summary, with the change over a week.

    Two queries whatever the number of schools: the latest summaries, then the summaries of seven days before each.
    Schools come with their municipality and region (the targets they inherit).
    """
    schools = list(schools)
    latest = school_summaries_latest(school_ids=[school.pk for school in schools])
    before = school_summaries_of_days(
        days_by_school={school_id: row.day - timedelta(days=7) for school_id, row in latest.items()}
    )
    figures = {}
    for school in schools:
        summary = latest.get(school.pk)
        if summary is None:
            continue
        earlier = before.get(school.pk)
        week_ago = {group: summary_rate(earlier, group) for group in SUMMARY_GROUPS} if earlier else {}
        figures[school.pk] = SchoolFigures(school=school, summary=summary, week_ago=week_ago)
    return figures


def figures_as_of(figures: Iterable[SchoolFigures]) -> datetime | None:
    """Return when the oldest of the shown figures was computed (the page's «figures as of»), or None without any."""
    return min((item.computed_at for item in figures), default=None)

"""Stored school summaries (reports.models.SchoolSummary) read for the municipal and regional overviews.

The pages only read: one query for the latest summary of every school in scope, one for the summaries of seven
days before those; nothing is recomputed per request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from fractions import Fraction

from django.db.models import Count
from django.db.models import Min
from django.db.models import OuterRef
from django.db.models import Q
from django.db.models import QuerySet
from django.db.models import Subquery
from django.db.models import Sum

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
    def materials_last_week(self) -> int:
        return self.summary.materials_last_week

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
    return {row.school_id: row for row in _latest_of(school_ids).select_related("last_sync")}


def _of_days(days_by_school: dict[int, date]) -> Q:
    """Return the condition of each school's row of its given day (one term per distinct day)."""
    by_day: dict[date, list[int]] = {}
    for school_id, day in days_by_school.items():
        by_day.setdefault(day, []).append(school_id)
    condition = Q()
    for day, ids in by_day.items():
        condition |= Q(day=day, school_id__in=ids)
    return condition


def _latest_day() -> QuerySet[SchoolSummary]:
    """Return the subquery of the latest day of the outer row's school."""
    return SchoolSummary.objects.filter(school_id=OuterRef("school_id")).order_by("-day").values("day")[:1]


def _latest_of(school_ids: Collection[int]) -> QuerySet[SchoolSummary]:
    """Return the queryset of each school's latest summary."""
    return SchoolSummary.objects.filter(school_id__in=list(school_ids), day=Subquery(_latest_day()))


def school_summaries_of_days(*, days_by_school: dict[int, date]) -> dict[int, SchoolSummary]:
    """Return {school id: its summary of the given day} for the schools that have one, in one query."""
    if not days_by_school:
        return {}
    return {row.school_id: row for row in SchoolSummary.objects.filter(_of_days(days_by_school))}


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


SUM_FIELDS = (
    "staff_numerator",
    "staff_denominator",
    "students_numerator",
    "students_denominator",
    "parents_numerator",
    "parents_denominator",
    "below_target_any",
    "below_target_students",
    "below_target_parents",
    "teachers_active",
    "teachers_evaluated",
    "materials_last_week",
)


@dataclass
class SummarySums:
    """Sums of several schools' stored figures (the fields of SUM_FIELDS), now and seven days before each one's."""

    now: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUM_FIELDS, 0))
    week_ago: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUM_FIELDS, 0))
    with_figures: int = 0
    with_week_ago: int = 0
    as_of: datetime | None = None

    def merge(self, other: SummarySums) -> None:
        """Add another SummarySums into this one (a region's from its municipalities')."""
        for name in SUM_FIELDS:
            self.now[name] += other.now[name]
            self.week_ago[name] += other.week_ago[name]
        self.with_figures += other.with_figures
        self.with_week_ago += other.with_week_ago
        if other.as_of is not None:
            self.as_of = other.as_of if self.as_of is None else min(self.as_of, other.as_of)


def summary_sums_by_municipality(*, schools: QuerySet[School]) -> dict[int, SummarySums]:
    """Return {municipality id: SummarySums} over the latest stored summary of each of the schools, in three
    queries whose rows are per municipality (the database adds up; 1,500 schools cost no Python loop).

    Seven days earlier is each school's latest day minus seven; the schools' latest days are few (usually one), so
    the earlier rows are those whose day is one of them minus seven and whose school's latest day is that one.
    A municipality is the one the summary recorded (the school's when the job ran).
    """
    school_ids = Subquery(schools.values("pk"))
    latest = SchoolSummary.objects.filter(school_id__in=school_ids, day=Subquery(_latest_day())).order_by()
    sums_of = {name: Sum(name) for name in SUM_FIELDS}
    sums: dict[int, SummarySums] = defaultdict(SummarySums)
    for row in latest.values("municipality_id").annotate(count=Count("pk"), as_of=Min("computed_at"), **sums_of):
        item = sums[row["municipality_id"]]
        item.now = {name: row[name] for name in SUM_FIELDS}
        item.with_figures = row["count"]
        item.as_of = row["as_of"]
    days = list(latest.values_list("day", flat=True).distinct())
    if days:
        condition = Q()
        for day in days:
            condition |= Q(day=day - timedelta(days=7), latest=day)
        earlier = (
            SchoolSummary.objects.filter(school_id__in=school_ids)
            .annotate(latest=Subquery(_latest_day()))
            .filter(condition)
            .order_by()
        )
        for row in earlier.values("municipality_id").annotate(count=Count("pk"), **sums_of):
            item = sums[row["municipality_id"]]
            item.week_ago = {name: row[name] for name in SUM_FIELDS}
            item.with_week_ago = row["count"]
    return sums

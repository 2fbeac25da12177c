"""The municipal overview: every school of a municipality side by side, its totals and their sorts.

It reads the school summaries the nightly job stored (reports.summaries): each school's latest figures and those
of seven days earlier, never a live computation. The municipality's totals add numerators and denominators (never
means of rates) over the schools that have figures; a school without any yet is shown as such, not as zeros.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from fractions import Fraction

from django.urls import reverse

from chats.models import SyncRun
from classes import clock
from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.rates import sorted_missing_last
from reports.panels import ReconciliationPanel
from reports.panels import reconciliation_panels
from reports.rates import Rate
from reports.selectors import ACTIVATION_GROUPS
from reports.selectors import ClassesBelowTarget
from reports.selectors import SchoolFigures
from reports.selectors import figures_as_of
from reports.selectors import school_figures_read
from reports.selectors import timezone_most_used
from reports.selectors.dashboards import PartOf
from reports.selectors.summaries import SummarySums


def school_today(school: School) -> date:
    """Return today in the school's time zone (the day `school_metrics_compute` uses)."""
    return clock.today(school.tz)


@dataclass
class OverviewRow:
    """A school in the municipal overview: its stored figures (None before the job has stored any)."""

    school: School
    metrics: SchoolFigures | None
    reconciliation: ReconciliationPanel
    dashboard_url: str

    @property
    def last_sync(self) -> SyncRun | None:
        return self.metrics.last_sync if self.metrics else None


@dataclass
class ScopeTotals:
    """Sums of numerators over sums of denominators of several schools' stored figures, now and a week earlier.

    `week_ago` adds the earlier figures of the schools that have both (so a school added since does not count as a
    change); `targets` are the scope's own (a municipality's or a region's effective targets).
    """

    staff: Rate
    students: Rate
    parents: Rate
    active_teachers: Rate
    below_target: ClassesBelowTarget
    week_ago: dict[str, Rate]
    as_of: datetime | None
    schools: int = 0
    materials_last_week: int = 0
    with_figures: int = 0

    def change(self, group: str) -> Fraction | None:
        """Return the rate minus the rate seven days earlier, or None without both."""
        return getattr(self, group).change_since(self.week_ago.get(group))

    @property
    def changes(self) -> dict[str, Fraction | None]:
        return {group: self.change(group) for group in ACTIVATION_GROUPS}


def scope_totals(*, figures: list[SchoolFigures], owner: Municipality | Region, schools: int) -> ScopeTotals:
    """Return the totals of the schools' figures against the owner's effective targets (a municipality or region).

    A week ago: the sums of the stored figures of seven days earlier, of the schools that have them.
    """
    rates = {}
    week_ago = {}
    for group in ACTIVATION_GROUPS:
        target = scope_target(owner, group)
        rates[group] = sum((getattr(item, group) for item in figures), Rate(0, 0)).with_target(target)
        earlier = [item.week_ago[group] for item in figures if group in item.week_ago]
        if earlier:
            week_ago[group] = sum(earlier, Rate(0, 0)).with_target(target)
    return ScopeTotals(
        staff=rates["staff"],
        students=rates["students"],
        parents=rates["parents"],
        active_teachers=sum((item.active_teachers for item in figures), Rate(0, 0)),
        below_target=sum((item.below_target for item in figures), ClassesBelowTarget()),
        week_ago=week_ago,
        as_of=figures_as_of(figures),
        materials_last_week=sum(item.materials_last_week for item in figures),
        schools=schools,
        with_figures=len(figures),
    )


def scope_totals_of_sums(*, sums: SummarySums, owner: Municipality | Region, schools: int) -> ScopeTotals:
    """Return the totals of summed stored figures (reports.selectors.summary_sums_by_municipality) against the
    owner's effective targets; the same figures `scope_totals` gives from the schools' rows."""

    def rate(values: dict[str, int], group: str, target) -> Rate:
        return Rate(values[f"{group}_numerator"], values[f"{group}_denominator"], target)

    targets = {group: scope_target(owner, group) for group in ACTIVATION_GROUPS}
    now = {group: rate(sums.now, group, targets[group]) for group in ACTIVATION_GROUPS}
    week_ago = (
        {group: rate(sums.week_ago, group, targets[group]) for group in ACTIVATION_GROUPS} if sums.with_week_ago else {}
    )
    return ScopeTotals(
        staff=now["staff"],
        students=now["students"],
        parents=now["parents"],
        active_teachers=Rate(sums.now["teachers_active"], sums.now["teachers_evaluated"]),
        below_target=ClassesBelowTarget(
            any=sums.now["below_target_any"],
            students=sums.now["below_target_students"],
            parents=sums.now["below_target_parents"],
        ),
        week_ago=week_ago,
        as_of=sums.as_of,
        materials_last_week=sums.now["materials_last_week"],
        schools=schools,
        with_figures=sums.with_figures,
    )


def scope_target(owner: Municipality | Region, group: str):
    """Return a municipality's effective target of the group, or a region's own."""
    if isinstance(owner, Municipality):
        return owner.effective(f"{group}_target")
    return getattr(owner, f"{group}_target")


@dataclass
class MunicipalOverview:
    municipality: Municipality
    day: date
    rows: list[OverviewRow]
    totals: ScopeTotals

    # When the oldest figures shown were computed (None: no school has figures yet), and the totals' figures.
    as_of = PartOf("totals")
    active_teachers = PartOf("totals")
    below_target = PartOf("totals")
    change = PartOf("totals")
    changes = PartOf("totals")


def _change_key(value: Fraction | None) -> tuple:
    return (value is None, value or 0)


def _figure_key(read: Callable[[SchoolFigures], tuple]) -> Callable[[OverviewRow], tuple]:
    """Return a sort key reading the row's figures; a row without figures sorts as missing (last)."""
    return lambda row: read(row.metrics) if row.metrics is not None else (True, 0)


OVERVIEW_SORTS: dict[str, Callable[[OverviewRow], tuple]] = {
    # Every key is (missing, value…): `sorted_missing_last` puts rows without a value last in either direction.
    "school": lambda row: (False, row.school.short_name.lower(), row.school.code),
    "staff": _figure_key(lambda m: m.staff.sort_key),
    "students": _figure_key(lambda m: m.students.sort_key),
    "parents": _figure_key(lambda m: m.parents.sort_key),
    "teachers": _figure_key(lambda m: m.active_teachers.sort_key),
    "below_target": _figure_key(lambda m: (False, m.below_target.any, m.below_target.students)),
    "staff_change": _figure_key(lambda m: _change_key(m.change("staff"))),
    "students_change": _figure_key(lambda m: _change_key(m.change("students"))),
    "parents_change": _figure_key(lambda m: _change_key(m.change("parents"))),
    "reconciliation": lambda row: (False, row.reconciliation.label),
    "sync": lambda row: (row.last_sync is None, row.last_sync.started_at if row.last_sync else datetime.min),
}


def municipal_overview_read(*, municipality: Municipality) -> MunicipalOverview:
    """Return the overview of the municipality from the stored school summaries (a fixed number of queries).

    The reconciliation of the quarter is read live (one status per school, a few queries in all) on each
    school's today; the municipality's day is the one of the time zone most of its schools use.
    """
    schools = list(
        School.objects.filter(municipality=municipality).select_related("municipality__region").order_by("pk")
    )
    figures = school_figures_read(schools=schools)
    zone = timezone_most_used(Counter(school.timezone for school in schools)) if schools else None
    day = clock.today(zone)
    reconciliation = reconciliation_panels(
        schools=schools, days={school.pk: school_today(school) for school in schools}
    )
    rows = [
        OverviewRow(
            school=school,
            metrics=figures.get(school.pk),
            reconciliation=reconciliation[school.pk],
            dashboard_url=reverse("school-dashboard", kwargs={"school_id": school.pk}),
        )
        for school in schools
    ]
    totals = scope_totals(figures=list(figures.values()), owner=municipality, schools=len(schools))
    return MunicipalOverview(municipality=municipality, day=day, rows=rows, totals=totals)


def overview_sorted(overview: MunicipalOverview, sort: str) -> tuple[list[OverviewRow], str]:
    """Return the rows sorted by a whitelisted column («parents», «-parents»), and the sort in force."""
    key = sort.removeprefix("-")
    rows = sorted(overview.rows, key=OVERVIEW_SORTS["school"])
    if key not in OVERVIEW_SORTS:
        return rows, ""
    return sorted_missing_last(rows, OVERVIEW_SORTS[key], descending=sort.startswith("-")), sort

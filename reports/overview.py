"""The municipal overview: every school of a municipality side by side, its totals and their sorts.

Each school is as `school_metrics_compute` sees it on its own day; the municipality's totals add numerators and
denominators (never means of rates), on the day of the time zone most of its schools use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from fractions import Fraction

from django.urls import reverse

from chats.models import SyncRun
from classes import clock
from classes.access import schools_for_user
from classes.models import Municipality
from classes.models import School
from classes.models import User
from classes.rates import sorted_missing_last
from reports.panels import ReconciliationPanel
from reports.panels import reconciliation_panels
from reports.rates import Rate
from reports.selectors import ACTIVATION_GROUPS
from reports.selectors import ClassesBelowTarget
from reports.selectors import MunicipalityActivation
from reports.selectors import SchoolMetrics
from reports.selectors import activation_snapshots_of_days
from reports.selectors import school_metrics_compute
from reports.selectors import sync_runs_last
from reports.selectors import timezone_most_used


def school_today(school: School) -> date:
    """Return today in the school's time zone (the day `school_metrics_compute` uses)."""
    return clock.today(school.tz)


@dataclass
class OverviewRow:
    """A school in the municipal overview."""

    metrics: SchoolMetrics
    last_sync: SyncRun | None
    reconciliation: ReconciliationPanel
    dashboard_url: str

    @property
    def school(self):
        return self.metrics.school


@dataclass
class MunicipalOverview:
    municipality: Municipality
    day: date
    rows: list[OverviewRow]
    totals: MunicipalityActivation
    active_teachers: Rate
    week_ago: dict[str, Rate]

    def change(self, group: str) -> Fraction | None:
        """Return the municipality's rate today minus seven days earlier, or None without both."""
        return getattr(self.totals, group).change_since(self.week_ago.get(group))

    @property
    def changes(self) -> dict[str, Fraction | None]:
        return {group: self.change(group) for group in ACTIVATION_GROUPS}

    @property
    def below_target(self) -> ClassesBelowTarget:
        """Return the classes below target of all the schools (each school's count, added)."""
        return sum((row.metrics.below_target for row in self.rows), ClassesBelowTarget())


def _change_key(value: Fraction | None) -> tuple:
    return (value is None, value or 0)


OVERVIEW_SORTS: dict[str, Callable[[OverviewRow], tuple]] = {
    # Every key is (missing, value…): `sorted_missing_last` puts rows without a value last in either direction.
    "school": lambda row: (False, row.school.short_name.lower(), row.school.code),
    "staff": lambda row: row.metrics.staff.sort_key,
    "students": lambda row: row.metrics.students.sort_key,
    "parents": lambda row: row.metrics.parents.sort_key,
    "teachers": lambda row: row.metrics.active_teachers.sort_key,
    "below_target": lambda row: (False, row.metrics.below_target.any, row.metrics.below_target.students),
    "staff_change": lambda row: _change_key(row.metrics.change("staff")),
    "students_change": lambda row: _change_key(row.metrics.change("students")),
    "parents_change": lambda row: _change_key(row.metrics.change("parents")),
    "reconciliation": lambda row: (False, row.reconciliation.label),
    "sync": lambda row: (row.last_sync is None, row.last_sync.started_at if row.last_sync else datetime.min),
}


def municipal_overview_compute(*, user: User) -> MunicipalOverview:
    """Return the overview of the login's municipality: each school as `metrics_compute` sees it, and totals.

    Totals are sums of numerators over sums of denominators (never means of rates); the municipality's day
    is the one of the time zone most of its schools use.
    """
    municipality = Municipality.objects.get(pk=user.municipality_id)
    schools = list(schools_for_user(user=user))
    metrics = school_metrics_compute(schools=schools, today=school_today)
    zones = Counter(school.timezone for school in schools)
    zone = timezone_most_used(zones) if zones else None
    day = clock.today(zone)
    syncs = sync_runs_last(school_ids=[school.pk for school in schools])
    reconciliation = reconciliation_panels(schools=schools, days={pk: m.day for pk, m in metrics.items()})
    rows = [
        OverviewRow(
            metrics=metrics[school.pk],
            last_sync=syncs.get(school.pk),
            reconciliation=reconciliation[school.pk],
            dashboard_url=reverse("school-dashboard", kwargs={"school_id": school.pk}),
        )
        for school in schools
    ]
    totals = MunicipalityActivation(
        municipality=municipality, day=day, schools=[metrics[school.pk].activation for school in schools]
    )
    week_ago = activation_snapshots_of_days(
        scope="municipality", days_by_id={municipality.pk: day - timedelta(days=7)}
    ).get(municipality.pk, {})
    return MunicipalOverview(
        municipality=municipality,
        day=day,
        rows=rows,
        totals=totals,
        active_teachers=sum((m.active_teachers for m in metrics.values()), Rate(0, 0)),
        week_ago=week_ago,
    )


def overview_sorted(overview: MunicipalOverview, sort: str) -> tuple[list[OverviewRow], str]:
    """Return the rows sorted by a whitelisted column («parents», «-parents»), and the sort in force."""
    key = sort.removeprefix("-")
    rows = sorted(overview.rows, key=OVERVIEW_SORTS["school"])
    if key not in OVERVIEW_SORTS:
        return rows, ""
    return sorted_missing_last(rows, OVERVIEW_SORTS[key], descending=sort.startswith("-")), sort

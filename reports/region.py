"""The regional overview: every municipality of a region side by side, from the stored school summaries.

Each municipality's figures are sums of its schools' numerators over sums of their denominators (never means of
rates), read from the summaries the nightly job stored; the region's totals add every school the same way. A fixed
number of queries whatever the number of schools: the municipalities, the schools, their latest summaries and
those of seven days earlier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count
from django.urls import reverse

from classes.models import Municipality
from classes.models import Region
from classes.models import School
from classes.rates import sorted_missing_last
from reports.overview import ScopeTotals
from reports.overview import scope_totals_of_sums
from reports.selectors import ACTIVATION_GROUPS
from reports.selectors.dashboards import PartOf
from reports.selectors.summaries import SummarySums
from reports.selectors.summaries import summary_sums_by_municipality


@dataclass
class MunicipalityRow:
    """A municipality in the regional overview: its schools' stored figures added up."""

    municipality: Municipality
    totals: ScopeTotals
    overview_url: str

    # Read like a school's figures by the table's cells and sort keys: the totals' own attributes.
    staff = PartOf("totals")
    students = PartOf("totals")
    parents = PartOf("totals")
    active_teachers = PartOf("totals")
    below_target = PartOf("totals")
    change = PartOf("totals")
    changes = PartOf("totals")
    materials_last_week = PartOf("totals")


@dataclass
class RegionalOverview:
    region: Region
    rows: list[MunicipalityRow]
    totals: ScopeTotals

    # When the oldest figures shown were computed (None: no school has figures yet), and how many schools.
    as_of = PartOf("totals")
    schools = PartOf("totals")


def _change_key(value: Fraction | None) -> tuple:
    return (value is None, value or 0)


REGION_SORTS: dict[str, Callable[[MunicipalityRow], tuple]] = {
    # Every key is (missing, value…): `sorted_missing_last` puts rows without a value last in either direction.
    "municipality": lambda row: (False, row.municipality.name.lower(), row.municipality.code),
    "staff": lambda row: row.staff.sort_key,
    "students": lambda row: row.students.sort_key,
    "parents": lambda row: row.parents.sort_key,
    "teachers": lambda row: row.active_teachers.sort_key,
    "below_target": lambda row: (False, row.below_target.any, row.below_target.students),
    **{f"{group}_change": (lambda row, g=group: _change_key(row.change(g))) for group in ACTIVATION_GROUPS},
    "schools": lambda row: (False, row.totals.schools),
}


def regional_overview_read(*, region: Region) -> RegionalOverview:
    """Return the overview of the region: each municipality's totals and the region's, from stored summaries.

    A fixed number of queries whatever the number of schools, each returning a row per municipality (or per
    distinct day): the municipalities, their numbers of schools, and the sums of the latest summaries and of those
    seven days earlier (reports.selectors.summary_sums_by_municipality).
    """
    municipalities = list(Municipality.objects.filter(region=region).select_related("region").order_by("name", "pk"))
    schools = School.objects.filter(municipality__region=region)
    counts = dict(
        schools.order_by().values("municipality_id").annotate(count=Count("pk")).values_list("municipality_id", "count")
    )
    schools_of = {municipality.pk: counts.get(municipality.pk, 0) for municipality in municipalities}
    sums = summary_sums_by_municipality(schools=schools)
    region_sums = SummarySums()
    rows = []
    for municipality in municipalities:
        region_sums.merge(sums[municipality.pk])
        rows.append(
            MunicipalityRow(
                municipality=municipality,
                totals=scope_totals_of_sums(
                    sums=sums[municipality.pk], owner=municipality, schools=schools_of[municipality.pk]
                ),
                overview_url=reverse("municipality-overview", kwargs={"municipality_id": municipality.pk}),
            )
        )
    totals = scope_totals_of_sums(sums=region_sums, owner=region, schools=sum(schools_of.values()))
    return RegionalOverview(region=region, rows=rows, totals=totals)


def region_sorted(overview: RegionalOverview, sort: str) -> tuple[list[MunicipalityRow], str]:
    """Return the rows sorted by a whitelisted column («parents», «-parents»), and the sort in force."""
    key = sort.removeprefix("-")
    rows = sorted(overview.rows, key=REGION_SORTS["municipality"])
    if key not in REGION_SORTS:
        return rows, ""
    return sorted_missing_last(rows, REGION_SORTS[key], descending=sort.startswith("-")), sort

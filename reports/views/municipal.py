"""The municipal administrator's overview: every school of their municipality side by side, and its export.

Only a municipal administrator opens these pages (others get 403); the municipality is the login's own, so
no address can reach another one. Each school links to its dashboard, which they see read-only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chats.models import SyncRun
from classes import clock
from classes.access import role_required, schools_for_user
from classes.models import Municipality, User
from reports import charts
from reports.exports import ExportFormatError, MunicipalOverviewReport, overview_rate_values, report_export
from reports.rates import Rate
from reports.selectors import (
    ACTIVATION_GROUPS,
    MunicipalityActivation,
    SchoolMetrics,
    activation_history,
    activation_snapshots_of_days,
    school_metrics_compute,
    sync_runs_last,
    timezone_most_used,
)
from reports.views.exports import export_error_page
from reports.views.panels import ReconciliationPanel, reconciliation_panels
from reports.views.school import (
    TREND_DAYS,
    activation_trend_chart,
    htmx_target,
    rate_float,
    school_today,
    vary_on_htmx,
)

Role = User.Role


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


def _change_key(value: Fraction | None) -> tuple:
    return (value is None, value or 0)


OVERVIEW_SORTS: dict[str, Callable[[OverviewRow], tuple]] = {
    "school": lambda row: (row.school.short_name.lower(), row.school.code),
    "staff": lambda row: row.metrics.staff.sort_key,
    "students": lambda row: row.metrics.students.sort_key,
    "parents": lambda row: row.metrics.parents.sort_key,
    "teachers": lambda row: row.metrics.active_teachers.sort_key,
    "staff_change": lambda row: _change_key(row.metrics.change("staff")),
    "students_change": lambda row: _change_key(row.metrics.change("students")),
    "parents_change": lambda row: _change_key(row.metrics.change("parents")),
    "reconciliation": lambda row: (row.reconciliation.label,),
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
    return sorted(rows, key=OVERVIEW_SORTS[key], reverse=sort.startswith("-")), sort


def overview_totals_values(overview: MunicipalOverview) -> dict:
    """Return the totals row of the export."""
    values: dict = {"school": _("Total: %(name)s") % {"name": overview.municipality.name}, "code": ""}
    values.update(
        overview_rate_values(rates=overview.totals, change=overview.change, teachers=overview.active_teachers)
    )
    return values


@role_required(Role.MUNICIPAL_ADMIN)
@require_safe
def municipal_overview(request: HttpRequest) -> HttpResponse:
    """Every school of the municipality: activation, active teachers, reconciliation, last sync, weekly change."""
    overview = municipal_overview_compute(user=request.user)
    rows, sort = overview_sorted(overview, request.GET.get("sort", ""))
    context = {"overview": overview, "rows": rows, "sort": sort}
    if htmx_target(request) == "school-results":
        return vary_on_htmx(render(request, "reports/municipal/_results.html", context))
    labels = [row.school.short_name for row in rows]
    groups = [("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))]
    history = activation_history(
        scope="municipality",
        scope_ids=[overview.municipality.pk],
        first_day=overview.day - timedelta(days=TREND_DAYS),
        last_day=overview.day,
    ).get(overview.municipality.pk, {})
    context["trend_chart"] = activation_trend_chart(
        title=_("Activation in %(name)s, last %(days)d days") % {"name": overview.municipality, "days": TREND_DAYS},
        history=history,
        today={group: getattr(overview.totals, group) for group, _label in groups},
        last_day=overview.day,
        groups=groups,
    )
    context["bar_charts"] = []
    for group, label in groups:
        title = _("%(group)s: activation by school") % {"group": label}
        chart = charts.bar_chart(
            title=title,
            labels=labels,
            values=[rate_float(getattr(row.metrics, group)) for row in rows],
            target=float(getattr(overview.totals, group).target),
        )
        context["bar_charts"].append((title, chart))
    return vary_on_htmx(render(request, "reports/municipal_overview.html", context))


@role_required(Role.MUNICIPAL_ADMIN)
@require_safe
def municipal_export(request: HttpRequest) -> HttpResponse:
    """The overview as XLSX (default) or CSV, with the municipality's totals, fit to send upward."""
    overview = municipal_overview_compute(user=request.user)
    rows, _sort = overview_sorted(overview, request.GET.get("sort", ""))
    report = MunicipalOverviewReport(
        municipality=overview.municipality,
        rows=rows,
        totals=overview_totals_values(overview),
        day=overview.day,
        tz=rows[0].school.tz if rows else None,
    )
    try:
        return report_export(
            request=request,
            report=report,
            fmt=request.GET.get("format", "xlsx"),
            municipality=overview.municipality,
        )
    except ExportFormatError as error:
        return export_error_page(request, error, back_url=reverse("municipal-overview"))

"""The municipal administrator's overview: every school of their municipality side by side, and its export.

Only a municipal administrator opens these pages (others get 403); the municipality is the login's own, so
no address can reach another one. Each school links to its dashboard, which they see read-only.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from classes.access import role_required
from classes.models import User
from reports import charts
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.exports.tables import MunicipalOverviewReport
from reports.exports.tables import overview_rate_values
from reports.overview import MunicipalOverview
from reports.overview import municipal_overview_compute
from reports.overview import overview_sorted
from reports.views.exports import export_error_page
from reports.views.school import TREND_DAYS
from reports.views.school import activation_trend_chart
from reports.views.school import htmx_target
from reports.views.school import rate_float

Role = User.Role


def overview_totals_values(overview: MunicipalOverview) -> dict:
    """Return the totals row of the export."""
    values: dict = {"school": _("Total: %(name)s") % {"name": overview.municipality.name}, "code": ""}
    values.update(
        overview_rate_values(
            rates=overview.totals,
            change=overview.change,
            teachers=overview.active_teachers,
            below_target=overview.below_target,
        )
    )
    return values


@role_required(Role.MUNICIPAL_ADMIN)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def municipal_overview(request: HttpRequest) -> HttpResponse:
    """Every school of the municipality: activation, active teachers, reconciliation, last sync, weekly change."""
    overview = municipal_overview_compute(user=request.user)
    rows, sort = overview_sorted(overview, request.GET.get("sort", ""))
    context = {"overview": overview, "rows": rows, "sort": sort}
    if htmx_target(request) == "school-results":
        return render(request, "reports/municipal/_results.html", context)
    labels = [row.school.short_name for row in rows]
    groups = [("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))]
    context["trend_chart"] = activation_trend_chart(
        title=ngettext(
            "Activation in %(name)s, the last %(days)d day",
            "Activation in %(name)s, the last %(days)d days",
            TREND_DAYS,
        )
        % {"name": overview.municipality, "days": TREND_DAYS},
        scope="municipality",
        scope_id=overview.municipality.pk,
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
    return render(request, "reports/municipal_overview.html", context)


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

"""The regional administrator's overview: every municipality of their region side by side, and its export.

Only a regional administrator opens these pages (others get 403); the region is the login's own, so no address
reaches another one. Each municipality links to its municipal overview (reports.views.municipal), and from there
to each school's dashboard, read-only.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from classes import clock
from classes.access import role_required
from classes.models import Region
from classes.models import User
from reports import charts
from reports.exports.region import RegionalOverviewReport
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.region import region_sorted
from reports.region import regional_overview_read
from reports.views.exports import export_error_page
from reports.views.school import htmx_target
from reports.views.school import rate_float

Role = User.Role


def _own_region(request: HttpRequest) -> Region:
    return get_object_or_404(Region, pk=request.user.region_id)


@role_required(Role.REGIONAL_ADMIN)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def region_overview(request: HttpRequest) -> HttpResponse:
    """Every municipality of the region: activation, classes below target, active teachers, change in a week."""
    overview = regional_overview_read(region=_own_region(request))
    rows, sort = region_sorted(overview, request.GET.get("sort", ""))
    context = {"overview": overview, "rows": rows, "sort": sort}
    if htmx_target(request) == "municipality-results":
        return render(request, "reports/region/_results.html", context)
    labels = [row.municipality.name for row in rows]
    context["bar_charts"] = []
    for group, label in (("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))):
        title = _("%(group)s: activation by municipality") % {"group": label}
        chart = charts.bar_chart(
            title=title,
            labels=labels,
            values=[rate_float(getattr(row, group)) for row in rows],
            target=float(getattr(overview.totals, group).target),
        )
        context["bar_charts"].append((title, chart))
    return render(request, "reports/region_overview.html", context)


@role_required(Role.REGIONAL_ADMIN)
@require_safe
def region_export(request: HttpRequest) -> HttpResponse:
    """The regional overview as XLSX (default) or CSV, with the region's totals (written to the audit log)."""
    overview = regional_overview_read(region=_own_region(request))
    rows, _sort = region_sorted(overview, request.GET.get("sort", ""))
    report = RegionalOverviewReport(region=overview.region, rows=rows, totals=overview.totals, day=clock.today())
    try:
        return report_export(request=request, report=report, fmt=request.GET.get("format", "xlsx"))
    except ExportFormatError as error:
        return export_error_page(request, error, back_url=reverse("region-overview"))

"""The municipal overview: every school of a municipality side by side, and its export, from stored summaries.

A municipal administrator opens their own municipality's (`/municipality/`); a regional administrator any
municipality of their region (`/municipality/<id>/`, the regional overview's drill-down); another municipality's
address is a 404, other roles get 403. Each school links to its dashboard, which they see read-only.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from classes.access import OVERVIEW_ROLES
from classes.access import municipality_for_user_or_404
from classes.access import role_required
from classes.models import Municipality
from classes.models import User
from reports import charts
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.exports.tables import MunicipalOverviewReport
from reports.exports.tables import overview_rate_values
from reports.overview import MunicipalOverview
from reports.overview import municipal_overview_read
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
            materials=overview.totals.materials_last_week,
        )
    )
    return values


def overview_urls(*, user: User, municipality: Municipality) -> dict:
    """Return the addresses of the overview's export and of the way back (the regional overview for a regional
    administrator, who reaches a municipality by its id)."""
    if user.role == Role.REGIONAL_ADMIN:
        return {
            "export_url": reverse("municipality-export", kwargs={"municipality_id": municipality.pk}),
            "region_url": reverse("region-overview"),
        }
    return {"export_url": reverse("municipal-export"), "region_url": ""}


def _own_municipality(request: HttpRequest) -> Municipality:
    return municipality_for_user_or_404(user=request.user, municipality_id=request.user.municipality_id)


@role_required(*OVERVIEW_ROLES)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def municipal_overview(request: HttpRequest) -> HttpResponse:
    """The login's own municipality (a regional administrator goes to the regional overview)."""
    if request.user.role == Role.REGIONAL_ADMIN:
        return redirect("region-overview")
    return _overview_page(request, _own_municipality(request))


@role_required(*OVERVIEW_ROLES)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def municipality_overview(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """A municipality of the login's region (or the municipal administrator's own), by its id."""
    return _overview_page(request, municipality_for_user_or_404(user=request.user, municipality_id=municipality_id))


def _overview_page(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Every school of the municipality: activation, active teachers, reconciliation, last sync, weekly change."""
    overview = municipal_overview_read(municipality=municipality)
    rows, sort = overview_sorted(overview, request.GET.get("sort", ""))
    context = {
        "overview": overview,
        "rows": rows,
        "sort": sort,
        **overview_urls(user=request.user, municipality=municipality),
    }
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
            values=[rate_float(getattr(row.metrics, group)) if row.metrics else None for row in rows],
            target=float(getattr(overview.totals, group).target),
        )
        context["bar_charts"].append((title, chart))
    return render(request, "reports/municipal_overview.html", context)


@role_required(Role.MUNICIPAL_ADMIN)
@require_safe
def municipal_export(request: HttpRequest) -> HttpResponse:
    """The login's own municipality's overview as XLSX (default) or CSV, with its totals, fit to send upward."""
    return _overview_export(request, _own_municipality(request), back_url=reverse("municipal-overview"))


@role_required(*OVERVIEW_ROLES)
@require_safe
def municipality_export(request: HttpRequest, municipality_id: int) -> HttpResponse:
    """A municipality of the login's region as XLSX (default) or CSV."""
    municipality = municipality_for_user_or_404(user=request.user, municipality_id=municipality_id)
    back_url = reverse("municipality-overview", kwargs={"municipality_id": municipality.pk})
    return _overview_export(request, municipality, back_url=back_url)


def _overview_export(request: HttpRequest, municipality: Municipality, *, back_url: str) -> HttpResponse:
    overview = municipal_overview_read(municipality=municipality)
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
        return export_error_page(request, error, back_url=back_url)

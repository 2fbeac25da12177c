"""A school's publications page (regulation 2.1 and 2.2): its materials, channel posts and calls of a week or of
the current quarter, with the materials log or the calls log (50 a page) and both logs as files.

Access as for the school's pages: its administrator, or their municipality's read-only; a teacher 403; another
school 404. A bad week in the address is said on the page, and the last complete week shown instead.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from chats.publications import call_messages
from chats.publications import material_messages
from chats.publications import publications_of
from classes.access import ADMINS
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.calendar import last_complete_week
from classes.calendar import week_of_query
from classes.models import School
from reports.exports.publications import CallsLogReport
from reports.exports.publications import MaterialsLogReport
from reports.overview import school_today
from reports.publications import Period
from reports.publications import call_rows
from reports.publications import channel_posts
from reports.publications import material_rows
from reports.publications import quarter_period
from reports.publications import week_period
from reports.views.exports import export_response

PAGE_SIZE = 50
LOGS = ("materials", "calls")


def period_of(request: HttpRequest, school: School) -> tuple[Period, str]:
    """Return the period the address asks for (?week=YYYY-Www, else the current quarter) and an error sentence."""
    today = school_today(school)
    value = request.GET.get("week", "").strip()
    if not value:
        return quarter_period(school, today), ""
    try:
        monday = week_of_query(value)
    except ValueError as error:
        return week_period(last_complete_week(today)), str(error)
    return week_period(monday), ""


def log_messages(log: str, *, school: School, period: Period):
    start, end = period.bounds(school)
    queryset = call_messages if log == "calls" else material_messages
    return queryset(school_id=school.pk, start=start, end=end)


def log_rows(log: str, messages, school: School):
    return call_rows(messages, school) if log == "calls" else material_rows(messages, school)


@role_required(*ADMINS)
@require_safe
def publications_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """The period's totals, the posts per channel, and one log (materials or calls) a page at a time."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    period, error = period_of(request, school)
    start, end = period.bounds(school)
    log = request.GET.get("log") if request.GET.get("log") in LOGS else "materials"
    page = Paginator(log_messages(log, school=school, period=period), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    period_query = {"week": period.week} if period.week else {}
    context = {
        "school": school,
        "period": period,
        "error": error,
        "totals": publications_of(school_id=school.pk, start=start, end=end),
        "channels": channel_posts(school, start, end),
        "log": log,
        "page": page,
        "rows": log_rows(log, page.object_list, school),
        "query": query.urlencode(),
        "period_query": "&".join(f"{key}={value}" for key, value in period_query.items()),
        "last_week": week_period(last_complete_week(school_today(school))),
    }
    return render(request, "reports/publications/page.html", context)


@role_required(*ADMINS)
@require_safe
def publications_panel(request: HttpRequest, school_id: int) -> HttpResponse:
    """The dashboard's panel (htmx loads it): the quarter's and the last complete week's counts (three queries)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    today = school_today(school)
    url = reverse("publications", kwargs={"school_id": school.pk})
    periods = []
    for period in (quarter_period(school, today), week_period(last_complete_week(today))):
        start, end = period.bounds(school)
        link = f"{url}?week={period.week}" if period.week else url
        periods.append((period, publications_of(school_id=school.pk, start=start, end=end), link))
    return render(request, "reports/publications/_panel.html", {"school": school, "periods": periods, "logs_url": url})


def _export(request: HttpRequest, school_id: int, log: str) -> HttpResponse:
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    period, _error = period_of(request, school)
    rows = log_rows(log, log_messages(log, school=school, period=period), school)
    report_class = CallsLogReport if log == "calls" else MaterialsLogReport
    return export_response(request, report_class(school=school, period=period, rows=rows), school, page="publications")


@role_required(*ADMINS)
@require_safe
def materials_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The materials log of the period as a file; written to the audit log like every export of personal data."""
    return _export(request, school_id, "materials")


@role_required(*ADMINS)
@require_safe
def calls_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The calls log of the period as a file; written to the audit log like every export of personal data."""
    return _export(request, school_id, "calls")

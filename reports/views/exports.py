"""Exports of the school pages' tables: the classes table, the teachers' weekly activity, the chat registry.

Each is `?format=csv|xlsx|html` (xlsx by default) of exactly what the page shows (the same filters and sort),
and each is written to the audit log by `report_export`. Access as for the pages: the school's
administrator or their municipality's; a teacher 403; another school 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from chats.filters import ChatRegistryFilter
from chats.mapping import chat_registry
from classes.access import ADMINS
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.calendar import last_complete_week
from reports.exports.renderers import report_export
from reports.exports.report import ExportFormatError
from reports.exports.report import Report
from reports.exports.tables import ChatRegistryReport
from reports.exports.tables import ClassesReport
from reports.exports.tables import TeacherActivityReport
from reports.forms import WeekRangeForm
from reports.overview import school_today
from reports.selectors import school_metrics_compute
from reports.selectors import weekly_activity_table
from reports.views.school import class_table


def export_error_page(request: HttpRequest, error: ExportFormatError, *, back_url: str) -> HttpResponse:
    """Return the 400 page of an export that cannot be made: the error's sentence, escaped like any text."""
    return render(request, "reports/export_error.html", {"message": str(error), "back_url": back_url}, status=400)


def export_response(request: HttpRequest, report: Report, school, *, page: str) -> HttpResponse:
    try:
        return report_export(request=request, report=report, fmt=request.GET.get("format", "xlsx"), school=school)
    except ExportFormatError as error:
        return export_error_page(request, error, back_url=reverse(page, kwargs={"school_id": school.pk}))


@role_required(*ADMINS)
@require_safe
def school_classes_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The dashboard's classes table as a file (the filters and sort of the page apply)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    metrics = school_metrics_compute(schools=[school], today=school_today)[school.pk]
    _filterset, rows, _sort = class_table(request, metrics)
    return export_response(request, ClassesReport(metrics=metrics, rows=rows), school, page="school-dashboard")


@role_required(*ADMINS)
@require_safe
def teacher_activity_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The teachers' weekly activity of a range of weeks (default: the last eight complete ones) as a file."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    form = WeekRangeForm(request.GET or None, last_week=last_complete_week(school_today(school)))
    mondays = form.mondays()
    rows = weekly_activity_table(school=school, mondays=mondays)
    return export_response(
        request,
        TeacherActivityReport(school=school, mondays=mondays, rows=rows),
        school,
        page="school-teacher-activity",
    )


@role_required(*ADMINS)
@require_safe
def chat_registry_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The chat registry as a file (the filters of the page apply)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    day = school_today(school)
    filterset = ChatRegistryFilter(request.GET or None, queryset=chat_registry(school=school), school=school, day=day)
    chats = list(filterset.qs) if (not filterset.is_bound or filterset.is_valid()) else []
    report = ChatRegistryReport(school=school, chats=chats, day=day)
    return export_response(request, report, school, page="chat-registry")

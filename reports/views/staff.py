"""The staff not activated: who, of the staff employed today, has no activated Sferum profile, why, and what to do.

The dashboard's staff card links here; its gap («49 of 54») is this list's length. Access as for the school's
pages: its administrator, or their municipality's read-only; a teacher 403; another school 404.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from activation.staff_status import StaffNotActivated
from activation.staff_status import StaffReason
from activation.staff_status import staff_not_activated
from activation.staff_status import staff_not_activated_filter
from classes.access import ADMINS
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.models import School
from reports.exports.tables import StaffNotActivatedReport
from reports.forms import StaffNotActivatedFilterForm
from reports.overview import school_today
from reports.views.exports import export_response
from reports.views.school import htmx_target


def _staff_list(request: HttpRequest, school_id: int) -> tuple[School, StaffNotActivatedFilterForm, dict]:
    """Return the school, the filter form, and the list's context: every row, the filtered rows, counts by reason."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    day = school_today(school)
    rows: list[StaffNotActivated] = staff_not_activated(school=school, day=day)
    form = StaffNotActivatedFilterForm(request.GET or None)
    shown = staff_not_activated_filter(rows, **form.values())
    counts = {reason: 0 for reason in StaffReason}
    for row in rows:
        counts[row.reason] += 1
    context = {
        "school": school,
        "day": day,
        "all_rows": rows,
        "rows": shown,
        "reasons": [(reason, counts[reason]) for reason in StaffReason if counts[reason]],
        "query": request.GET.urlencode(),
    }
    return school, form, context


@role_required(*ADMINS)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def staff_not_activated_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """The staff employed today who are not activated, each with the reason and what to do; filterable."""
    _school, form, context = _staff_list(request, school_id)
    context["form"] = form
    context["show_admin_link"] = request.user.is_staff
    if htmx_target(request) == "staff-results":
        return render(request, "reports/staff/_results.html", context)
    return render(request, "reports/staff/not_activated.html", context)


@role_required(*ADMINS)
@require_safe
def staff_not_activated_export(request: HttpRequest, school_id: int) -> HttpResponse:
    """The list as a file (its filters apply); written to the audit log like every export of personal data."""
    school, _form, context = _staff_list(request, school_id)
    report = StaffNotActivatedReport(school=school, day=context["day"], rows=context["rows"])
    return export_response(request, report, school, page="staff-not-activated")

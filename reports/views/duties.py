"""The school dashboard's panels of open instructions and teachers' help requests, loaded by htmx after the page.

The dashboard itself keeps its fixed query budget (15); these panels' queries are their own request's.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.help_requests import help_queue
from classes.school_days import SchoolCalendar
from reports.instructions import instructions_panel_for
from reports.overview import school_today


@role_required(*ADMINS)
@require_safe
def duties_panels(request: HttpRequest, school_id: int) -> HttpResponse:
    """The open instructions (the school's own administrator) and help requests (those who may answer them)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    today = school_today(school)
    context = {
        "school": school,
        "instructions_panel": instructions_panel_for(user=request.user, school=school, today=today),
        "help_requests": help_queue(school=school, day=today, calendar=SchoolCalendar.for_school(school))
        if can_write_school(user=request.user)
        else None,
    }
    return render(request, "reports/_duties_panels.html", context)

"""The teacher's pages of the reports layer: my classes with their activation rates, and my weekly messages.

A teacher sees the classes they lead or teach (classes.access); the other roles get 403. A class's own page, its
invite links and QR sheet are activation's (activation/views/invites.py).
"""

from __future__ import annotations

from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from activation.selectors import teacher_classes
from classes import clock
from classes.access import role_required
from classes.access import schools_for_user
from classes.calendar import week_of_query
from classes.calendar import week_start
from classes.dates import week_short
from classes.dates import week_text
from classes.models import Staff
from classes.models import User
from reports import charts
from reports.selectors import activation_compute
from reports.teacher_publications import teacher_publications
from reports.teacher_weeks import WeekRow
from reports.teacher_weeks import teacher_counted_messages
from reports.teacher_weeks import teacher_week_rows

Role = User.Role


# ---------------------------------------------------------------------------
# My classes
# ---------------------------------------------------------------------------


@role_required(Role.TEACHER)
def teacher_home(request: HttpRequest) -> HttpResponse:
    """List the teacher's classes of this academic year, the led ones first, with their activation rates."""
    school = schools_for_user(user=request.user).first()
    if school is None:
        raise Http404
    today = clock.today(school.tz)
    classes = list(teacher_classes(user=request.user, day=today))
    rates = {}
    if classes:
        rates = {c.class_id: c for c in activation_compute(schools=[school], day=today)[school.pk].classes}
    rows = [{"school_class": c, "rates": rates.get(c.pk)} for c in classes]
    context = {"school": school, "rows": rows, "today": today}
    staff = Staff.objects.select_related("school__municipality__region").filter(pk=request.user.staff_id).first()
    if staff is not None and staff.is_employed_on(today):
        weeks = teacher_week_rows(staff=staff, today=today)
        context |= {"week": weeks[0] if weeks else None, "weeks_chart": teacher_weeks_chart(weeks)}
    return render(request, "activation/teacher_home.html", context)


def teacher_weeks_chart(rows: list[WeekRow]) -> str:
    """Return the chart of the teacher's messages per week (oldest first) against the threshold, or ""."""
    if not rows:
        return ""
    rows = rows[::-1]
    return charts.line_chart(
        title=_("My messages per week"),
        x_labels=[week_short(row.week_start) for row in rows],
        x_titles=[week_text(row.week_start) for row in rows],
        series=[charts.Series(_("Messages"), [row.teacher.messages if row.teacher else None for row in rows])],
        percent=False,
        target=rows[-1].threshold,
        target_label=_("threshold"),
    )


# ---------------------------------------------------------------------------
# My messages per week
# ---------------------------------------------------------------------------


@role_required(Role.TEACHER)
def teacher_activity(request: HttpRequest) -> HttpResponse:
    """Show my messages per week against the threshold for the last weeks, and what counted in one of them.

    What counted: date and time, chat, chat kind, message kind and the marks behind the flag; never any
    text (none is stored).
    """
    staff = Staff.objects.select_related("school__municipality__region").get(pk=request.user.staff_id)
    school = staff.school
    today = clock.today(school.tz)
    if not staff.is_employed_on(today):  # access ends with employment
        raise Http404
    rows = teacher_week_rows(staff=staff, today=today)
    chosen = rows[0].week_start if rows else week_start(today)
    if request.GET.get("week"):
        try:
            asked = week_of_query(request.GET["week"])
        except ValueError:
            asked = None
        if asked in {row.week_start for row in rows}:
            chosen = asked
    counted = teacher_counted_messages(staff=staff, week_start=chosen)
    chosen_row = next((row for row in rows if row.week_start == chosen), None)
    context = {
        "staff": staff,
        "school": school,
        "rows": rows,
        "chosen": chosen_row,
        "counted": counted,
        "threshold": school.effective_activity_threshold,
        "weeks_chart": teacher_weeks_chart(rows),
        "publications": teacher_publications(staff=staff, today=today, mondays=[row.week_start for row in rows]),
    }
    return render(request, "activation/teacher_activity.html", context)

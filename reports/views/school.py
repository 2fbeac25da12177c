"""The school administrator's pages: the dashboard, a class's page, the teachers' weekly activity.

Access: a school administrator sees their own school; a municipal administrator sees every school of their
municipality read-only (the pages show no buttons that write, and every writing view is the school
administrator's alone); a teacher gets 403; another school's address gives 404.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from activation.selectors import class_roster
from chats.sync_runs import task_enqueue
from classes import clock
from classes.access import ADMINS
from classes.access import can_write_school
from classes.access import class_for_user_or_404
from classes.access import role_required
from classes.access import school_admin_school_or_404
from classes.access import school_for_user_or_404
from classes.calendar import last_complete_week
from classes.dates import week_short
from classes.dates import week_text
from classes.models import User
from classes.school_days import SchoolCalendar
from reports import charts
from reports.filters import SchoolClassFilter
from reports.forms import WeekRangeForm
from reports.models import WeeklyActivity
from reports.overview import school_today
from reports.panels import below_target_panel
from reports.panels import reconciliation_panels
from reports.panels import roster_changes_panel
from reports.rates import Rate
from reports.selectors import CLASS_ROW_SORTS
from reports.selectors import ClassRow
from reports.selectors import SchoolMetrics
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeek
from reports.selectors import activation_compute
from reports.selectors import activation_history
from reports.selectors import chats_of_class
from reports.selectors import class_rows
from reports.selectors import class_rows_sort
from reports.selectors import class_teachers_of_class
from reports.selectors import classes_of_day
from reports.selectors import school_metrics_compute
from reports.selectors import sync_runs_last_and_held
from reports.selectors import week_mondays
from reports.selectors import weekly_activity_compute
from reports.selectors import weekly_activity_recent
from reports.selectors import weekly_activity_table
from reports.selectors import weekly_activity_trend
from reports.selectors import weekly_activity_trend_of
from reports.tasks import weekly_activity_ensure as weekly_activity_ensure_task
from reports.week_status import week_threshold_notes
from reports.weeks_build import weeks_build_progress

Role = User.Role
TREND_DAYS = 56
SPARK_WEEKS = 8


def htmx_target(request: HttpRequest) -> str | None:
    """Return the element an htmx request swaps (a page's results partial), None for a full page."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    return htmx.target


def class_table(request: HttpRequest, metrics: SchoolMetrics) -> tuple[SchoolClassFilter, list[ClassRow], str]:
    """Return the classes table's FilterSet, its filtered and sorted rows, and the sort in force."""
    queryset = classes_of_day(school_ids=[metrics.school.pk], day=metrics.day)
    filterset = SchoolClassFilter(request.GET or None, queryset=queryset)
    class_ids = None
    if filterset.is_bound and filterset.is_valid():
        class_ids = set(filterset.qs.values_list("pk", flat=True))
    rows = class_rows(metrics=metrics, class_ids=class_ids, below_target=filterset.below_target_value)
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in CLASS_ROW_SORTS:
        sort = ""
    return filterset, class_rows_sort(rows, sort), sort


def rate_float(rate: Rate) -> float | None:
    """Return a rate as a float for a chart, None without data."""
    return float(rate.exact) if rate.exact is not None else None


def _day_labels(days: list[date]) -> list[str]:
    return [date_format(day, "d.m") for day in days]


def activation_trend_history(*, scope: str, scope_id: int, last_day: date) -> dict[str, dict[date, Rate]]:
    """Return {group: {day: Rate}} of the scope's stored snapshots of the last TREND_DAYS days (one query)."""
    first_day = last_day - timedelta(days=TREND_DAYS)
    history = activation_history(scope=scope, scope_ids=[scope_id], first_day=first_day, last_day=last_day)
    return history.get(scope_id, {})


def activation_trend_chart(
    *, title: str, scope: str, scope_id: int, today: dict[str, Rate], last_day: date, groups, history=None
) -> str:
    """Return the activation trend chart of the scope's last TREND_DAYS days: its stored daily snapshots, today's
    live rates as the last point. `history` is `activation_trend_history`'s, when the caller has read it.

    The target line is drawn when every group shares one target (students and parents: 90 %).
    """
    if history is None:
        history = activation_trend_history(scope=scope, scope_id=scope_id, last_day=last_day)
    days = sorted({day for by_day in history.values() for day in by_day} | {last_day})
    series = []
    for group, label in groups:
        by_day = {**history.get(group, {}), last_day: today[group]}
        values = [by_day[day].exact if day in by_day else None for day in days]
        series.append(charts.Series(label, [float(value) if value is not None else None for value in values]))
    targets = {today[group].target for group, _label in groups}
    target = targets.pop() if len(targets) == 1 else None
    return charts.line_chart(
        title=title,
        x_labels=_day_labels(days),
        series=series,
        target=float(target) if target is not None else None,
    )


def _spark(teacher_name: str, counts: list[int | None], mondays: list[date], threshold: int) -> str:
    return charts.sparkline(
        title=_("Messages a week of %(name)s") % {"name": teacher_name},
        labels=[week_text(monday) for monday in mondays],
        values=counts,
        threshold=threshold,
    )


def flag_pairs(teacher: TeacherWeek) -> list[tuple[str, str]]:
    """Return the teacher's suspicious-activity flags as (short name, the sentence explaining it)."""
    names = {"emoji_only": _("emoji only"), "duplicates": _("repeated text"), "bursts": _("bursts")}
    return [(names[flag], sentence) for flag, sentence in zip(teacher.flags, teacher.flag_explanations(), strict=True)]


def _teacher_entries(
    metrics: SchoolMetrics, teachers: list[TeacherWeek], stored: dict[int, list[WeeklyActivity | None]]
) -> list[dict]:
    """Return the teachers with their 8-week sparkline (stored weeks; the last week live when not stored)."""
    mondays = week_mondays(last_week=metrics.week.week_start, weeks=SPARK_WEEKS)
    entries = []
    for teacher in teachers:
        weeks = stored.get(teacher.staff_id, [None] * SPARK_WEEKS)
        counts = [week.messages if week is not None else None for week in weeks]
        if counts[-1] is None:
            counts[-1] = teacher.messages
        entries.append(
            {
                "teacher": teacher,
                "counts": counts,
                "spark": _spark(teacher.name, counts, mondays, metrics.week.threshold),
                "flags": flag_pairs(teacher),
            }
        )
    return entries


@role_required(*ADMINS)
@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def school_dashboard(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school administrator's dashboard: activation against targets, classes, teachers, sync, queues."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    calendar = SchoolCalendar.for_school(school)
    metrics = school_metrics_compute(
        schools=[school], today=school_today, week_ago=False, holidays={school.pk: calendar.holidays}
    )[school.pk]
    history = activation_trend_history(scope="school", scope_id=school.pk, last_day=metrics.day)
    week_ago = metrics.day - timedelta(days=7)
    metrics.week_ago = {group: by_day[week_ago] for group, by_day in history.items() if week_ago in by_day}
    filterset, rows, sort = class_table(request, metrics)
    context = {
        "school": school,
        "metrics": metrics,
        "filterset": filterset,
        "rows": rows,
        "sort": sort,
        "can_edit": can_write_school(user=request.user),
        "results_url": request.path,
    }
    if htmx_target(request) == "class-results":
        return render(request, "reports/classes/_results.html", context)
    week = metrics.week
    inactive = sorted(
        (t for t in week.teachers if t.status == TeacherStatus.INACTIVE), key=lambda t: (t.messages, t.name)
    )
    flagged = sorted(
        (t for t in week.teachers if t.status == TeacherStatus.ACTIVE and t.suspicious), key=lambda t: t.name
    )
    groups = [("staff", _("Staff")), ("students", _("Students")), ("parents", _("Parents"))]
    mondays = week_mondays(last_week=week.week_start, weeks=SPARK_WEEKS)
    stored = weekly_activity_recent(school_ids=[school.pk], last_week=week.week_start, weeks=SPARK_WEEKS)
    trend = weekly_activity_trend_of(stored, weeks=SPARK_WEEKS)
    if not trend[-1].denominator and week.evaluated:
        trend[-1] = week.active_teachers
    last_sync, held = sync_runs_last_and_held(school=school)
    below = below_target_panel(metrics=metrics, url=request.path)
    failing = {"students": below.counts.students, "parents": below.counts.parents}
    context.update(
        {
            "groups": [
                (group, label, getattr(metrics, group), metrics.change(group), failing.get(group, 0))
                for group, label in groups
            ],
            "below_target": below,
            "staff_gap": metrics.staff.denominator - metrics.staff.numerator,
            "inactive": _teacher_entries(metrics, inactive, stored),
            "flagged": _teacher_entries(metrics, flagged, stored),
            "activation_chart": activation_trend_chart(
                title=ngettext(
                    "Activation of %(school)s, the last %(days)d day",
                    "Activation of %(school)s, the last %(days)d days",
                    TREND_DAYS,
                )
                % {"school": school, "days": TREND_DAYS},
                scope="school",
                scope_id=school.pk,
                today={group: getattr(metrics, group) for group, _label in groups},
                last_day=metrics.day,
                groups=groups,
                history=history,
            ),
            "activity_chart": charts.line_chart(
                title=_("Share of active teachers by week"),
                x_labels=[week_short(monday) for monday in mondays],
                x_titles=[week_text(monday) for monday in mondays],
                series=[charts.Series(_("Active teachers"), [rate_float(r) for r in trend])],
            ),
            "without_class_teacher": metrics.activation.classes_without_class_teacher,
            "last_sync": last_sync,
            "held": held,
            "reconciliation": reconciliation_panels(schools=[school], days={school.pk: metrics.day})[school.pk],
            "roster_changes": roster_changes_panel(school=school, day=metrics.day, calendar=calendar),
        }
    )
    return render(request, "reports/school_dashboard.html", context)


@role_required(*ADMINS)
@require_safe
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    """A class: its activation today and its trend, its class teacher and teachers with last week, its chats."""
    school_class = class_for_user_or_404(user=request.user, class_id=class_id)
    school = school_admin_school_or_404(user=request.user, school_id=school_class.school_id)
    today = school_today(school)
    activation = activation_compute(schools=[school], day=today)[school.pk]
    current = next((c for c in activation.classes if c.class_id == school_class.pk), None)
    monday = last_complete_week(today)
    week = weekly_activity_compute(schools=[school], week_start=monday)[school.pk]
    statuses = {teacher.staff_id: teacher for teacher in week.teachers}
    assignments = list(class_teachers_of_class(school_class=school_class))
    chart = None
    if current is not None:
        groups = [("students", _("Students")), ("parents", _("Parents"))]
        chart = activation_trend_chart(
            title=ngettext(
                "Activation of class %(name)s, the last %(days)d day",
                "Activation of class %(name)s, the last %(days)d days",
                TREND_DAYS,
            )
            % {"name": school_class.name, "days": TREND_DAYS},
            scope="class",
            scope_id=school_class.pk,
            today={"students": current.students, "parents": current.parents},
            last_day=today,
            groups=groups,
        )
    context = {
        "school": school,
        "school_class": school_class,
        "current": current,
        "week": week,
        "class_teacher_week": statuses.get(school_class.class_teacher_id),
        "assignments": [(a, statuses.get(a.staff_id)) for a in assignments],
        "chats": list(chats_of_class(school_class=school_class)),
        "chart": chart,
        "can_edit": can_write_school(user=request.user),
        "roster": class_roster(school_class=school_class, day=today, now=clock.now()),
    }
    return render(request, "reports/class_detail.html", context)


@role_required(*ADMINS)
@require_safe
def teacher_activity(request: HttpRequest, school_id: int) -> HttpResponse:
    """The teachers' weekly activity over a range of stored weeks, with a sparkline per teacher."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    last = last_complete_week(school_today(school))
    form = WeekRangeForm(request.GET or None, last_week=last)
    mondays = form.mondays()
    rows = weekly_activity_table(school=school, mondays=mondays)
    labels = [week_text(monday) for monday in mondays]
    threshold = school.effective_activity_threshold
    entries = [
        {
            "row": row,
            "spark": _spark(row.staff.full_name, row.counts, mondays, threshold),
            "cells": list(zip(labels, row.weeks, strict=True)),
        }
        for row in rows
    ]
    trend = weekly_activity_trend(school_ids=[school.pk], last_week=mondays[-1], weeks=len(mondays))[school.pk]
    chart = charts.line_chart(
        title=_("Share of active teachers by week"),
        x_labels=[week_short(monday) for monday in mondays],
        x_titles=labels,
        series=[charts.Series(_("Active teachers"), [rate_float(r) for r in trend])],
    )
    stored_weeks = sum(1 for rate in trend if rate.denominator)
    context = {
        "school": school,
        "form": form,
        "mondays": mondays,
        "labels": labels,
        "columns": list(zip(labels, week_threshold_notes(school=school, mondays=mondays), strict=True)),
        "entries": entries,
        "trend": list(zip(labels, trend, strict=True)),
        "chart": chart,
        "threshold": threshold,
        "missing_weeks": len(mondays) - stored_weeks,
        "building": weeks_build_progress(school=school, weeks=SPARK_WEEKS) if request.GET.get("building") else None,
        "can_edit": can_write_school(user=request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/teacher_activity.html", context)


@role_required(Role.SCHOOL_ADMIN)
@require_POST
def teacher_activity_build(request: HttpRequest, school_id: int) -> HttpResponse:
    """Queue the build of the last eight complete weeks without stored activity; the page shows its progress."""
    school = school_for_user_or_404(user=request.user, school_id=school_id)
    error = task_enqueue(weekly_activity_ensure_task, school.pk, SPARK_WEEKS)
    if error:
        messages.error(request, error)
        return redirect("school-teacher-activity", school_id=school.pk)
    messages.success(request, _("The missing weeks are being computed; the progress is shown below."))
    url = reverse("school-teacher-activity", kwargs={"school_id": school.pk})
    return redirect(f"{url}?building=1")


@role_required(Role.SCHOOL_ADMIN)
@require_safe
def teacher_activity_build_progress(request: HttpRequest, school_id: int) -> HttpResponse:
    """The progress of the missing weeks' build (the partial the teachers' page polls every 2 s until it is done)."""
    school = school_admin_school_or_404(user=request.user, school_id=school_id)
    progress = weeks_build_progress(school=school, weeks=SPARK_WEEKS)
    return render(request, "reports/_weeks_progress.html", {"school": school, "progress": progress})

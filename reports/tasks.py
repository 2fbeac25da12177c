"""Celery tasks of the reports layer: thin, idempotent callers of reports.services, taking ids."""

from __future__ import annotations

import zoneinfo
from datetime import date

from celery import shared_task

from classes import clock
from classes.calendar import WeekFormatError, last_complete_week, week_label, week_parse
from classes.models import Municipality, School
from reports import services
from reports.selectors import municipality_timezones

# The local hour (in the school's or municipality's own time zone) at which the jobs run.
RUN_HOUR = 6


@shared_task(name="reports.weekly_activity_build", acks_late=True)
def weekly_activity_build(school_id: int, week: str) -> None:
    """Compute and store the school's teacher activity of the ISO week (like 2026-W47)."""
    school = School.objects.select_related("municipality").filter(pk=school_id).first()
    if school is None:
        return
    try:
        monday = week_parse(week)
    except WeekFormatError:
        return
    services.weekly_activity_build(school=school, week_start=monday)


@shared_task(name="reports.weekly_activity_dispatch", acks_late=True)
def weekly_activity_dispatch() -> int:
    """Queue the week that ended for every school whose own time is Monday 06:xx; return how many."""
    now = clock.now()
    queued = 0
    for school_id, zone in School.objects.order_by("pk").values_list("pk", "timezone"):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.weekday() == 0 and local.hour == RUN_HOUR:
            weekly_activity_build.delay_on_commit(school_id, week_label(last_complete_week(local.date())))
            queued += 1
    return queued


@shared_task(name="reports.activation_snapshot_build", acks_late=True)
def activation_snapshot_build(municipality_id: int, day: str) -> None:
    """Compute and store the activation of the municipality, its schools and classes on the day (YYYY-MM-DD)."""
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return
    services.activation_snapshot_build_municipality(municipality=municipality, day=date.fromisoformat(day))


@shared_task(name="reports.activation_snapshot_dispatch", acks_late=True)
def activation_snapshot_dispatch() -> int:
    """Queue today's snapshot of every municipality whose time is 06:xx (one task per municipality).

    A municipality's time zone is the one most of its schools use; all its rows share that day.
    """
    now = clock.now()
    queued = 0
    for municipality_id, zone in sorted(municipality_timezones().items()):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.hour == RUN_HOUR:
            activation_snapshot_build.delay_on_commit(municipality_id, local.date().isoformat())
            queued += 1
    return queued

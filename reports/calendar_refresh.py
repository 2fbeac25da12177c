"""Stored weeks follow the school calendar: a staff absence or holidays recorded, moved or deleted after a week
was stored make the weekly job build that week again (an absent teacher is excused, a short week judged fairly).

The classes layer owns the calendar and knows nothing of the stored weeks; this module listens to its models'
saves and deletes (connected in ReportsConfig.ready) and queues `reports.weekly_activity_build` once the
transaction commits, for the complete weeks the entry touched (before and after a change) that hold stored rows.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from classes import clock
from classes.calendar import week_label
from classes.calendar import week_start
from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import School
from classes.models import Staff
from classes.models import StaffAbsence
from reports.models import WeeklyActivity

MAX_WEEKS = 60  # an entry longer than a year is a typing error; never queue more than this


def _school(entry) -> School | None:
    """Return the entry's school, or None when it is gone (a school or person deleted with their calendar)."""
    school_id = (
        Staff.objects.filter(pk=entry.staff_id).values_list("school_id", flat=True).first()
        if isinstance(entry, StaffAbsence)
        else AcademicYear.objects.filter(pk=entry.year_id).values_list("school_id", flat=True).first()
    )
    return School.objects.filter(pk=school_id).first() if school_id is not None else None


def _mondays(first: date | None, last: date | None) -> set[date]:
    if first is None or last is None or last < first:
        return set()
    monday = week_start(first)
    mondays = set()
    while monday <= last and len(mondays) < MAX_WEEKS:
        mondays.add(monday)
        monday += timedelta(days=7)
    return mondays


def calendar_entry_before_save(sender, instance, **kwargs) -> None:
    """Remember the weeks the entry covered before this save (a moved entry leaves those weeks too)."""
    previous = sender.objects.filter(pk=instance.pk).values("starts_on", "ends_on").first() if instance.pk else None
    instance._weeks_before = _mondays(previous["starts_on"], previous["ends_on"]) if previous else set()


def calendar_entry_changed(sender, instance, **kwargs) -> None:
    """Queue a new build of the complete stored weeks the entry touched, once the transaction commits."""
    from reports.tasks import weekly_activity_build

    school = _school(instance)
    if school is None:
        return
    this_week = week_start(clock.today(school.tz))
    touched = _mondays(instance.starts_on, instance.ends_on) | getattr(instance, "_weeks_before", set())
    complete = [monday for monday in touched if monday < this_week]
    if not complete:
        return
    stored = (
        WeeklyActivity.objects.filter(school=school, week_start__in=complete)
        .order_by("week_start")
        .values_list("week_start", flat=True)
        .distinct()
    )
    for monday in stored:
        weekly_activity_build.delay_on_commit(school.pk, week_label(monday))


def calendar_signals_connect() -> None:
    """Connect the receivers to the calendar models' saves and deletes."""
    from django.db.models.signals import post_delete
    from django.db.models.signals import post_save
    from django.db.models.signals import pre_save

    for model in (StaffAbsence, Holiday):
        uid = f"reports.calendar_refresh.{model.__name__}"
        pre_save.connect(calendar_entry_before_save, sender=model, dispatch_uid=f"{uid}.before")
        post_save.connect(calendar_entry_changed, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(calendar_entry_changed, sender=model, dispatch_uid=f"{uid}.deleted")

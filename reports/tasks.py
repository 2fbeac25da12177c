"""Celery tasks of the reports layer: thin, idempotent callers of reports.services, taking ids."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date

from celery import shared_task

from classes import clock
from classes.calendar import WeekFormatError
from classes.calendar import last_complete_week
from classes.calendar import week_label
from classes.calendar import week_parse
from classes.fan_out import fan_out
from classes.models import Holiday
from classes.models import Municipality
from classes.models import Quarter
from classes.models import RosterChange
from classes.models import School
from classes.school_days import SchoolCalendar
from reports import services
from reports import summaries
from reports.models import Reconciliation
from reports.reconciliation import notification as recon_notification
from reports.reconciliation import roster_changes as recon_roster_changes
from reports.reconciliation import selectors as recon_selectors
from reports.reconciliation import services as recon_services
from reports.selectors import municipality_timezones

# The local hour (in the school's or municipality's own time zone) at which the jobs run.
RUN_HOUR = 6


@shared_task(name="reports.weekly_activity_build", acks_late=True)
def weekly_activity_build(school_id: int, week: str) -> None:
    """Compute and store the school's teacher activity of the ISO week (like 2026-W47)."""
    school = School.objects.select_related("municipality__region").filter(pk=school_id).first()
    if school is None:
        return
    try:
        monday = week_parse(week)
    except WeekFormatError:
        return
    services.weekly_activity_build(school=school, week_start=monday)


@shared_task(name="reports.weekly_history_build", acks_late=True)
def weekly_history_build(school_id: int) -> int | None:
    """Build the school's weekly history since its message history horizon; return how many weeks.

    Queued by `history_ready_received` after a school's first successful sync (chats.horizon).
    """
    school = School.objects.select_related("municipality__region").filter(pk=school_id).first()
    if school is None:
        return None
    return services.weekly_history_build(school=school)


@shared_task(name="reports.weekly_activity_ensure", acks_late=True)
def weekly_activity_ensure(school_id: int, weeks: int) -> int | None:
    """Build the school's last `weeks` complete weeks that have no stored activity yet; return how many.

    Queued by the teachers' page ("compute the missing weeks"), which polls the progress meanwhile.
    """
    school = School.objects.select_related("municipality__region").filter(pk=school_id).first()
    if school is None:
        return None
    return services.weekly_activity_ensure(school=school, weeks=weeks)


def history_ready_received(sender, *, school_id: int, **kwargs) -> None:
    """Queue the weekly history of a school whose first sync has just succeeded (connected in ReportsConfig)."""
    weekly_history_build.delay_on_commit(school_id)


@shared_task(name="reports.weekly_activity_dispatch", acks_late=True)
def weekly_activity_dispatch() -> int:
    """Queue the week that ended for every school whose own time is Monday 06:xx; return how many."""
    now = clock.now()
    jobs = []
    for school_id, zone in School.objects.order_by("pk").values_list("pk", "timezone"):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.weekday() == 0 and local.hour == RUN_HOUR:
            jobs.append((school_id, week_label(last_complete_week(local.date()))))
    return fan_out(weekly_activity_build, jobs)


@shared_task(name="reports.activation_snapshot_build", acks_late=True)
def activation_snapshot_build(municipality_id: int, day: str) -> None:
    """Compute and store the activation of the municipality, its schools and classes on the day (YYYY-MM-DD).

    The dispatch now sends `activation_snapshots_build` (several municipalities at once); this one stays for the
    tasks queued before it and for running one municipality by hand.
    """
    municipality = Municipality.objects.select_related("region").filter(pk=municipality_id).first()
    if municipality is None:
        return
    services.activation_snapshot_build_municipality(municipality=municipality, day=date.fromisoformat(day))


@shared_task(name="reports.activation_snapshots_build", acks_late=True)
def activation_snapshots_build(municipality_ids: list[int], day: str) -> int:
    """Store the activation of the municipalities (their schools and classes) on the day; return the rows written.

    Municipalities deleted meanwhile are skipped.
    """
    municipalities = list(Municipality.objects.select_related("region").filter(pk__in=municipality_ids))
    return services.activation_snapshot_build_municipalities(municipalities=municipalities, day=date.fromisoformat(day))


@shared_task(name="reports.activation_snapshot_dispatch", acks_late=True)
def activation_snapshot_dispatch() -> int:
    """Queue today's snapshots of every municipality whose time is 06:xx; return how many tasks.

    A municipality's time zone is the one most of its schools use; all its rows share that day. Municipalities
    due at the same hour share their day too: they go out as one task (one statement for a region's 1,500
    schools, 1.3 s, where 40 statements take 3 s), per SCHOOLS_PER_STATEMENT schools.
    """
    now = clock.now()
    due: dict[str, list[int]] = defaultdict(list)
    for municipality_id, zone in sorted(municipality_timezones().items()):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.hour == RUN_HOUR:
            due[local.date().isoformat()].append(municipality_id)
    return fan_out(activation_snapshots_build, [(ids, day) for day, ids in sorted(due.items())])


# How many schools one summary task computes (their aggregate queries are shared).
SUMMARY_CHUNK = 50


@shared_task(name="reports.school_summaries_build", acks_late=True, soft_time_limit=600, time_limit=660)
def school_summaries_build(school_ids: list[int], day: str = "") -> int:
    """Compute and store the summaries of the schools (on `day`, YYYY-MM-DD, or each one's today); return how many.

    Schools deleted meanwhile are skipped.
    """
    schools = summaries.schools_for_summaries(school_ids=school_ids)
    on = date.fromisoformat(day) if day else None
    return len(summaries.school_summaries_build(schools=schools, day=on))


def sync_succeeded_received(sender, *, school_id: int, **kwargs) -> None:
    """Queue the summary of a school whose sync has just ended ok or held (connected in ReportsConfig): the
    overviews then show the synced figures within minutes, not at the next 06:00 build."""
    school_summaries_build.delay_on_commit([school_id])


@shared_task(name="reports.school_summary_dispatch", acks_late=True)
def school_summary_dispatch() -> int:
    """Queue today's summary of every school whose own time is 06:xx, in chunks of SUMMARY_CHUNK schools of one
    local day; return how many tasks."""
    now = clock.now()
    by_day: dict[str, list[int]] = defaultdict(list)
    for school_id, zone in School.objects.order_by("pk").values_list("pk", "timezone"):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.hour == RUN_HOUR:
            by_day[local.date().isoformat()].append(school_id)
    queued = 0
    for day, school_ids in sorted(by_day.items()):
        for start in range(0, len(school_ids), SUMMARY_CHUNK):
            school_summaries_build.delay_on_commit(school_ids[start : start + SUMMARY_CHUNK], day)
            queued += 1
    return queued


# ---------------------------------------------------------------------------
# Quarterly roster reconciliation; arrivals and departures confirmed by a sync
# ---------------------------------------------------------------------------


@shared_task(name="reports.reconciliation_open", acks_late=True)
def reconciliation_open(school_id: int, quarter_id: int) -> None:
    """Open the school's reconciliation of the quarter, compare once and e-mail its administrators (once)."""
    school = School.objects.select_related("municipality__region").filter(pk=school_id).first()
    quarter = Quarter.objects.select_related("year").filter(pk=quarter_id, year__school_id=school_id).first()
    if school is None or quarter is None:
        return
    reconciliation, _opened = recon_services.reconciliation_open(school=school, quarter=quarter)
    if reconciliation.computed_at is None and not reconciliation.signed_off:
        reconciliation = recon_services.reconciliation_run(reconciliation=reconciliation, user=None)
    recon_notification.reconciliation_notify_admins(reconciliation=reconciliation)


@shared_task(name="reports.reconciliation_open_dispatch", acks_late=True)
def reconciliation_open_dispatch() -> int:
    """Queue the opening of the quarter's reconciliation for every school whose time is 06:xx on a school day
    on or after the quarter's first school day, where it is not open yet (a missed day catches up); return how many.
    """
    now = clock.now()
    local_days = {}
    for school_id, zone in School.objects.order_by("pk").values_list("pk", "timezone"):
        local = now.astimezone(zoneinfo.ZoneInfo(zone))
        if local.hour == RUN_HOUR:
            local_days[school_id] = local.date()
    if not local_days:
        return 0
    first, last = min(local_days.values()), max(local_days.values())
    quarters = {
        quarter.year.school_id: quarter
        for quarter in Quarter.objects.filter(
            year__school_id__in=list(local_days), starts_on__lte=last, ends_on__gte=first
        ).select_related("year")
        if quarter.starts_on <= local_days[quarter.year.school_id] <= quarter.ends_on
    }
    opened = set(
        Reconciliation.objects.filter(quarter_id__in=[q.pk for q in quarters.values()]).values_list(
            "school_id", "quarter_id"
        )
    )
    holidays = defaultdict(list)
    for school_id, starts_on, ends_on in Holiday.objects.filter(year__school_id__in=list(quarters)).values_list(
        "year__school_id", "starts_on", "ends_on"
    ):
        holidays[school_id].append((starts_on, ends_on))
    jobs = []
    for school_id, quarter in sorted(quarters.items()):
        calendar = SchoolCalendar(holidays[school_id])
        day = local_days[school_id]
        if (school_id, quarter.pk) in opened or not calendar.is_school_day(day):
            continue
        if day >= recon_selectors.first_school_day(quarter=quarter, calendar=calendar):
            jobs.append((school_id, quarter.pk))
    return fan_out(reconciliation_open, jobs)


@shared_task(name="reports.roster_changes_confirm", acks_late=True)
def roster_changes_confirm(school_id: int) -> int:
    """Confirm the school's processed arrivals and departures its last sync agrees with; return how many."""
    school = School.objects.filter(pk=school_id).first()
    if school is None:
        return 0
    return recon_roster_changes.roster_changes_confirm_from_sync(school=school)


@shared_task(name="reports.roster_changes_confirm_dispatch", acks_late=True)
def roster_changes_confirm_dispatch() -> int:
    """Queue the sync check of every school that has processed arrivals or departures waiting; return how many."""
    school_ids = sorted(
        set(RosterChange.objects.filter(state=RosterChange.State.PROCESSED).values_list("school_id", flat=True))
    )
    return fan_out(roster_changes_confirm, [(school_id,) for school_id in school_ids])

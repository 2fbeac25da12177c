"""Writes of the daily school summaries (reports.models.SchoolSummary) that the overviews read.

The job computes (the same `school_metrics_compute` the school dashboard uses: activation on the school's day and
the last complete week), then upserts one row per school and day in bulk; the pages never recompute.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from chats.models import SyncRun
from classes import clock
from classes.models import School
from reports.models import SchoolSummary
from reports.publications import materials_of_weeks
from reports.selectors import SchoolMetrics
from reports.selectors import school_metrics_compute
from reports.selectors import sync_runs_last

# A stored row is one school and day: every other column is overwritten by the day's latest computation.
SUMMARY_KEY = ("school", "day")
SUMMARY_UPDATE_FIELDS = [
    field.name
    for field in SchoolSummary._meta.concrete_fields
    if not field.primary_key and field.name not in SUMMARY_KEY
]


def school_summary_of_metrics(
    *, metrics: SchoolMetrics, last_sync: SyncRun | None, now, materials: int = 0
) -> SchoolSummary:
    """Return the (unsaved) summary row of a school's computed figures."""
    below = metrics.below_target
    teachers = metrics.active_teachers
    return SchoolSummary(
        day=metrics.day,
        school_id=metrics.school.pk,
        municipality_id=metrics.school.municipality_id,
        staff_numerator=metrics.staff.numerator,
        staff_denominator=metrics.staff.denominator,
        students_numerator=metrics.students.numerator,
        students_denominator=metrics.students.denominator,
        parents_numerator=metrics.parents.numerator,
        parents_denominator=metrics.parents.denominator,
        below_target_any=below.any,
        below_target_students=below.students,
        below_target_parents=below.parents,
        week_start=metrics.week.week_start,
        week_reason=metrics.week.reason or "",
        teachers_active=teachers.numerator,
        teachers_evaluated=teachers.denominator,
        materials_last_week=materials,
        last_sync=last_sync,
        computed_at=now,
    )


def school_summaries_store(*, metrics: Iterable[SchoolMetrics]) -> list[SchoolSummary]:
    """Upsert the summary rows of computed figures (one per school and day), with each school's last sync."""
    metrics = list(metrics)
    syncs = sync_runs_last(school_ids=[item.school.pk for item in metrics])
    materials = materials_of_weeks(schools_weeks=[(item.school, item.week.week_start) for item in metrics])
    now = clock.now()
    rows = [
        school_summary_of_metrics(
            metrics=item, last_sync=syncs.get(item.school.pk), now=now, materials=materials.get(item.school.pk, 0)
        )
        for item in metrics
    ]
    with transaction.atomic():
        SchoolSummary.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=list(SUMMARY_KEY), update_fields=SUMMARY_UPDATE_FIELDS
        )
    return rows


def school_summaries_build(*, schools: Iterable[School], day: date | None = None) -> list[SchoolSummary]:
    """Compute and store the schools' summaries on `day` (default: each school's today in its time zone).

    Set-based: `school_metrics_compute` runs its aggregate queries once per distinct day among the schools, then
    the rows are upserted in one statement. Idempotent: a second run on the same day overwrites the rows.
    """
    schools = list(schools)
    if not schools:
        return []
    metrics = school_metrics_compute(
        schools=schools, today=(lambda school: day) if day is not None else (lambda school: clock.today(school.tz))
    )
    return school_summaries_store(metrics=metrics.values())


def schools_for_summaries(*, school_ids: Iterable[int]) -> list[School]:
    """Return the schools with the municipality and region their thresholds come from, by id."""
    return list(School.objects.filter(pk__in=list(school_ids)).select_related("municipality__region").order_by("pk"))

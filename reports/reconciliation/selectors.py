"""Reads of the reconciliation for pages, the dashboard and the opening job: quarters, states, items."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from classes.models import Quarter
from classes.models import School
from classes.school_days import SchoolCalendar
from reports.models import Reconciliation
from reports.models import ReconciliationItem


def quarter_current(*, school: School, day: date) -> Quarter | None:
    """Return the school's quarter containing the day, or in holidays the last one that started before it."""
    return (
        Quarter.objects.filter(year__school=school, starts_on__lte=day)
        .select_related("year")
        .order_by("-starts_on")
        .first()
    )


def quarter_label(quarter: Quarter | None) -> str:
    """Return the quarter's label, like «2026/2027-Q2» (empty without a quarter)."""
    return f"{quarter.year.name}-Q{quarter.number}" if quarter is not None else ""


def reconciliation_for_quarter(*, school: School, quarter: Quarter) -> Reconciliation | None:
    return Reconciliation.objects.filter(school=school, quarter=quarter).select_related("signed_by").first()


State = Reconciliation.State


def _state_of(quarter_ends_on: date | None, reconciliation_status: str | None, day: date) -> State:
    if reconciliation_status == Reconciliation.Status.SIGNED_OFF:
        return State.DONE
    if quarter_ends_on is not None and day > quarter_ends_on:
        return State.OVERDUE
    if reconciliation_status == Reconciliation.Status.IN_PROGRESS:
        return State.IN_PROGRESS
    return State.DUE


def _status_of(quarter: Quarter | None, reconciliation: Reconciliation | None, day: date) -> State:
    return _state_of(
        quarter.ends_on if quarter is not None else None,
        reconciliation.status if reconciliation is not None else None,
        day,
    )


def reconciliation_status(*, school: School, day: date) -> tuple[State, Reconciliation | None]:
    """Return the current quarter's reconciliation state, "due" | "in_progress" | "done" | "overdue", and it.

    The current quarter contains the day, or (in holidays) is the last that started before it. Due: not
    started (or opened but not worked on); overdue: the quarter ended without a sign-off.
    """
    quarter = quarter_current(school=school, day=day)
    reconciliation = reconciliation_for_quarter(school=school, quarter=quarter) if quarter is not None else None
    return _status_of(quarter, reconciliation, day), reconciliation


def reconciliation_statuses(*, schools: Iterable[School], day: date) -> dict[int, tuple[State, int | None]]:
    """Return {school id: (status, the reconciliation's id or None)} for many schools in one query (the current
    quarter of each school, with its reconciliation if one was opened: at most one per school and quarter)."""
    school_ids = [school.pk for school in schools]
    latest: dict[int, tuple[State, int | None]] = {}
    rows = (
        Quarter.objects.filter(year__school_id__in=school_ids, starts_on__lte=day)
        .order_by("year__school_id", "-starts_on")
        .values_list("year__school_id", "ends_on", "reconciliations__pk", "reconciliations__status")
    )
    for school_id, ends_on, reconciliation_id, status in rows:
        if school_id not in latest:
            latest[school_id] = (_state_of(ends_on, status, day), reconciliation_id)
    return {school_id: latest.get(school_id, (State.DUE, None)) for school_id in school_ids}


def reconciliations_for_school(*, school: School) -> QuerySet[Reconciliation]:
    """Return the school's reconciliations, newest quarter first."""
    return Reconciliation.objects.filter(school=school).select_related("quarter").order_by("-quarter__starts_on")


def reconciliation_items(*, reconciliation: Reconciliation, category: str | None = None) -> QuerySet:
    """Return the reconciliation's items in report order (students by class, then staff), optionally of one category."""
    items = ReconciliationItem.objects.filter(reconciliation=reconciliation)
    if category:
        items = items.filter(category=category)
    return items.order_by("-role", "pk")


# ---------------------------------------------------------------------------
# The opening job and its e-mail
# ---------------------------------------------------------------------------


def first_school_day(*, quarter: Quarter, calendar: SchoolCalendar) -> date:
    """Return the quarter's first school day (its first Monday to Friday outside holidays)."""
    return calendar.first_school_day_from(quarter.starts_on)

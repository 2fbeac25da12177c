"""The rule behind "employed on a day" and "enrolled on a day": a period of days, both ends included.

A period starts on a day and ends on a day, or stays open (no end yet). It covers a day from its start to its
end, both included. The QuerySet methods (`Staff.objects.employed_on`, `Enrollment.objects.current_on`) and
the instance methods (`Staff.is_employed_on`, `Enrollment.is_current_on`) are both built from here.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q


def period_covers(*, start: date, end: date | None, day: date) -> bool:
    """Return True when the period from `start` to `end` (None: open) covers the day."""
    return start <= day and (end is None or end >= day)


def period_covers_filter(*, start: str, end: str, day: date, prefix: str = "") -> Q:
    """Return the filter of rows whose period (fields `start`, `end`, behind `prefix`) covers the day."""
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
    )


def period_ended_before(*, end: date | None, day: date) -> bool:
    """Return True when the period ended before the day (an open period never has)."""
    return end is not None and end < day


def period_ended_before_filter(*, end: str, day: date, prefix: str = "") -> Q:
    """Return the filter of rows whose period (field `end`, behind `prefix`) ended before the day."""
    return Q(**{f"{prefix}{end}__lt": day})


def period_overlaps(*, start: date, end: date | None, first: date, last: date) -> bool:
    """Return True when the period from `start` to `end` (None: open) covers at least one day of first..last."""
    return start <= last and (end is None or end >= first)

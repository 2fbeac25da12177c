"""School days of a school: Monday to Friday outside its holidays (каникулы)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from classes.calendar import is_school_day
from classes.models import Holiday
from classes.models import School

# How far to look for school days before giving up (a calendar with no school day for a year is broken).
_SEARCH_LIMIT = timedelta(days=400)


class SchoolCalendar:
    """A school's holidays, loaded once, answering which days are school days."""

    def __init__(self, holidays: Iterable[tuple[date, date]]) -> None:
        self.holidays = sorted(holidays)

    @classmethod
    def for_school(cls, school: School) -> SchoolCalendar:
        """Return the school's calendar (one query)."""
        return cls(Holiday.objects.filter(year__school=school).order_by().values_list("starts_on", "ends_on"))

    def is_school_day(self, day: date) -> bool:
        return is_school_day(day, self.holidays)

    def first_school_day_from(self, day: date) -> date:
        """Return the first school day on or after the day."""
        limit = day + _SEARCH_LIMIT
        while not self.is_school_day(day) and day < limit:
            day += timedelta(days=1)
        return day

    def school_day_after(self, day: date, count: int) -> date:
        """Return the count-th school day after the day (the day itself not counted)."""
        limit = day + _SEARCH_LIMIT
        while count > 0 and day < limit:
            day += timedelta(days=1)
            count -= self.is_school_day(day)
        return day

    def school_day_before(self, day: date, count: int) -> date:
        """Return the count-th school day before the day (the day itself not counted)."""
        limit = day - _SEARCH_LIMIT
        while count > 0 and day > limit:
            day -= timedelta(days=1)
            count -= self.is_school_day(day)
        return day

    def overdue_cutoff(self, *, day: date, school_days: int, tz) -> datetime:
        """Return the moment before which a thing still waiting on the day is overdue, given `school_days` to act.

        A thing raised on day d is due by the N-th school day after d and overdue on any later day; that holds
        exactly when d is before the N-th school day before `day` (its midnight in the school's zone `tz`).
        """
        return datetime.combine(self.school_day_before(day, school_days), time.min, tzinfo=tz)

"""How far the build of the missing weeks of teacher activity has come (the teachers' page polls it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from classes import clock
from classes.calendar import last_complete_week
from classes.models import School
from classes.school_days import SchoolCalendar
from reports.models import WeeklyActivity
from reports.selectors import week_mondays


@dataclass(frozen=True)
class WeeksBuild:
    """Of the last weeks, those with a school day (the ones a build stores) and how many of them are stored."""

    total: int
    done: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def weeks_build_progress(*, school: School, weeks: int) -> WeeksBuild:
    """Return how many of the last `weeks` complete weeks with a school day have stored activity (2 queries)."""
    mondays = week_mondays(last_week=last_complete_week(clock.today(school.tz)), weeks=weeks)
    calendar = SchoolCalendar.for_school(school)
    with_school_days = [
        monday for monday in mondays if any(calendar.is_school_day(monday + timedelta(days=n)) for n in range(5))
    ]
    stored = (
        WeeklyActivity.objects.filter(school=school, week_start__in=with_school_days)
        .order_by()
        .values("week_start")
        .distinct()
        .count()
    )
    return WeeksBuild(total=len(with_school_days), done=stored)

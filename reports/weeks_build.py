"""How far the build of the missing weeks of teacher activity has come (the teachers' page polls it)."""

from __future__ import annotations

from dataclasses import dataclass

from chats.horizon import history_horizons
from classes import clock
from classes.calendar import last_complete_week
from classes.calendar import school_days
from classes.models import School
from classes.school_days import SchoolCalendar
from reports.selectors import week_mondays
from reports.services import weeks_stored
from reports.week_status import week_not_evaluated_reason


@dataclass(frozen=True)
class WeeksBuild:
    """Of the last weeks, those a build stores (evaluated weeks) and how many of them are stored."""

    total: int
    done: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def weeks_build_progress(*, school: School, weeks: int) -> WeeksBuild:
    """Return how many of the last `weeks` complete weeks a build stores (evaluated weeks: a school day, after the
    school's history horizon) have stored activity (3 queries)."""
    mondays = week_mondays(last_week=last_complete_week(clock.today(school.tz)), weeks=weeks)
    holidays = SchoolCalendar.for_school(school).holidays
    history_from = history_horizons(school_ids=[school.pk]).get(school.pk)
    evaluated = [
        monday
        for monday in mondays
        if week_not_evaluated_reason(
            school_days=school_days(monday, holidays), week_start=monday, tz=school.tz, history_from=history_from
        )
        is None
    ]
    return WeeksBuild(total=len(evaluated), done=len(weeks_stored(school=school, mondays=evaluated)))

"""Why a school week is not evaluated (DESIGN.md, "Definitions": "Active teacher", "History horizon").

A week with no school day (every Monday to Friday inside holidays) is `no_school_day`; a week that starts before
the school's message history horizon is `no_history`: no data, never inactivity. Both show as such.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import date
from datetime import datetime

from django.utils.translation import npgettext

from classes.calendar import SCHOOL_WEEKDAYS
from classes.calendar import school_days
from classes.calendar import week_bounds
from classes.models import School
from classes.school_days import SchoolCalendar

NO_SCHOOL_DAY = "no_school_day"
NO_HISTORY = "no_history"


def week_not_evaluated_reason(
    *, school_days: list[date], week_start: date, tz: zoneinfo.ZoneInfo | str, history_from: datetime | None
) -> str | None:
    """Return NO_SCHOOL_DAY or NO_HISTORY for a week that is not evaluated, None for one that is."""
    if not school_days:
        return NO_SCHOOL_DAY
    if history_from is not None and week_bounds(week_start, tz)[0] < history_from:
        return NO_HISTORY
    return None


def threshold_note(*, threshold: int, full: int, school_days: int) -> str:
    """Return why a short week's threshold is lower, like «threshold 2 instead of 3: 3 school days», or ""."""
    if threshold == full or not 0 < school_days < SCHOOL_WEEKDAYS:
        return ""
    return npgettext(
        "short week",
        "threshold %(threshold)d instead of %(full)d: %(days)d school day",
        "threshold %(threshold)d instead of %(full)d: %(days)d school days",
        school_days,
    ) % {"threshold": threshold, "full": full, "days": school_days}


def week_threshold_notes(*, school: School, mondays: Sequence[date]) -> list[str]:
    """Return, per week, why its threshold is lower than the school's (a short week), or "" (one query)."""
    calendar = SchoolCalendar.for_school(school)
    full = school.effective_activity_threshold
    notes = []
    for monday in mondays:
        days = len(school_days(monday, calendar.holidays))
        notes.append(threshold_note(threshold=school.activity_threshold_for(days), full=full, school_days=days))
    return notes

"""Why a school week is not evaluated (DESIGN.md, "Definitions": "Active teacher", "History horizon").

A week with no school day (every Monday to Friday inside holidays) is `no_school_day`; a week that starts before
the school's message history horizon is `no_history`: no data, never inactivity. Both show as such.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from classes.calendar import week_bounds

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

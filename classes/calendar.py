"""School weeks: ISO week labels, a week's bounds in a school's time zone, school days given holidays.

Plain dates, aware datetimes and zoneinfo; no models. A week is the ISO week, Monday 00:00 to the
next Monday 00:00 in the school's time zone (DESIGN.md, "Definitions").
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.utils.translation import gettext as _

_ISO_WEEK = re.compile(r"^\s*(?P<year>\d{4})-?W(?P<week>\d{2})\s*$", re.IGNORECASE)
SCHOOL_WEEKDAYS = 5  # Monday to Friday


class WeekFormatError(ValueError):
    """The text is not an ISO week like 2026-W47."""


def week_parse(value: str) -> date:
    """Return the Monday of an ISO week written like «2026-W47»; raise WeekFormatError otherwise."""
    match = _ISO_WEEK.match(value or "")
    if match is None:
        raise WeekFormatError(_("«%(value)s» is not a week; write it like 2026-W47.") % {"value": value})
    year, week = int(match["year"]), int(match["week"])
    try:
        return date.fromisocalendar(year, week, 1)
    except ValueError:
        raise WeekFormatError(
            _("%(year)s has no week %(week)s; write a week like 2026-W47.") % {"year": year, "week": week}
        ) from None


def week_of_query(value: str) -> date:
    """Return the Monday of the week a page address names: a day («2026-11-23») or an ISO week («2026-W48»).

    Raise ValueError (a WeekFormatError for a bad ISO week) when it is neither.
    """
    try:
        return week_start(date.fromisoformat(value.strip()))
    except ValueError:
        return week_parse(value)


def week_label(monday: date) -> str:
    """Return the ISO label of the week that contains the day, like «2026-W47»."""
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_start(day: date) -> date:
    """Return the Monday of the ISO week that contains the day."""
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date, tz: zoneinfo.ZoneInfo | str) -> tuple[datetime, datetime]:
    """Return the week [Monday 00:00, next Monday 00:00) in the time zone, as aware UTC datetimes."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    monday = week_start(monday)
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_days(monday: date) -> list[date]:
    """Return Monday to Friday of the week."""
    monday = week_start(monday)
    return [monday + timedelta(days=offset) for offset in range(SCHOOL_WEEKDAYS)]


def is_school_day(day: date, holidays: Iterable[tuple[date, date]]) -> bool:
    """Return True for a Monday-to-Friday day inside none of the holidays (first, last day)."""
    return day.weekday() < SCHOOL_WEEKDAYS and not any(first <= day <= last for first, last in holidays)


def school_days(monday: date, holidays: Iterable[tuple[date, date]]) -> list[date]:
    """Return the week's Monday-to-Friday days that fall inside none of the holidays (first, last day)."""
    ranges = list(holidays)
    return [day for day in week_days(monday) if is_school_day(day, ranges)]


def week_threshold(*, threshold: int, school_days: int, scaled: bool) -> int:
    """Return the messages an active teacher needs in a week of `school_days` school days.

    With `scaled` (the school's setting), a short week asks for ceil(threshold × school days ÷ 5); a full
    week, or one without school days (not evaluated), keeps the threshold. The one rule for every page and job.
    """
    if not scaled or not 0 < school_days < SCHOOL_WEEKDAYS:
        return threshold
    return -(-threshold * school_days // SCHOOL_WEEKDAYS)


def last_complete_week(today: date) -> date:
    """Return the Monday of the last week that has ended by `today` (the week before the current one)."""
    return week_start(today) - timedelta(days=7)

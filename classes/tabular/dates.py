"""Days, moments and weeks written in a tabular file's cells: YYYY-MM-DD or DD.MM.YYYY, 2026-W47, spreadsheet dates."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time

from django.utils.translation import gettext as _

from classes.calendar import week_parse
from classes.calendar import week_start
from classes.tabular.reading import Cell
from classes.tabular.reading import cell_text

_ISO_DAY = r"(\d{4})-(\d{1,2})-(\d{1,2})"  # year, month, day
_RU_DAY = r"(\d{1,2})\.(\d{1,2})\.(\d{4})"  # day, month, year
_ISO_DATE = re.compile(rf"^{_ISO_DAY}$")
_RU_DATE = re.compile(rf"^{_RU_DAY}$")
_ISO_DATETIME = re.compile(rf"^{_ISO_DAY}(?:[ T](\d{{1,2}}):(\d{{2}})(?::(\d{{2}})(?:\.\d+)?)?)?$")
_RU_DATETIME = re.compile(rf"^{_RU_DAY}(?:,?\s+(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?)?$")
_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)


def date_parse(text: str) -> date | None:
    """Return the date written as YYYY-MM-DD or DD.MM.YYYY, or None."""
    text = text.strip()
    if " " in text:  # "2015-03-12 00:00:00" from a spreadsheet
        text = text.split(" ", 1)[0]
    try:
        if match := _ISO_DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _RU_DATE.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def datetime_parse(value: Cell, tz: zoneinfo.ZoneInfo) -> datetime | None:
    """Return an aware UTC datetime from a cell: a spreadsheet date or date-time, YYYY-MM-DD or DD.MM.YYYY text,
    optionally with a time (HH:MM or HH:MM:SS); a time without a zone is in `tz`. None when it is not one.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    elif isinstance(value, str):
        moment = _datetime_text(value.strip())
        if moment is None:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _datetime_text(text: str) -> datetime | None:
    try:
        if match := _ISO_DATETIME.match(text):
            year, month, day = int(match[1]), int(match[2]), int(match[3])
        elif match := _RU_DATETIME.match(text):
            day, month, year = int(match[1]), int(match[2]), int(match[3])
        else:
            return datetime.fromisoformat(text) if "T" in text or "+" in text else None
        hour, minute, second = (int(part) if part else 0 for part in (match[4], match[5], match[6]))
        return datetime(year, month, day, hour, minute, second)  # the caller adds the zone
    except ValueError:
        return None


def week_start_parse(value: Cell) -> date:
    """Return the Monday of the week a cell gives: «2026-W47», «2026-W7», or a day of the week.

    Raise ValueError with a sentence for people otherwise.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return week_start(value)
    text = cell_text(value)
    match = _WEEK.match(text)
    if match is None:
        day = _datetime_text(text)
        if day is not None:
            return week_start(day.date())
        raise ValueError(_("«%(value)s» is not a week; write it like 2026-W47.") % {"value": text})
    return week_parse(f"{match[1]}-W{int(match[2]):02d}")  # a WeekFormatError is a ValueError with a sentence

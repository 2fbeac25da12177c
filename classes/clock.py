"""The clock, behind one function so tests can move it (time-machine)."""

from __future__ import annotations

import zoneinfo
from datetime import date
from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """Return the current aware datetime (UTC)."""
    return timezone.now()


def today(tz: str | zoneinfo.ZoneInfo | None = None) -> date:
    """Return today's date in the given time zone (default: the project's)."""
    if tz is None:
        return timezone.localdate(now())
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    return now().astimezone(tz).date()

"""Template filters for dates as people say them (see classes/dates.py): `{% load human_dates %}`.

`{{ monday|week_text }}` → «23–29 ноября»; `{{ reconciliation.quarter_label|quarter_text }}` or
`{{ quarter|quarter_text }}` → «II четверть 2026/27»; `{{ school.timezone|timezone_text }}` → «Москва (UTC+3)».
"""

from __future__ import annotations

from datetime import date

from django import template

from classes import dates

register = template.Library()


@register.filter(name="week_text")
def week_text(value: date | None) -> str:
    """Return the week of the day as people say it, «» without a day."""
    return dates.week_text(value) if value else ""


@register.filter(name="quarter_text")
def quarter_text(value) -> str:
    """Return a quarter (a Quarter or a stored label like «2026/2027-Q2») as people say it."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return dates.quarter_label_text(value)
    return dates.quarter_text(year_name=value.year.name, number=value.number)


@register.filter(name="timezone_text")
def timezone_text(value: str) -> str:
    """Return a time zone's IANA name as its Russian name and offset."""
    return dates.timezone_text(str(value)) if value else ""

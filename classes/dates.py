"""Dates as people say them: weeks («23–29 ноября»), quarters («II четверть 2026/27»), time zones («Москва (UTC+3)»).

Pages, exports, charts and e-mails write dates through these functions (templates through the filters of
`classes/templatetags/human_dates.py`); ISO week codes (2026-W48) stay in `--json` output and the API.
Month names come from Django's locale formats («ноября» in Russian, «November» in English).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classes import clock
from classes.calendar import week_start

EN_DASH = "\u2013"
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_QUARTER_LABEL = re.compile(r"^(?P<first>\d{4})/(?P<second>\d{2,4})-Q(?P<number>[1-4])$")

# Russia's time zones west to east (the IANA names a school may use), by the city people call them after.
RUSSIAN_ZONES = {
    "Europe/Kaliningrad": gettext_lazy("Kaliningrad"),
    "Europe/Moscow": gettext_lazy("Moscow"),
    "Europe/Simferopol": gettext_lazy("Simferopol"),
    "Europe/Kirov": gettext_lazy("Kirov"),
    "Europe/Volgograd": gettext_lazy("Volgograd"),
    "Europe/Astrakhan": gettext_lazy("Astrakhan"),
    "Europe/Samara": gettext_lazy("Samara"),
    "Europe/Saratov": gettext_lazy("Saratov"),
    "Europe/Ulyanovsk": gettext_lazy("Ulyanovsk"),
    "Asia/Yekaterinburg": gettext_lazy("Yekaterinburg"),
    "Asia/Omsk": gettext_lazy("Omsk"),
    "Asia/Novosibirsk": gettext_lazy("Novosibirsk"),
    "Asia/Barnaul": gettext_lazy("Barnaul"),
    "Asia/Tomsk": gettext_lazy("Tomsk"),
    "Asia/Novokuznetsk": gettext_lazy("Novokuznetsk"),
    "Asia/Krasnoyarsk": gettext_lazy("Krasnoyarsk"),
    "Asia/Irkutsk": gettext_lazy("Irkutsk"),
    "Asia/Chita": gettext_lazy("Chita"),
    "Asia/Yakutsk": gettext_lazy("Yakutsk"),
    "Asia/Khandyga": gettext_lazy("Khandyga"),
    "Asia/Vladivostok": gettext_lazy("Vladivostok"),
    "Asia/Ust-Nera": gettext_lazy("Ust-Nera"),
    "Asia/Magadan": gettext_lazy("Magadan"),
    "Asia/Sakhalin": gettext_lazy("Sakhalin"),
    "Asia/Srednekolymsk": gettext_lazy("Srednekolymsk"),
    "Asia/Kamchatka": gettext_lazy("Kamchatka"),
    "Asia/Anadyr": gettext_lazy("Anadyr"),
}


def _day_month(day: date, *, with_year: bool) -> str:
    return date_format(day, "j E Y" if with_year else "j E")


def week_text(monday: date, *, today: date | None = None) -> str:
    """Return a week as people say it: «23–29 ноября», «30 ноября – 6 декабря», «23–29 ноября 2025».

    The year is written when the week is not wholly in the current year (of `today`, default the clock's).
    """
    first = week_start(monday)
    last = first + timedelta(days=6)
    current = (today or clock.today()).year
    if first.year != last.year:
        return f"{_day_month(first, with_year=True)} {EN_DASH} {_day_month(last, with_year=True)}"
    with_year = first.year != current
    if first.month != last.month:
        return f"{_day_month(first, with_year=False)} {EN_DASH} {_day_month(last, with_year=with_year)}"
    return f"{first.day}{EN_DASH}{_day_month(last, with_year=with_year)}"


def week_short(monday: date) -> str:
    """Return a week for a chart axis, by its days and months: «23–29.11», «30.11–6.12»."""
    first = week_start(monday)
    last = first + timedelta(days=6)
    if first.month == last.month:
        return f"{first.day}{EN_DASH}{last:%d.%m}".replace(f"{EN_DASH}0", EN_DASH)
    return f"{first.day}.{first:%m}{EN_DASH}{last.day}.{last:%m}"


def academic_year_short(name: str) -> str:
    """Return an academic year's name as written in Russian documents: «2026/2027» → «2026/27»."""
    match = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", name.strip())
    if match is None:
        return name
    return f"{match[1]}/{match[2][-2:]}"


def quarter_text(*, year_name: str, number: int) -> str:
    """Return a quarter as people say it: «II четверть 2026/27» («Quarter II 2026/27» in English)."""
    return _("Quarter %(number)s %(year)s") % {
        "number": ROMAN.get(number, str(number)),
        "year": academic_year_short(year_name),
    }


def quarter_label_text(label: str) -> str:
    """Return a stored quarter label («2026/2027-Q2») as people say it; any other text as it is."""
    match = _QUARTER_LABEL.match(label or "")
    if match is None:
        return label or ""
    return quarter_text(year_name=f"{match['first']}/{match['second']}", number=int(match["number"]))


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def timezone_text(name: str, *, at: datetime | None = None) -> str:
    """Return a time zone by its Russian name and offset: «Москва (UTC+3)».

    A zone outside Russia is named after the last part of its IANA name («Berlin (UTC+1)»); an unknown
    name is returned as it is.
    """
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name
    moment = (at or clock.now()).astimezone(zone)
    city = RUSSIAN_ZONES.get(name)
    label = str(city) if city is not None else name.rsplit("/", 1)[-1].replace("_", " ")
    offset = moment.utcoffset() or timedelta(0)
    return f"{label} ({_offset_text(offset)})"

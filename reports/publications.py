"""The periods and log rows of the materials and calls pages (regulation 2.1 and 2.2; chats.publications).

A period is a week (Monday to Sunday) or the school's current academic quarter (to today), or the last
QUARTER_WEEKS weeks where the school has no quarters. Its bounds are the school's local midnights. The log rows
name staff members by name and everyone else by their platform role only (never a child's name), and carry no
text (none is stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.db.models import Count
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chats.materials import MATERIAL_BITS
from chats.materials import bits_kinds
from chats.models import Chat
from chats.models import Message
from chats.publications import CallKind
from chats.publications import message_call_kind
from chats.publications import schools_materials
from classes.calendar import last_complete_week
from classes.calendar import week_bounds
from classes.dates import week_text
from classes.models import School
from reports.reconciliation.selectors import quarter_current

QUARTER_WEEKS = 13
NOT_REPORTED = gettext_lazy("not reported by the platform")
KIND_LABELS = {
    "document": gettext_lazy("document"),
    "video": gettext_lazy("video"),
    "link": gettext_lazy("link"),
    "photo": gettext_lazy("photo"),
}


@dataclass(frozen=True)
class Period:
    """Days [first_day, last_day] of a week or a quarter, and how the pages name it."""

    first_day: date
    last_day: date
    label: str
    week: str = ""  # the Monday («2026-11-16») of a week's period, for its address; empty for a quarter

    def bounds(self, school: School) -> tuple[datetime, datetime]:
        """Return [first day 00:00, the day after the last 00:00) in the school's zone, as aware UTC datetimes."""
        start = datetime.combine(self.first_day, time.min, tzinfo=school.tz)
        end = datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=school.tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def week_period(monday: date) -> Period:
    return Period(
        first_day=monday, last_day=monday + timedelta(days=6), label=week_text(monday), week=monday.isoformat()
    )


def quarter_period(school: School, today: date) -> Period:
    """Return the school's current quarter up to today (one query), or the last QUARTER_WEEKS complete weeks."""
    quarter = quarter_current(school=school, day=today)
    if quarter is not None:
        label = _("quarter %(number)s of %(year)s") % {"number": quarter.number, "year": quarter.year.name}
        return Period(first_day=quarter.starts_on, last_day=min(quarter.ends_on, today), label=label)
    last_monday = last_complete_week(today)
    first = last_monday - timedelta(weeks=QUARTER_WEEKS - 1)
    label = _("the last %(weeks)s weeks") % {"weeks": QUARTER_WEEKS}
    return Period(first_day=first, last_day=last_monday + timedelta(days=6), label=label)


def who_posted(message: Message, school_id: int) -> str:
    """Return the staff member's name, or only the platform role of any other account (never a name)."""
    author = message.author
    if author is None or message.from_bot:
        return _("bot or community")
    staff = author.staff if author.staff_id else None
    if staff is not None and staff.school_id == school_id:
        return staff.full_name
    role = author.RoleCode(author.role_code).label if author.role_code in author.RoleCode.values else ""
    return _("%(role)s account") % {"role": role} if role and author.role_code else _("other account")


def material_kinds(message: Message) -> list[str]:
    return [str(KIND_LABELS[kind]) for kind in bits_kinds(message.attachments & MATERIAL_BITS)]


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return str(NOT_REPORTED)
    return _("%(minutes)s min") % {"minutes": round(seconds / 60)}


@dataclass(frozen=True)
class LogRow:
    """One material or call of a log: when (the school's local time), where, who, what; never any text."""

    sent_at: datetime
    chat: str
    chat_kind: str
    who: str
    kinds: list[str]
    call_kind: str = ""
    duration: str = ""
    participants: str = ""


def _log_row(message: Message, school: School, **what) -> LogRow:
    return LogRow(
        sent_at=message.sent_at.astimezone(school.tz),
        chat=str(message.chat),
        chat_kind=str(message.chat.get_kind_display()),
        who=who_posted(message, school.pk),
        **what,
    )


def material_rows(messages, school: School) -> list[LogRow]:
    return [_log_row(message, school, kinds=material_kinds(message)) for message in messages]


def call_rows(messages, school: School) -> list[LogRow]:
    return [
        _log_row(
            message,
            school,
            kinds=[],
            call_kind=str(CallKind.LABELS[message_call_kind(message, school_id=school.pk)]),
            duration=duration_text(message.call_duration),
            participants=str(message.call_participants) if message.call_participants is not None else str(NOT_REPORTED),
        )
        for message in messages
    ]


def channel_posts(school: School, start: datetime, end: datetime) -> list:
    """Return the school's channels, each with `posts`: its messages by people in [start, end) (one query)."""
    posts = Q(
        messages__sent_at__gte=start,
        messages__sent_at__lt=end,
        messages__from_bot=False,
    ) & ~Q(messages__kind=Message.Kind.SERVICE)
    return list(
        Chat.objects.filter(school=school, kind=Chat.Kind.CHANNEL)
        .annotate(posts=Count("messages", filter=posts))
        .order_by("title", "platform_id")
    )


def materials_of_weeks(*, schools_weeks) -> dict[int, int]:
    """Return {school id: materials of its week} for (school, Monday) pairs: documents, videos, links and photos
    posted by people (the `publications_of` school total), in one grouped query per distinct week and time zone."""
    groups: dict[tuple[date, str], list[int]] = {}
    for school, monday in schools_weeks:
        groups.setdefault((monday, school.timezone), []).append(school.pk)
    result: dict[int, int] = {}
    for (monday, tz), school_ids in groups.items():
        start, end = week_bounds(monday, tz)
        materials = schools_materials(school_ids=school_ids, start=start, end=end)
        result.update({school_id: found.total for school_id, found in materials.items()})
    return result

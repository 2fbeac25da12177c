"""Materials, channel posts and calls of a school's chats over a period (regulation 2.1 and 2.2; CLI.md).

Definitions (the tests pin them):
- A teacher's materials: their messages (user messages of an account linked to them, in a chat of their school,
  never a service event or a bot's) that carry a document, a video, a link or a photo, counted once per kind: a
  message with two documents and a photo is one document and one photo.
- A school's materials: the same over every message by a person (never a bot or a community) in its chats.
- Channel posts: messages by people (never bots or communities, never service events) in the school's channels.
- Calls: every message in the school's chats that carries a call (a call or a broadcast, however reported).
  A call a staff member started in a students' chat (a class or subject chat) is an online lesson; a call in the
  staff chat is a meeting; in a channel or a school-wide chat, a broadcast; anywhere else, another call.
  Durations and participants are shown where the platform reports them, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from django.db.models import Case
from django.db.models import Count
from django.db.models import F
from django.db.models import IntegerField
from django.db.models import QuerySet
from django.db.models import Sum
from django.db.models import Value
from django.db.models import When
from django.utils.translation import gettext_lazy as _

from .materials import BITS
from .materials import CALL
from .materials import MATERIAL_BITS
from .materials import MATERIAL_KEYS
from .materials import MATERIAL_KINDS
from .models import Chat
from .models import Message

LESSON_CHATS = frozenset({Chat.Kind.CLASS, Chat.Kind.SUBJECT})
BROADCAST_CHATS = frozenset({Chat.Kind.CHANNEL, Chat.Kind.SCHOOL})


class CallKind:
    LESSON = "lesson"
    MEETING = "meeting"
    BROADCAST = "broadcast"
    OTHER = "other"

    LABELS = {
        LESSON: _("online lesson"),
        MEETING: _("staff meeting"),
        BROADCAST: _("broadcast"),
        OTHER: _("other call"),
    }


def call_kind(*, chat_kind: str, by_staff: bool) -> str:
    """Return what a call is from its chat's kind and whether a staff member started it."""
    if chat_kind in LESSON_CHATS and by_staff:
        return CallKind.LESSON
    if chat_kind == Chat.Kind.STAFF:
        return CallKind.MEETING
    if chat_kind in BROADCAST_CHATS:
        return CallKind.BROADCAST
    return CallKind.OTHER


@dataclass(frozen=True)
class Materials:
    """Messages carrying each kind of material (a message counts once per kind it carries)."""

    documents: int = 0
    videos: int = 0
    links: int = 0
    photos: int = 0

    @property
    def total(self) -> int:
        return self.documents + self.videos + self.links + self.photos

    def __add__(self, other: Materials) -> Materials:
        return Materials(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (self.documents, self.videos, self.links, self.photos)

    def as_json(self) -> dict[str, int]:
        """The CLI.md object: {"documents": n, "videos": n, "links": n, "photos": n}."""
        return dict(zip(MATERIAL_KEYS.values(), self.as_tuple(), strict=True))


@dataclass
class Publications:
    """A school's materials, channel posts and calls over a period, in total and per staff member."""

    materials: Materials = field(default_factory=Materials)
    channel_posts: int = 0
    calls: int = 0
    calls_by_kind: dict[str, int] = field(default_factory=dict)
    materials_by_staff: dict[int, Materials] = field(default_factory=dict)
    calls_by_staff: dict[int, dict[str, int]] = field(default_factory=dict)

    def staff_materials(self, staff_id: int) -> Materials:
        return self.materials_by_staff.get(staff_id, Materials())

    def staff_calls(self, staff_id: int, kind: str) -> int:
        return self.calls_by_staff.get(staff_id, {}).get(kind, 0)


MATERIAL_BIT_LIST = [BITS[kind] for kind in MATERIAL_KINDS]


def _bit_counts(bits) -> tuple[dict, dict]:
    """Return (annotations, aggregates) that count, per group, the messages whose attachments include each bit
    (`n_<bit>`; a bitwise AND, on every database)."""
    annotations = {f"has_{bit}": F("attachments").bitand(bit) for bit in bits}
    counts = {f"n_{bit}": Sum(Case(When(**{f"has_{bit}__gt": 0}, then=Value(1)), default=Value(0))) for bit in bits}
    return annotations, counts


def _materials_of(row: dict) -> Materials:
    return Materials(*(row[f"n_{bit}"] or 0 for bit in MATERIAL_BIT_LIST))


def school_messages(*, school_ids: list[int], start: datetime, end: datetime) -> QuerySet[Message]:
    """Return the schools' stored messages in [start, end), service events left out."""
    return Message.objects.filter(chat__school_id__in=school_ids, sent_at__gte=start, sent_at__lt=end).exclude(
        kind=Message.Kind.SERVICE
    )


def schools_materials(*, school_ids: list[int], start: datetime, end: datetime) -> dict[int, Materials]:
    """Return {school id: its materials in [start, end)} (the `Publications.materials` school total: messages by
    people), for several schools in one grouped query; a school with none is left out."""
    annotations, counts = _bit_counts(MATERIAL_BIT_LIST)
    rows = (
        school_messages(school_ids=school_ids, start=start, end=end)
        .filter(from_bot=False)
        .annotate(**annotations)
        .values("chat__school_id")
        .annotate(**counts)
        .order_by()
    )
    return {row["chat__school_id"]: _materials_of(row) for row in rows}


def publications_of(*, school_id: int, start: datetime, end: datetime, staff_id: int | None = None) -> Publications:
    """Return the school's materials, channel posts and calls in [start, end) (one query, grouped by author,
    chat kind and sender type: a few rows per staff member, whatever the number of messages).

    With `staff_id`, only that staff member's messages are read: every figure is then theirs alone (their
    materials, posts and calls), for the teacher's own pages.
    """
    bits = [*MATERIAL_BIT_LIST, BITS[CALL]]
    annotations, counts = _bit_counts(bits)
    own_staff = Case(When(author__staff__school_id=school_id, then=F("author__staff_id")), output_field=IntegerField())
    messages = school_messages(school_ids=[school_id], start=start, end=end)
    if staff_id is not None:
        messages = messages.filter(author__staff_id=staff_id)
    rows = (
        messages.annotate(**annotations, own_staff=own_staff)
        .values("own_staff", "chat__kind", "from_bot")
        .annotate(messages=Count("pk"), **counts)
        .order_by()
    )
    result = Publications()
    school_materials = Materials()
    calls_by_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        materials = _materials_of(row)
        calls = row[f"n_{BITS[CALL]}"] or 0
        staff_id, chat_kind, by_person = row["own_staff"], row["chat__kind"], not row["from_bot"]
        if by_person:
            school_materials += materials
            if chat_kind == Chat.Kind.CHANNEL:
                result.channel_posts += row["messages"]
            if staff_id is not None:
                result.materials_by_staff[staff_id] = result.staff_materials(staff_id) + materials
        if calls:
            kind = call_kind(chat_kind=chat_kind, by_staff=staff_id is not None and by_person)
            calls_by_kind[kind] += calls
            result.calls += calls
            if staff_id is not None and by_person:
                per_staff = result.calls_by_staff.setdefault(staff_id, {})
                per_staff[kind] = per_staff.get(kind, 0) + calls
    result.materials = school_materials
    result.calls_by_kind = dict(calls_by_kind)
    return result


def material_messages(
    *, school_id: int, start: datetime, end: datetime, staff_id: int | None = None
) -> QuerySet[Message]:
    """Return the messages by people carrying material in [start, end), newest first, with their chat and
    author's staff member (for the publications log: date, chat, kinds; never the text)."""
    messages = (
        school_messages(school_ids=[school_id], start=start, end=end)
        .filter(from_bot=False)
        .annotate(material=F("attachments").bitand(MATERIAL_BITS))
        .filter(material__gt=0)
    )
    if staff_id is not None:
        messages = messages.filter(author__staff_id=staff_id, author__staff__school_id=school_id)
    return messages.select_related("chat", "author__staff").order_by("-sent_at", "-pk")


def call_messages(*, school_id: int, start: datetime, end: datetime, staff_id: int | None = None) -> QuerySet[Message]:
    """Return the messages carrying a call in [start, end), newest first, with their chat and starter."""
    messages = (
        school_messages(school_ids=[school_id], start=start, end=end)
        .annotate(call=F("attachments").bitand(BITS[CALL]))
        .filter(call__gt=0)
    )
    if staff_id is not None:
        messages = messages.filter(author__staff_id=staff_id, author__staff__school_id=school_id, from_bot=False)
    return messages.select_related("chat", "author__staff").order_by("-sent_at", "-pk")


def message_call_kind(message: Message, *, school_id: int) -> str:
    """Return the CallKind of a call message read by call_messages (its chat and starter selected)."""
    staff = message.author.staff if message.author_id and message.author and message.author.staff_id else None
    by_staff = staff is not None and staff.school_id == school_id and not message.from_bot
    return call_kind(chat_kind=message.chat.kind, by_staff=by_staff)

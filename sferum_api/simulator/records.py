"""The simulated school's plain records (people, accounts, chats, memberships, messages) and its constants."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import sferum_api.simulator.data as data

from ..types import ChatInfo
from ..types import Profile

MOSCOW = ZoneInfo("Europe/Moscow")
LETTERS = "АБВ"
GRADES = range(1, 12)
PAGE_SIZE = 200
HISTORY_WEEKS = 13
BOT_ID = "-187654321"
ROSTER_COLUMNS = (
    "role",
    "person_id",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "class",
    "position",
    "teaches",
    "class_teacher_of",
    "children",
    "phone",
    "email",
)
WIRE_ATTACHMENTS = {"document": "doc", "video": "video", "link": "link", "photo": "photo", "call": "call"}
STAFF_ROLE_ADMIN = "admin"
UNKNOWN_ROLE_CODE = "methodist"  # one staff profile carries a role code the project does not know


@dataclass
class SimPerson:
    """One row of the official roster."""

    role: str  # staff / student / parent
    person_id: str
    last_name: str
    first_name: str
    patronymic: str = ""
    gender: str = "m"
    birth_date: date | None = None
    class_name: str = ""
    position: str = ""
    teaches: bool = True
    class_teacher_of: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    subject: int | None = None  # index into data.SUBJECTS (staff)

    def roster_row(self) -> dict[str, str]:
        """Return the person as a roster row (roster-format.md columns)."""
        return {
            "role": self.role,
            "person_id": self.person_id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "class": self.class_name,
            "position": self.position,
            "teaches": ("yes" if self.teaches else "no") if self.role == "staff" else "",
            "class_teacher_of": ";".join(self.class_teacher_of),
            "children": ";".join(self.children),
            "phone": self.phone,
            "email": self.email,
        }


@dataclass
class SimAccount:
    """A platform account; `person_id` is the simulator's truth about who it is (None: nobody on the roster)."""

    user_id: str
    first_name: str
    last_name: str
    role_code: str | None
    person_id: str | None

    def profile(self) -> Profile:
        return Profile(
            user_id=self.user_id, first_name=self.first_name, last_name=self.last_name, role_code=self.role_code
        )


@dataclass
class SimChat:
    chat_id: str  # the VK peer id, 2000000000 + local_id
    local_id: int
    title: str
    kind: str  # what the simulator meant: class / parents / subject / staff / channel / school / other
    class_name: str | None
    is_channel: bool = False
    owner_id: str | None = None
    admin_ids: list[str] = field(default_factory=list)

    def info(self, members_count: int) -> ChatInfo:
        return ChatInfo(
            chat_id=self.chat_id,
            title=self.title,
            is_channel=self.is_channel,
            owner_id=self.owner_id,
            admin_ids=tuple(self.admin_ids),
            members_count=members_count,
        )


@dataclass
class SimMembership:
    chat_id: str
    user_id: str
    joined_at: datetime
    is_admin: bool = False
    is_owner: bool = False
    invited_by: str | None = None


@dataclass
class SimMessage:
    """One message's metadata and the recipe of its text (never the text itself)."""

    message_id: int
    conversation_message_id: int
    chat_id: str
    sent_at: datetime  # aware, UTC
    author_id: str | None  # None: a bot
    kind: str = "text"
    group: str = "teacher"  # template group, see message_text()
    template: int = 0
    variant: int = 0
    action: str = ""  # service events: chat_invite_user, chat_pin_message
    literal: str | None = None  # a text given by a test through message_add()

    @property
    def from_bot(self) -> bool:
        return self.author_id is None


@dataclass(frozen=True)
class SimAbsence:
    person_id: str
    kind: str  # sick / leave
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class SimAssignment:
    person_id: str
    class_name: str
    subject: str


_TEMPLATES: dict[str, list[str]] = {
    "teacher": data.TEACHER_TEXTS,
    "publication": data.TEACHER_PUBLICATION_TEXTS,
    "parent": data.PARENT_TEXTS,
    "student": data.STUDENT_TEXTS,
    "staff": data.STAFF_TEXTS,
    "channel": data.CHANNEL_TEXTS,
    "bot": data.BOT_TEXTS,
    "emoji": data.PADDING_EMOJI,
    "repeat": [data.PADDING_REPEATED],
    "service": [""],
}


def message_text(message: SimMessage) -> str:
    """Render a simulated message's text from its template (in memory only; never stored)."""
    if message.literal is not None:
        return message.literal
    templates = _TEMPLATES[message.group]
    template = templates[message.template % len(templates)]
    v = message.variant
    return template.format(
        s=data.SUBJECTS[v % len(data.SUBJECTS)][2],
        n=v % 37 + 1,
        a=v % 200 + 1,
        b=v % 200 + 4,
        d=data.WEEKDAYS[v % len(data.WEEKDAYS)],
        t=data.TOPICS[v % len(data.TOPICS)],
        h=8 + v % 10,
        r=100 + v % 230,
    )


def name_key(last_name: str, first_name: str) -> tuple[str, str]:
    return last_name.casefold().replace("ё", "е"), first_name.casefold().replace("ё", "е")


def moscow_at(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=MOSCOW).astimezone(UTC)

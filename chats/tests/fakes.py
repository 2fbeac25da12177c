"""Fake backends for the sync's tests: a platform held in dicts, so a test says exactly what it shows."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sferum_api import ChatInfo
from sferum_api import Member
from sferum_api import MessageInfo
from sferum_api import Profile
from sferum_api import RequestStats

JOINED = datetime(2026, 9, 1, 8, tzinfo=UTC)


class FakeBackend:
    """A backend held in dicts, so a test says exactly what the platform shows."""

    name = "simulator"

    def __init__(self):
        self.stats = RequestStats()
        self.chats: dict[str, ChatInfo] = {}
        self.members: dict[str, list[Member]] = {}
        self.messages: dict[str, list[MessageInfo]] = {}  # oldest first
        self.errors: dict[tuple[str, str], Exception] = {}
        self.served_twice: set[str] = set()  # chats whose newest message is served again, as while paging
        self.reads: list[tuple[str, int | None, datetime | None]] = []

    def chat(self, chat_id: str, title: str, *, is_channel: bool = False) -> None:
        self.chats[chat_id] = ChatInfo(chat_id=chat_id, title=title, is_channel=is_channel)
        self.members.setdefault(chat_id, [])
        self.messages.setdefault(chat_id, [])

    def member(self, chat_id, user_id, last_name="Иванов", first_name="Иван", role="student", **fields):
        profile = Profile(user_id=user_id, first_name=first_name, last_name=last_name, role_code=role)
        self.members[chat_id].append(Member(profile=profile, joined_at=fields.pop("joined_at", JOINED), **fields))

    def post(self, chat_id, message_id, author_id, sent_at=None, **fields):
        sent_at = sent_at or datetime(2026, 11, 20, 9, tzinfo=UTC) + timedelta(minutes=message_id)
        self.messages[chat_id].append(
            MessageInfo(
                message_id=str(message_id),
                cursor=message_id,
                chat_id=chat_id,
                sent_at=sent_at,
                author_id=author_id,
                text_length=12,
                text_hash=f"hash{message_id}",
                **fields,
            )
        )

    def list_chats(self):
        self.stats.requests += 1
        yield from self.chats.values()

    def list_members(self, chat_id):
        self.stats.requests += 1
        if ("members", chat_id) in self.errors:
            raise self.errors[("members", chat_id)]
        return list(self.members[chat_id])

    def iter_messages(self, chat_id, *, after_cursor=None, since=None):
        self.stats.requests += 1
        if ("messages", chat_id) in self.errors:
            raise self.errors[("messages", chat_id)]
        self.reads.append((chat_id, after_cursor, since))
        for index, info in enumerate(reversed(self.messages[chat_id])):
            if after_cursor is not None and info.cursor <= after_cursor:
                return
            if since is not None and info.sent_at < since:
                return
            yield info
            if index == 0 and chat_id in self.served_twice:
                yield info


def crowded_backend(staff: int = 30) -> FakeBackend:
    """A staff chat of many members, and a 5А students chat of two."""
    backend = FakeBackend()
    backend.chat("1", "Педагоги СОШ")
    backend.chat("2", "5А класс")
    for number in range(staff):
        backend.member("1", str(100 + number), f"Учитель{number}", "Иван", "teacher")
    backend.member("2", "301", "Смирнов", "Пётр", "student")
    backend.member("2", "302", "Орлова", "Анна", "student")
    return backend


def backend_three_chats() -> FakeBackend:
    """Return a backend of three chats: messages from 3, 12 and 20 November."""
    backend = FakeBackend()
    for chat_id, title in (("2000000001", "5А класс"), ("2000000002", "5А Родители"), ("2000000003", "Педагоги")):
        backend.chat(chat_id, title)
        backend.member(chat_id, "100", "Иванова", "Мария", "teacher")
    backend.post("2000000001", 11, "100", sent_at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    backend.post("2000000001", 12, "100", sent_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    backend.post("2000000002", 21, "100", sent_at=datetime(2026, 11, 12, 9, tzinfo=UTC))
    backend.post("2000000003", 31, "100", sent_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    return backend

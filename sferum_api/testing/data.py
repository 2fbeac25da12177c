"""The in-memory school the loopback servers serve: plain dataclasses, independent of either wire format.

Times are unix seconds (the max server serves them in milliseconds). Attachment kinds are the adapter's
(`document`, `video`, `photo`, `link`, `call`); each server renders them in its own wire format, and passes any
other string through unchanged (e.g. "sticker"). `extra` dicts are merged into the rendered JSON objects, for
unknown fields and odd shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from itertools import count
from typing import Any

from ..types import Backend

VK_PEER_BASE = 2_000_000_000


@dataclass
class UserData:
    user_id: int
    first_name: str
    last_name: str = ""
    role_code: str | None = None  # None: no educational profile (a plain account); any other string is served
    is_bot: bool = False  # max: `is_bot`; vk bots are negative ids instead
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MemberData:
    user_id: int  # negative: a community or bot (vk)
    join_date: int | None = None  # unix seconds
    is_admin: bool = False
    is_owner: bool = False
    invited_by: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MessageData:
    id: int  # vk message id; grows with time within a chat
    date: int  # unix seconds
    from_id: int  # negative: a community or bot (vk); max renders it as a bot sender
    text: str = ""
    attachments: tuple[str, ...] = ()  # adapter kinds, or raw types passed through
    action: str | None = None  # a service event, e.g. "chat_invite_user"; max serves it without a sender
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatData:
    chat_id: int  # vk peer id (2000000000 + local id), or a max chat id
    title: str
    kind: str = "chat"  # "chat", "channel", or "user" (a personal dialog: vk lists it, max calls it "dialog")
    owner_id: int | None = None
    admin_ids: list[int] = field(default_factory=list)
    members: list[MemberData] = field(default_factory=list)
    messages: list[MessageData] = field(default_factory=list)
    status: str = "active"  # max chat status
    members_count: int | None = None  # as the service reports it; None: len(members)
    extra: dict[str, Any] = field(default_factory=dict)

    def newest_first(self) -> list[MessageData]:
        return sorted(self.messages, key=lambda m: (m.date, m.id), reverse=True)


@dataclass
class SchoolData:
    users: dict[int, UserData] = field(default_factory=dict)
    chats: list[ChatData] = field(default_factory=list)

    def chat(self, chat_id: int | str) -> ChatData | None:
        for chat in self.chats:
            if str(chat.chat_id) == str(chat_id):
                return chat
        return None

    def add_user(self, user_id: int, first_name: str, last_name: str = "", **kwargs: Any) -> UserData:
        user = UserData(user_id, first_name, last_name, **kwargs)
        self.users[user_id] = user
        return user

    @classmethod
    def from_backend(
        cls, backend: Backend, *, since: datetime | None = None, max_messages_per_chat: int | None = None
    ) -> SchoolData:
        """Return a snapshot of what a backend serves: its chats, members and messages (texts are placeholders).

        Ids that are not integers are numbered; a message's id is its numeric message_id, else its cursor. A
        placeholder text keeps the length and emoji-only flag, not the hash. Bot messages get from_id -1.
        """
        data = cls()
        numbers: dict[str, int] = {}
        spare = count(1_000_000_001)

        def number(value: str) -> int:
            if value not in numbers:
                numbers[value] = int(value) if value.lstrip("-").isdigit() else next(spare)
            return numbers[value]

        for position, info in enumerate(backend.list_chats(), start=1):
            chat_id = int(info.chat_id) if info.chat_id.lstrip("-").isdigit() else VK_PEER_BASE + position
            chat = ChatData(
                chat_id=chat_id,
                title=info.title,
                kind="channel" if info.is_channel else "chat",
                owner_id=number(info.owner_id) if info.owner_id else None,
                admin_ids=[number(a) for a in info.admin_ids],
                members_count=info.members_count,
            )
            for member in backend.list_members(info.chat_id):
                user_id = number(member.user_id)
                profile = member.profile
                data.users.setdefault(
                    user_id, UserData(user_id, profile.first_name, profile.last_name, role_code=profile.role_code)
                )
                chat.members.append(
                    MemberData(
                        user_id=user_id,
                        join_date=int(member.joined_at.timestamp()) if member.joined_at else None,
                        is_admin=member.is_admin,
                        is_owner=member.is_owner,
                    )
                )
            seen: set[str] = set()
            for message in backend.iter_messages(info.chat_id, since=since):
                if max_messages_per_chat is not None and len(seen) >= max_messages_per_chat:
                    break
                if message.message_id in seen:
                    continue  # yielded twice while paging
                seen.add(message.message_id)
                placeholder = ("🙂" if message.emoji_only else "x") * message.text_length
                if message.from_bot:
                    from_id = -1
                elif message.author_id is None:
                    from_id = 0
                else:
                    from_id = number(message.author_id)
                kind = message.kind
                chat.messages.append(
                    MessageData(
                        id=int(message.message_id) if message.message_id.isdigit() else message.cursor,
                        date=int(message.sent_at.timestamp()),
                        from_id=from_id,
                        text=placeholder,
                        attachments=(kind,) if kind not in ("text", "service") else (),
                        action="chat_invite_user" if kind == "service" else None,
                    )
                )
            data.chats.append(chat)
        return data


def sample_school(
    *, chat_ids: tuple[int, int, int] = (VK_PEER_BASE + 1, VK_PEER_BASE + 2, VK_PEER_BASE + 3)
) -> SchoolData:
    """Return a small school: a parents' chat, a class chat, a channel and one personal dialog.

    Parents' chat (chat_ids[0]): teacher 201 (owner, admin), parents 301 and 302, a plain account 303 (no
    educational profile), a community -5; 12 messages, newest first ids 1012..1001, including a document, a photo,
    a service event and a community post. Class chat: 201, students 401, 402; 5 messages. Channel: 201; 2 posts.
    """
    data = SchoolData()
    data.add_user(201, "Мария", "Иванова", role_code="teacher")
    data.add_user(301, "Пётр", "Смирнов", role_code="parent")
    data.add_user(302, "Анна", "Орлова", role_code="parent")
    data.add_user(303, "Иван", "Петров")
    data.add_user(401, "Коля", "Смирнов", role_code="student")
    data.add_user(402, "Оля", "Орлова", role_code="student")
    base = 1_763_366_400  # 2025-11-17 08:00 UTC
    parents, klass, channel = chat_ids

    def teachers_chat(chat_id: int, title: str, days_ago: int, others: dict[int, int], **fields) -> ChatData:
        """A chat of teacher 201 (its owner and admin, a member since `days_ago`), and {member: days ago} whom the
        teacher invited; `owner_invited_by` is what the platform says invited the owner."""
        owner_invited_by = fields.pop("owner_invited_by", None)
        owner = MemberData(
            201, join_date=base - days_ago * 86400, is_admin=True, is_owner=True, invited_by=owner_invited_by
        )
        invited = [MemberData(user, join_date=base - days * 86400, invited_by=201) for user, days in others.items()]
        return ChatData(
            chat_id=chat_id, title=title, owner_id=201, admin_ids=[201], members=[owner, *invited], **fields
        )

    others = {301: 80, 302: 70, 303: 60, -5: 60}
    parents_chat = teachers_chat(parents, "5А Родители", 90, others, owner_invited_by=201)
    authors = [201, 301, 302, 303, 201, 301, 302, 201, 301, 302, 201, 301]
    for n, author in enumerate(authors, start=1):
        parents_chat.messages.append(
            MessageData(id=1000 + n, date=base + n * 600, from_id=author, text=f"Сообщение {n}")
        )
    parents_chat.messages[2].attachments = ("document",)
    parents_chat.messages[5].attachments = ("photo",)
    parents_chat.messages[7] = MessageData(id=1008, date=base + 8 * 600, from_id=201, action="chat_invite_user")
    parents_chat.messages[9] = MessageData(id=1010, date=base + 10 * 600, from_id=-5, text="Новость от сообщества")
    class_chat = teachers_chat(
        klass,
        "5А класс",
        90,
        {401: 50, 402: 50},
        messages=[
            MessageData(
                id=2000 + n, date=base + n * 300, from_id=(201, 401, 402)[n % 3], text="👍" if n == 4 else "Привет"
            )
            for n in range(1, 6)
        ],
    )
    channel_chat = teachers_chat(
        channel,
        "Новости школы",
        100,
        {},
        kind="channel",
        messages=[
            MessageData(id=3001, date=base + 100, from_id=201, text="Каникулы", attachments=("link",)),
            MessageData(id=3002, date=base + 200, from_id=201, text="Видео", attachments=("video",)),
        ],
    )
    dialog = ChatData(
        chat_id=301,
        title="",
        kind="user",
        messages=[MessageData(id=4001, date=base + 50, from_id=301, text="Здравствуйте")],
    )
    data.chats = [parents_chat, class_chat, channel_chat, dialog]
    return data

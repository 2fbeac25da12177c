"""Plain dataclasses every backend returns, and the Backend protocol."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Protocol
from typing import runtime_checkable

# Educational role codes of the platform; anything else maps to "no role" (None).
ROLE_CODES = frozenset({"admin", "employee", "teacher", "parent", "student"})

# Message kinds, as stored by chats.Message.kind.
MESSAGE_KINDS = frozenset({"text", "document", "video", "link", "photo", "call", "service"})

# What a message can carry, as stored by chats.Message.attachments: the four kinds of published material and a
# call (a call or a broadcast, from an attachment or a service action). A message may carry several.
ATTACHMENT_KINDS = ("document", "video", "link", "photo", "call")


@dataclass(frozen=True)
class Profile:
    """A platform user as the service shows them."""

    user_id: str
    first_name: str
    last_name: str
    role_code: str | None = None  # None: a plain account without a confirmed educational role


@dataclass(frozen=True)
class ChatInfo:
    chat_id: str
    title: str
    is_channel: bool = False
    owner_id: str | None = None
    admin_ids: tuple[str, ...] = ()
    members_count: int | None = None


@dataclass(frozen=True)
class Member:
    profile: Profile
    joined_at: datetime | None = None  # aware, UTC
    is_admin: bool = False
    is_owner: bool = False

    @property
    def user_id(self) -> str:
        return self.profile.user_id


@dataclass(frozen=True)
class MessageInfo:
    """Metadata of one message. The text was read in memory only; it is not here."""

    message_id: str  # unique within the chat (VK id, MAX mid)
    cursor: int  # grows with time within a chat (VK id, MAX timestamp in ms); the sync's cursor
    chat_id: str
    sent_at: datetime  # aware, UTC
    author_id: str | None  # None for a community or bot
    kind: str = "text"  # one of MESSAGE_KINDS
    text_length: int = 0
    emoji_only: bool = False
    text_hash: str = ""  # keyed hash of the normalised text, for the near-duplicate check
    from_bot: bool = False
    attachments: frozenset[str] = frozenset()  # of ATTACHMENT_KINDS: every kind the message carries
    call_duration: int | None = None  # seconds, where the platform reports a call's duration
    call_participants: int | None = None  # where the platform reports how many took part in a call

    @property
    def counts(self) -> bool:
        """Whether the message can count for its author (a user message, not a service event)."""
        return self.kind != "service" and not self.from_bot and self.author_id is not None


@dataclass
class RequestStats:
    """Requests made and retries spent by one backend instance, and the items it could not read.

    `skipped_items` counts unreadable items by reason (`sferum_api.wire`); `skipped_cursors` holds, per chat, the
    highest cursor of a message that was skipped although its cursor could be read, so the sync's cursor moves
    past it and the next sync does not read it again.
    """

    requests: int = 0
    retries: int = 0
    unknown_role_codes: set[str] = field(default_factory=set)
    skipped_items: dict[str, int] = field(default_factory=dict)
    skipped_cursors: dict[str, int] = field(default_factory=dict)

    def cursor_skip(self, chat_id: str, cursor: int) -> None:
        """Note a skipped message's cursor so the chat's cursor can move past it."""
        self.skipped_cursors[chat_id] = max(cursor, self.skipped_cursors.get(chat_id, cursor))


@runtime_checkable
class Backend(Protocol):
    """What the sync service needs from a source of Sferum data."""

    name: str
    stats: RequestStats

    def list_chats(self) -> Iterator[ChatInfo]:
        """Yield the school's group chats and channels (personal dialogs are skipped)."""
        ...

    def list_members(self, chat_id: str) -> list[Member]:
        """Return the chat's current human members (communities and bots are left out)."""
        ...

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        """Yield messages newest first, stopping at the first one at or below after_cursor or before since.

        The same message may be yielded twice (it arrived while paging); callers dedupe by message_id.
        """
        ...

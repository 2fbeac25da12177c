"""The simulated school served as the `simulator` Backend, with the changes tests make between two syncs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from datetime import datetime

from ..errors import ChatAccessError
from ..text import text_digest
from ..types import ATTACHMENT_KINDS
from ..types import ChatInfo
from ..types import Member
from ..types import MessageInfo
from ..types import RequestStats
from .records import PAGE_SIZE
from .records import SimAccount
from .records import SimMembership
from .records import SimMessage
from .records import message_text
from .school import GeneratedSchool


class SimulatedSchool(GeneratedSchool):
    """A whole simulated school (see `GeneratedSchool`) that is also the `simulator` Backend."""

    name = "simulator"

    def __init__(self, *, seed: int, school_index: int, today: date, hash_key: bytes, page_overlap: int = 0):
        self.hash_key = hash_key
        self.page_overlap = page_overlap
        self.stats = RequestStats()
        self.faults: dict[tuple[str, str | None], Exception] = {}
        self._infos: dict[tuple[str, int], MessageInfo] = {}
        # Serve the platform as it was at this moment (None: as it is): members who had joined, messages sent before.
        self.as_of: datetime | None = None
        super().__init__(seed=seed, school_index=school_index, today=today)

    # ----- changes between syncs (tests) ----------------------------------------------------------------

    def member_remove(self, chat_id: str, user_id: str) -> None:
        membership = self._chat_members[chat_id].pop(user_id)
        self.memberships.remove(membership)

    def member_add(
        self, chat_id: str, account: SimAccount, *, joined_at: datetime, is_admin: bool = False
    ) -> SimMembership:
        self.accounts.setdefault(account.user_id, account)
        membership = SimMembership(chat_id=chat_id, user_id=account.user_id, joined_at=joined_at, is_admin=is_admin)
        self._chat_members[chat_id][account.user_id] = membership
        self.memberships.append(membership)
        return membership

    def message_add(
        self, chat_id: str, *, author_id: str | None, sent_at: datetime, text: str = "", kind: str = "text"
    ) -> SimMessage:
        """Post a message now (its id is above every earlier one)."""
        chat_messages = self._by_chat[chat_id]
        last_id = max((m.message_id for m in self.messages), default=0)
        last_seq = chat_messages[-1].conversation_message_id if chat_messages else 0
        message = SimMessage(
            message_id=last_id + 1,
            conversation_message_id=last_seq + 1,
            chat_id=chat_id,
            sent_at=sent_at,
            author_id=author_id,
            kind=kind,
            group="service" if kind == "service" else "teacher",
            literal=text,
        )
        self.messages.append(message)
        chat_messages.append(message)
        return message

    def fault_inject(self, method: str, chat_id: str | None, error: Exception) -> None:
        """Make `method` ("list_chats", "list_members", "iter_messages") raise `error` (for that chat)."""
        self.faults[(method, chat_id)] = error

    def _members_now(self, chat_id: str) -> list[SimMembership]:
        members = self.members_of(chat_id)
        if self.as_of is None:
            return members
        return [m for m in members if m.joined_at <= self.as_of]

    def _fault(self, method: str, chat_id: str | None) -> None:
        error = self.faults.get((method, chat_id)) or self.faults.get((method, None))
        if error is not None:
            raise error

    # ----- the Backend protocol -------------------------------------------------------------------------

    def list_chats(self) -> Iterator[ChatInfo]:
        self._fault("list_chats", None)
        for start in range(0, max(len(self.chats), 1), PAGE_SIZE):
            self.stats.requests += 1
            for chat in self.chats[start : start + PAGE_SIZE]:
                yield chat.info(len(self._members_now(chat.chat_id)))

    def list_members(self, chat_id: str) -> list[Member]:
        self._fault("list_members", chat_id)
        if chat_id not in self._chat_members:
            raise ChatAccessError(chat_id, "chat not found (917)")
        members = self._members_now(chat_id)
        self.stats.requests += max(1, -(-len(members) // PAGE_SIZE))
        return [
            Member(
                profile=self.accounts[m.user_id].profile(),
                joined_at=m.joined_at,
                is_admin=m.is_admin,
                is_owner=m.is_owner,
            )
            for m in members
        ]

    def message_info(self, message: SimMessage) -> MessageInfo:
        """Return what a backend reports of a simulated message (the text digested, then dropped)."""
        key = (message.chat_id, message.message_id)
        info = self._infos.get(key)
        if info is None:
            length, emoji_only, digest = text_digest(message_text(message), key=self.hash_key)
            info = MessageInfo(
                message_id=str(message.message_id),
                cursor=message.message_id,
                chat_id=message.chat_id,
                sent_at=message.sent_at,
                author_id=message.author_id,
                kind=message.kind,
                text_length=length,
                emoji_only=emoji_only,
                text_hash=digest,
                from_bot=message.from_bot,
                attachments=frozenset({message.kind}) & frozenset(ATTACHMENT_KINDS),
            )
            self._infos[key] = info
        return info

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        self._fault("iter_messages", chat_id)
        if chat_id not in self._by_chat:
            raise ChatAccessError(chat_id, "chat not found (917)")
        newest_first = self._by_chat[chat_id][::-1]
        if self.as_of is not None:
            newest_first = [message for message in newest_first if message.sent_at < self.as_of]
        offset = 0
        while True:
            self.stats.requests += 1
            page = newest_first[offset : offset + PAGE_SIZE]
            if offset and self.page_overlap:
                page = newest_first[max(offset - self.page_overlap, 0) : offset] + page
            if not page:
                return
            for message in page:
                if after_cursor is not None and message.message_id <= after_cursor:
                    return
                if since is not None and message.sent_at < since:
                    return
                yield self.message_info(message)
            offset += PAGE_SIZE
            if offset >= len(newest_first):
                return

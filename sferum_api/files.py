"""The `files` backend: a Sferum member list the school exported (one row per chat member), as a Backend.

The rows come already read and checked (chats.files_import reads CSV and XLSX files into `MemberRow`s); this
module only groups them into chats and members. A member list is a full snapshot of the chats it lists: a
member missing from a newer file has left (the sync service ends that membership). A member list has no
messages.

A chat is named by its title, or, for a row given as a class and a chat kind, by a synthesized title
(`chat_title_synthesize`: «5А ученики», «5А родители») that the title matcher maps back to the same class and
kind. The chat's platform id is derived from its normalised title, so the same chat keeps the same id from one
file to the next.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .errors import ChatAccessError
from .types import ROLE_CODES
from .types import ChatInfo
from .types import Member
from .types import MessageInfo
from .types import Profile
from .types import RequestStats

# Chat kinds a row may give instead of a title (as chats.models.Chat.Kind), and the titles they stand for.
# "{class_name}" is filled in for the kinds that belong to a class.
CHAT_TITLES = {
    "class": "{class_name} ученики",
    "parents": "{class_name} родители",
    "staff": "Педагогический коллектив",
    "school": "Общий чат школы",
    "channel": "Канал школы",
}
CLASS_CHAT_KINDS = frozenset({"class", "parents"})
CHAT_ID_PREFIX = "file-"

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class MemberRow:
    """One member of one chat, as a member list gives it.

    The chat is `chat_title`, or (when the title is empty) the chat of kind `chat_kind` of class `class_name`.
    `role` is a platform role code (admin, employee, teacher, parent, student) or None; `joined_at` is aware.
    """

    chat_title: str
    chat_kind: str | None
    class_name: str | None
    user_id: str
    last_name: str
    first_name: str
    role: str | None = None
    joined_at: datetime | None = None

    @property
    def title(self) -> str:
        """Return the chat's title: the one given, or the one synthesized from class and kind."""
        return chat_title_for(title=self.chat_title, kind=self.chat_kind, class_name=self.class_name)


def chat_title_for(*, title: str, kind: str | None, class_name: str | None) -> str:
    """Return a chat's title: `title` with its spacing tidied, or, when it is empty, the one of kind and class."""
    if title.strip():
        return _SPACES.sub(" ", title).strip()
    return chat_title_synthesize(kind=kind or "", class_name=class_name)


def chat_title_synthesize(*, kind: str, class_name: str | None) -> str:
    """Return the title of a chat given by kind and class, like «5А ученики»; raise ValueError if it has none."""
    template = CHAT_TITLES.get(kind)
    if template is None:
        raise ValueError(f"no title for chat kind {kind!r}")
    if kind in CLASS_CHAT_KINDS and not class_name:
        raise ValueError(f"a {kind} chat needs a class")
    return template.format(class_name=class_name or "")


def chat_id_for_title(title: str) -> str:
    """Return the stable platform id of the chat with this title (case, ё/е and spacing do not matter)."""
    normalized = unicodedata.normalize("NFKC", title).casefold().replace("ё", "е")
    normalized = _SPACES.sub(" ", normalized).strip()
    return CHAT_ID_PREFIX + hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:32]


class FilesBackend:
    """A member list as a Backend: chats and members from rows, no messages.

    `known_chats` ({chat id: title}) are the chats an earlier member list gave: absent from this one, they are
    listed with no members, so that their members leave too (the list is a snapshot of every chat).
    """

    name = "files"

    def __init__(self, *, rows: list[MemberRow], known_chats: dict[str, str] | None = None):
        self.stats = RequestStats()
        profiles = self._profiles(rows)
        titles: dict[str, str] = {}
        channels: set[str] = set()
        self._members: dict[str, dict[str, Member]] = {}
        for row in rows:
            title = row.title
            chat_id = chat_id_for_title(title)
            titles.setdefault(chat_id, title)  # the first spelling of a title names the chat
            if row.chat_kind == "channel":
                channels.add(chat_id)
            members = self._members.setdefault(chat_id, {})
            if row.user_id not in members:  # the first row of a member listed twice wins
                members[row.user_id] = Member(profile=profiles[row.user_id], joined_at=row.joined_at)
        for chat_id, title in (known_chats or {}).items():
            if chat_id not in titles:
                titles[chat_id] = title
                self._members[chat_id] = {}
        self._chats = {
            chat_id: ChatInfo(
                chat_id=chat_id,
                title=title,
                is_channel=chat_id in channels,
                members_count=len(self._members[chat_id]),
            )
            for chat_id, title in titles.items()
        }

    def _profiles(self, rows: list[MemberRow]) -> dict[str, Profile]:
        """Return one profile per user: the names of their first row, the first role any row gives them."""
        names: dict[str, tuple[str, str]] = {}
        roles: dict[str, str | None] = {}
        for row in rows:
            names.setdefault(row.user_id, (row.last_name, row.first_name))
            if roles.get(row.user_id) is None:
                roles[row.user_id] = row.role or None
        profiles: dict[str, Profile] = {}
        for user_id, (last_name, first_name) in names.items():
            role = roles[user_id]
            if role is not None and role not in ROLE_CODES:
                self.stats.unknown_role_codes.add(role)
                role = None
            profiles[user_id] = Profile(user_id=user_id, first_name=first_name, last_name=last_name, role_code=role)
        return profiles

    def list_chats(self) -> Iterator[ChatInfo]:
        yield from self._chats.values()

    def list_members(self, chat_id: str) -> list[Member]:
        members = self._members.get(chat_id)
        if members is None:
            raise ChatAccessError(chat_id, "the chat is not in the member list")
        return list(members.values())

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        """Yield nothing: a member list has no messages."""
        if chat_id not in self._members:
            raise ChatAccessError(chat_id, "the chat is not in the member list")
        yield from ()

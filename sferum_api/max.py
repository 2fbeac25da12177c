"""The `max` backend: the documented MAX Bot API, for chats that moved into MAX and whose school bot is an admin.

`GET /chats` is withdrawn, so the backend reads the chat ids the school configured. Header
`Authorization: <token>` (no "Bearer"); times in milliseconds. Message texts are read in memory only.

Messages the backend cannot attribute are kept but never count: a message without a `sender` (a channel post or
a system event) has `author_id=None`; a bot's message has `from_bot=True`. A forwarded message (`link.type ==
"forward"`) counts for the person who forwarded it; its kind comes from its own attachments, else from the
forwarded message's; its text is only its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any
from urllib.parse import quote

import httpx

from .errors import AuthError
from .errors import ChatAccessError
from .errors import InvalidRequestError
from .errors import UnavailableError
from .http import HttpBackend
from .http import json_body
from .text import text_digest
from .types import ChatInfo
from .types import Member
from .types import MessageInfo
from .types import Profile
from .wire import Malformed
from .wire import as_dict
from .wire import as_list
from .wire import clean_text
from .wire import item_skip
from .wire import optional_int
from .wire import optional_millis
from .wire import read_int
from .wire import read_key
from .wire import read_millis

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://platform-api2.max.ru"
PAGE_SIZE = 100  # the largest count the members and messages endpoints accept
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
GONE_STATUSES = frozenset({"removed", "left", "closed"})  # the bot can no longer read the chat

ATTACHMENT_KINDS = {
    "file": "document",
    "video": "video",
    "image": "photo",
    "photo": "photo",
    "share": "link",
    "link": "link",
    "call": "call",
}

RECONNECT = "reconnect the school's MAX bot in the settings"


def _require_aware(since: datetime | None) -> datetime | None:
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise ValueError("since must be an aware datetime.")
    return since


_dict, _list = as_dict, as_list


def _attachment_kind(attachments: Any) -> str | None:
    for attachment in _list(attachments):
        kind = ATTACHMENT_KINDS.get(clean_text(_dict(attachment).get("type")))
        if kind:
            return kind
    return None


def _attachment_kinds(attachments: Any) -> frozenset[str]:
    kinds = (ATTACHMENT_KINDS.get(clean_text(_dict(attachment).get("type"))) for attachment in _list(attachments))
    return frozenset(kind for kind in kinds if kind)


def message_attachments(item: Mapping[str, Any]) -> frozenset[str]:
    """Return every kind a MAX message carries: its own attachments', else a forwarded message's."""
    kinds = _attachment_kinds(_dict(item.get("body")).get("attachments"))
    link = _dict(item.get("link"))
    if not kinds and clean_text(link.get("type")) == "forward":
        kinds = _attachment_kinds(_dict(link.get("message")).get("attachments"))
    return kinds


def message_kind(item: Mapping[str, Any]) -> str:
    """Return the kind of a MAX message from its attachments (or a forwarded message's), else text."""
    kind = _attachment_kind(_dict(item.get("body")).get("attachments"))
    link = _dict(item.get("link"))
    if kind is None and clean_text(link.get("type")) == "forward":
        kind = _attachment_kind(_dict(link.get("message")).get("attachments"))
    return kind or "text"


class MaxBackend(HttpBackend):
    """Read the configured MAX chats, their members and messages (`name = "max"`).

    A configured chat the bot cannot read (HTTP 403/404, or status removed/left/closed) is left out of
    `list_chats`, logged, and recorded in `skipped_chats` (chat id → reason); `list_members` and
    `iter_messages` raise ChatAccessError for it.
    """

    name = "max"
    default_base_url = DEFAULT_BASE_URL
    default_rps = 30.0
    default_page_size = PAGE_SIZE
    retry_statuses = RETRY_STATUSES

    def __init__(self, *, chat_ids: Iterable[str], **options: Any):
        """Take the chat ids the school configured and HttpBackend's options (token, hash_key, base_url, ...)."""
        super().__init__(**options)
        self.chat_ids = tuple(dict.fromkeys(str(chat_id) for chat_id in chat_ids))
        self.skipped_chats: dict[str, str] = {}

    def __repr__(self) -> str:
        return (
            f"MaxBackend(base_url={self._http.redact(self._http.base_url)!r}, rps={self._http.rps}, "
            f"chats={len(self.chat_ids)})"
        )

    # -- the Backend protocol -------------------------------------------------------------------------

    def list_chats(self) -> Iterator[ChatInfo]:
        """Yield the configured chats and channels the bot can read; skip (and record) the others."""
        for chat_id in self.chat_ids:
            info = self._chat_fetch(chat_id)
            if info is not None:
                yield info

    def chats_by_id(self, chat_ids: Iterable[str]) -> list[ChatInfo]:
        """Return those of the chats the bot can still read (GET /chats/{id} each)."""
        return [info for chat_id in dict.fromkeys(chat_ids) if (info := self._chat_fetch(chat_id)) is not None]

    def _chat_fetch(self, chat_id: str) -> ChatInfo | None:
        try:
            chat = self._get(f"/chats/{quote(chat_id, safe='')}", None, what="GET /chats/{id}", chat_id=chat_id)
        except ChatAccessError as exc:
            self._skip(chat_id, exc.reason)
            return None
        chat_type = clean_text(chat.get("type"))
        status = clean_text(chat.get("status"))
        if chat_type == "dialog":
            return None  # a personal dialog, not a group chat
        if status in GONE_STATUSES:
            self._skip(chat_id, f"chat status {status}")
            return None
        self.skipped_chats.pop(chat_id, None)
        owner_id = optional_int(chat.get("owner_id"))
        return ChatInfo(
            chat_id=chat_id,
            title=clean_text(chat.get("title")),
            is_channel=chat_type == "channel",
            owner_id=str(owner_id) if owner_id is not None else None,
            members_count=optional_int(chat.get("participants_count"), minimum=0),
        )

    def list_members(self, chat_id: str) -> list[Member]:
        """Return the chat's human members (bots left out); MAX has no educational roles, so role_code is None."""
        members: dict[str, Member] = {}
        markers: set[Any] = set()
        marker: Any = None
        while True:
            params: dict[str, Any] = {"count": self.page_size}
            if marker is not None:
                params["marker"] = marker
            page = self._get(
                f"/chats/{quote(chat_id, safe='')}/members", params, what="GET /chats/{id}/members", chat_id=chat_id
            )
            for item in _list(page.get("members")):
                item = _dict(item)
                try:
                    user_id = read_int(item.get("user_id"), what="member", field="user_id", minimum=1)
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint="GET /chats/{id}/members", error=exc)
                    continue
                if item.get("is_bot") is True or str(user_id) in members:
                    continue
                members[str(user_id)] = Member(
                    profile=Profile(
                        user_id=str(user_id),
                        first_name=clean_text(item.get("first_name")),
                        last_name=clean_text(item.get("last_name")),
                    ),
                    joined_at=optional_millis(item.get("join_time")),
                    is_admin=item.get("is_admin") is True,
                    is_owner=item.get("is_owner") is True,
                )
            marker = page.get("marker")
            if isinstance(marker, str):
                marker = clean_text(marker)
            if marker is None or isinstance(marker, bool) or not isinstance(marker, int | str) or marker == "":
                break
            if marker in markers:
                raise UnavailableError("max GET /chats/{id}/members: the server repeated a paging marker.")
            markers.add(marker)
        return list(members.values())

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        """Yield messages newest first, stopping at the first one at or below after_cursor or before since.

        Pages go older with `to` = the oldest timestamp seen; messages are deduplicated by `body.mid`, and
        paging ends when a page brings nothing new.
        """
        since = _require_aware(since)
        seen: set[str] = set()
        to: int | None = None
        while True:
            params: dict[str, Any] = {"chat_id": chat_id, "count": self.page_size}
            if to is not None:
                params["to"] = to
            page = self._get("/messages", params, what="GET /messages", chat_id=chat_id)
            fresh = 0
            oldest = to
            for item in _list(page.get("messages")):
                item = _dict(item)
                try:
                    sent_at = read_millis(item.get("timestamp"), what="message", field="timestamp")
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint="GET /messages", error=exc)
                    continue
                cursor = item["timestamp"]
                oldest = cursor if oldest is None else min(oldest, cursor)
                try:
                    mid = read_key(_dict(item.get("body")).get("mid"), what="message", field="body.mid")
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint="GET /messages", error=exc)
                    if after_cursor is not None and cursor <= after_cursor:
                        return
                    self.stats.cursor_skip(chat_id, cursor)
                    continue
                if mid in seen:
                    continue
                seen.add(mid)
                fresh += 1
                if after_cursor is not None and cursor <= after_cursor:
                    return
                if since is not None and sent_at < since:
                    return
                yield self._message(item, chat_id=chat_id, mid=mid, cursor=cursor, sent_at=sent_at)
            if not fresh or oldest is None:
                return
            to = oldest

    # -- internals -----------------------------------------------------------------------------------

    def _skip(self, chat_id: str, reason: str) -> None:
        self.skipped_chats[chat_id] = reason
        logger.warning("max: chat %s skipped: %s", chat_id, reason)

    def _message(self, item: dict[str, Any], *, chat_id: str, mid: str, cursor: int, sent_at: datetime) -> MessageInfo:
        sender = item.get("sender")
        from_bot = False
        author_id = None
        if isinstance(sender, dict):
            from_bot = sender.get("is_bot") is True
            user_id = optional_int(sender.get("user_id"), minimum=1)
            if not from_bot and user_id is not None:
                author_id = str(user_id)
        text = clean_text(_dict(item.get("body")).get("text"))
        length, emoji_only, digest = text_digest(text, key=self._hash_key)
        return MessageInfo(
            message_id=mid,
            cursor=cursor,
            chat_id=chat_id,
            sent_at=sent_at,
            author_id=author_id,
            kind=message_kind(item),
            text_length=length,
            emoji_only=emoji_only,
            text_hash=digest,
            from_bot=from_bot,
            attachments=message_attachments(item),
        )

    def _get(self, path: str, params: Mapping[str, Any] | None, *, what: str, chat_id: str) -> dict[str, Any]:
        return self._http.request(
            "GET",
            path,
            what=what,
            params=params,
            headers={"Authorization": self._token},
            handle=partial(self._handle, what=what, params=params, chat_id=chat_id),
        )

    def _handle(
        self, response: httpx.Response, *, what: str, params: Mapping[str, Any] | None, chat_id: str
    ) -> dict[str, Any]:
        status = response.status_code
        if status == 200:
            body = json_body(response)
            if not isinstance(body, dict):
                raise UnavailableError(f"max {what}: unexpected response (not a JSON object).")
            return body
        code, message = self._error_body(response)
        if status == 401:
            raise AuthError(f"The MAX bot token is invalid or revoked (HTTP 401 {code}); {RECONNECT}.")
        if status in (403, 404):
            label = "no access" if status == 403 else "chat not found"
            raise ChatAccessError(chat_id, f"{label} ({status}{', ' + code if code else ''})")
        if 400 <= status < 500:
            shown = self._http.redact(repr(dict(params or {})))
            raise InvalidRequestError(
                f"max {what} for chat {chat_id} rejected its parameters {shown} (HTTP {status} {code}: {message})."
            )
        raise UnavailableError(f"max {what}: unexpected HTTP {status} {code}.")

    def _error_body(self, response: httpx.Response) -> tuple[str, str]:
        try:
            body = response.json()
        except ValueError:
            return "", ""
        body = _dict(body)
        code = self._http.redact(clean_text(body.get("code")))[:100]
        message = self._http.redact(clean_text(body.get("message")))[:300]
        return code, message

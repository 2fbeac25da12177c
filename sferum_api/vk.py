"""The `vk` backend: the VK-style JSON methods Sferum's own clients call (unofficial, may break).

Request: `POST {base_url}/method/{method}`, form-encoded, with `access_token` and `v`. Message texts are read
in memory only, through `text_digest`, and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

import httpx

from .errors import AuthError
from .errors import ChatAccessError
from .errors import InvalidRequestError
from .errors import UnavailableError
from .http import HttpBackend
from .http import RetryableResponse
from .http import json_body
from .text import text_digest
from .types import ROLE_CODES
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
from .wire import optional_seconds
from .wire import read_int
from .wire import read_seconds

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.vk.me"
API_VERSION = "5.199"
PAGE_SIZE = 200  # the largest count getConversations and getHistory accept

RETRY_CODES = frozenset({6, 9, 10, 29})  # too many requests, flood control, internal error, rate limit
AUTH_CODE = 5
ACCESS_CODES = frozenset({7, 15, 917, 927, 945, 946})
INVALID_PARAMETER_CODE = 100

ATTACHMENT_KINDS = {
    "doc": "document",
    "video": "video",
    "link": "link",
    "photo": "photo",
    "call": "call",
    "group_call_in_progress": "call",
}
CALL_ACTIONS = frozenset({"call", "group_call_in_progress"})
MAX_CALL_SECONDS = 7 * 24 * 3600  # a longer "duration" is not one; it is read as not reported
MAX_PARTICIPANTS = 100_000

RECONNECT = "reconnect the school's Sferum account in the settings"
PEER_CHAT_MIN = 2_000_000_001  # group chats' peer ids are 2e9 + local id
GONE_STATES = frozenset({"kicked", "left", "out"})  # the account is no longer in the chat
BY_ID_BATCH = 100  # peer ids per messages.getConversationsById call
LISTING_PASSES = 3  # list the conversations again (at most this often) until a pass finds no new chat
STALE_PAGES = 3  # stop paging after this many pages in a row bring nothing new (a server ignoring offset)


def chat_info(conversation: Any) -> ChatInfo | None:
    """Return a VK conversation as a ChatInfo; None for a personal dialog or a chat the account is out of.

    Raise Malformed when the peer id cannot be read.
    """
    conversation = _dict(conversation)
    peer = _dict(conversation.get("peer"))
    if peer.get("type") != "chat":
        return None
    peer_id = read_int(peer.get("id"), what="conversation", field="peer.id", minimum=PEER_CHAT_MIN)
    settings = _dict(conversation.get("chat_settings"))
    if clean_text(settings.get("state")) in GONE_STATES:
        return None
    owner_id = optional_int(settings.get("owner_id"))
    admin_ids = (optional_int(a) for a in _list(settings.get("admin_ids")))
    return ChatInfo(
        chat_id=str(peer_id),
        title=clean_text(settings.get("title")),
        is_channel=settings.get("is_group_channel") is True,
        owner_id=str(owner_id) if owner_id is not None else None,
        admin_ids=tuple(str(a) for a in admin_ids if a is not None),
        members_count=optional_int(settings.get("members_count"), minimum=0),
    )


def _require_aware(since: datetime | None) -> datetime | None:
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise ValueError("since must be an aware datetime.")
    return since


_dict, _list = as_dict, as_list


def message_attachments(item: Mapping[str, Any]) -> frozenset[str]:
    """Return every kind a VK message carries (ATTACHMENT_KINDS): its known attachments, or a call action."""
    action = item.get("action")
    if action:
        return frozenset({"call"}) if clean_text(_dict(action).get("type")) in CALL_ACTIONS else frozenset()
    attachments = _list(item.get("attachments"))
    kinds = (ATTACHMENT_KINDS.get(clean_text(_dict(attachment).get("type"))) for attachment in attachments)
    return frozenset(kind for kind in kinds if kind)


def call_details(item: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """Return (duration in seconds, participants) of a VK call, each None where the message does not say.

    A `call` attachment reports its duration; a `group_call_in_progress` one its participants' count. Anything
    else (a missing, negative or non-integer value) is "not reported", never a guess.
    """
    duration = participants = None
    for attachment in _list(item.get("attachments")):
        attachment = _dict(attachment)
        kind = clean_text(attachment.get("type"))
        body = _dict(attachment.get(kind))
        if kind == "call" and duration is None:
            duration = optional_int(body.get("duration"), minimum=0, maximum=MAX_CALL_SECONDS)
        elif kind == "group_call_in_progress" and participants is None:
            count = _dict(body.get("participants")).get("count")
            participants = optional_int(count, minimum=0, maximum=MAX_PARTICIPANTS)
    return duration, participants


def message_kind(item: Mapping[str, Any]) -> str:
    """Return a VK message's kind: service event, call, publication (first known attachment) or text."""
    action = item.get("action")
    if action:
        return "call" if clean_text(_dict(action).get("type")) in CALL_ACTIONS else "service"
    for attachment in _list(item.get("attachments")):
        kind = ATTACHMENT_KINDS.get(clean_text(_dict(attachment).get("type")))
        if kind:
            return kind
    return "text"


class VkBackend(HttpBackend):
    """Read a school's chats, members and messages through the VK-style API (`name = "vk"`)."""

    name = "vk"
    default_base_url = DEFAULT_BASE_URL
    default_rps = 3.0
    default_page_size = PAGE_SIZE

    # -- the Backend protocol -------------------------------------------------------------------------

    def list_chats(self) -> Iterator[ChatInfo]:
        """Yield the group chats and channels; personal dialogs and chats the account left are skipped.

        The list is ordered by last message, so a chat that moves while the client pages can be missed: when
        the list took more than one page, it is read again until a pass finds no new chat (at most
        LISTING_PASSES passes). A chat still missed is fetched by id by the sync (`chats_by_id`).
        """
        seen: set[str] = set()
        for _pass in range(LISTING_PASSES):
            fresh = 0
            pages = 0
            for items, _page in self._pages("messages.getConversations", {"extended": 1, "filter": "all"}):
                pages += 1
                for item in items:
                    info = self._chat_read(_dict(item).get("conversation"), "messages.getConversations")
                    if info is None or info.chat_id in seen:
                        continue
                    seen.add(info.chat_id)
                    fresh += 1
                    yield info
            if pages <= 1 or (_pass and not fresh):
                return

    def chats_by_id(self, chat_ids: Iterable[str]) -> list[ChatInfo]:
        """Return those of the chats that still exist and still have the account (messages.getConversationsById)."""
        ids = [chat_id for chat_id in dict.fromkeys(chat_ids) if chat_id.isdigit()]
        found: dict[str, ChatInfo] = {}
        for start in range(0, len(ids), BY_ID_BATCH):
            batch = ids[start : start + BY_ID_BATCH]
            try:
                page = self._call(
                    "messages.getConversationsById",
                    {"peer_ids": ",".join(batch), "extended": 1},
                    chat_id=",".join(batch),
                )
            except ChatAccessError:
                if len(batch) > 1:  # one chat refused the whole batch: ask for each alone
                    for chat_id in batch:
                        found.update((info.chat_id, info) for info in self.chats_by_id([chat_id]))
                continue
            for item in _list(page.get("items")):
                info = self._chat_read(item, "messages.getConversationsById")
                if info is not None and info.chat_id in batch:
                    found[info.chat_id] = info
        return list(found.values())

    def list_members(self, chat_id: str) -> list[Member]:
        """Return the chat's human members with their educational role (None: not confirmed)."""
        members: dict[str, Member] = {}
        params = {"peer_id": chat_id, "extended": 1, "fields": "educational_profile"}
        method = "messages.getConversationMembers"
        for items, page in self._pages(method, params, chat_id=chat_id, key="member_id"):
            profiles = {}
            for profile in _list(page.get("profiles")):
                profile_id = optional_int(_dict(profile).get("id"))
                if profile_id is not None:
                    profiles[profile_id] = profile
            for item in items:
                item = _dict(item)
                try:
                    member_id = read_int(item.get("member_id"), what="member", field="member_id")
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint=method, error=exc)
                    continue
                if member_id <= 0 or str(member_id) in members:
                    continue  # a community or bot, or seen on an earlier page
                profile = _dict(profiles.get(member_id))
                members[str(member_id)] = Member(
                    profile=Profile(
                        user_id=str(member_id),
                        first_name=clean_text(profile.get("first_name")),
                        last_name=clean_text(profile.get("last_name")),
                        role_code=self._role_code(profile),
                    ),
                    joined_at=optional_seconds(item.get("join_date")),
                    is_admin=item.get("is_admin") is True,
                    is_owner=item.get("is_owner") is True,
                )
        return list(members.values())

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        """Yield messages newest first, stopping at the first one at or below after_cursor or before since.

        A message whose id or date cannot be read is skipped and counted; when its id can be read, it still
        stops the paging at the cursor, and its id is noted so the chat's cursor moves past it.
        """
        since = _require_aware(since)
        seen: set[int] = set()
        method = "messages.getHistory"
        for items, _page in self._pages(method, {"peer_id": chat_id, "rev": 0}, chat_id=chat_id, key="id"):
            for item in items:
                item = _dict(item)
                try:
                    message_id = read_int(item.get("id"), what="message", field="id", minimum=1)
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint=method, error=exc)
                    continue
                if message_id in seen:
                    continue  # already read from the previous page
                seen.add(message_id)
                if after_cursor is not None and message_id <= after_cursor:
                    return
                try:
                    sent_at = read_seconds(item.get("date"), what="message", field="date")
                except Malformed as exc:
                    item_skip(self.stats, backend=self.name, endpoint=method, error=exc)
                    self.stats.cursor_skip(chat_id, message_id)
                    continue
                if since is not None and sent_at < since:
                    return
                yield self._message(item, chat_id=chat_id, message_id=message_id, sent_at=sent_at)

    # -- internals -----------------------------------------------------------------------------------

    def _chat_read(self, conversation: Any, method: str) -> ChatInfo | None:
        try:
            return chat_info(conversation)
        except Malformed as exc:
            item_skip(self.stats, backend=self.name, endpoint=method, error=exc)
            return None

    def _message(self, item: dict[str, Any], *, chat_id: str, message_id: int, sent_at: datetime) -> MessageInfo:
        from_id = optional_int(item.get("from_id"))
        length, emoji_only, digest = text_digest(clean_text(item.get("text")), key=self._hash_key)
        kinds = message_attachments(item)
        duration, participants = call_details(item) if "call" in kinds else (None, None)
        return MessageInfo(
            message_id=str(message_id),
            cursor=message_id,
            chat_id=chat_id,
            sent_at=sent_at,
            author_id=str(from_id) if from_id is not None and from_id > 0 else None,
            kind=message_kind(item),
            text_length=length,
            emoji_only=emoji_only,
            text_hash=digest,
            from_bot=from_id is not None and from_id < 0,
            attachments=kinds,
            call_duration=duration,
            call_participants=participants,
        )

    def _role_code(self, profile: Mapping[str, Any]) -> str | None:
        roles = _dict(_dict(profile.get("educational_profile")).get("edu_roles"))
        code = clean_text(roles.get("main_role_code"))
        if not code:
            return None  # a plain account (or an unreadable role): the role is not confirmed
        if code in ROLE_CODES:
            return code
        if code not in self.stats.unknown_role_codes:
            logger.info("vk: unknown educational role code %r, treated as no role", code[:50])
        self.stats.unknown_role_codes.add(code)
        return None

    def _pages(
        self, method: str, params: Mapping[str, Any], *, chat_id: str | None = None, key: str | None = None
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        """Yield (items, response) pages, advancing offset by the items received until count or an empty page.

        With `key` (the items' id field), paging also stops after STALE_PAGES pages in a row bring no new id:
        a server that ignores the offset cannot keep the sync paging for ever.
        """
        offset = 0
        keys: set[Any] = set()
        stale = 0
        while True:
            page = self._call(method, {**params, "offset": offset, "count": self.page_size}, chat_id=chat_id)
            items = _list(page.get("items"))
            if not items:
                return
            yield items, page
            offset += len(items)
            total = optional_int(page.get("count"))
            if total is not None and offset >= total:
                return
            if key is not None:
                new = {optional_int(_dict(item).get(key)) for item in items} - keys - {None}
                keys |= new
                stale = 0 if new else stale + 1
                if stale >= STALE_PAGES:
                    logger.warning("vk %s: the server repeats its pages; paging stopped.", method)
                    return

    def _call(self, method: str, params: Mapping[str, Any], *, chat_id: str | None = None) -> dict[str, Any]:
        data = {**{key: str(value) for key, value in params.items()}, "access_token": self._token, "v": API_VERSION}
        return self._http.request(
            "POST",
            f"/method/{method}",
            what=method,
            data=data,
            handle=partial(self._handle, method=method, params=params, chat_id=chat_id),
        )

    def _handle(
        self, response: httpx.Response, *, method: str, params: Mapping[str, Any], chat_id: str | None
    ) -> dict[str, Any]:
        if response.status_code != 200:
            raise UnavailableError(f"vk {method}: unexpected HTTP {response.status_code}; check the base URL.")
        body = json_body(response)
        if not isinstance(body, dict):
            raise UnavailableError(f"vk {method}: unexpected response (not a JSON object).")
        if "error" in body:
            raise self._error(_dict(body["error"]), method=method, params=params, chat_id=chat_id)
        result = body.get("response")
        if not isinstance(result, dict):
            raise UnavailableError(f"vk {method}: unexpected response (no 'response' object).")
        return result

    def _error(
        self, error: dict[str, Any], *, method: str, params: Mapping[str, Any], chat_id: str | None
    ) -> Exception:
        code = optional_int(error.get("error_code"))
        text = self._http.redact(clean_text(error.get("error_msg")))[:300]
        if code in RETRY_CODES:
            return RetryableResponse(f"VK error {code}")
        if code == AUTH_CODE:
            return AuthError(f"The Sferum token is invalid or expired (VK error 5); {RECONNECT}.")
        if code in ACCESS_CODES:
            if chat_id:
                return ChatAccessError(chat_id, f"no access ({code})")
            return AuthError(f"The Sferum token has no access to the chat list (VK error {code}); {RECONNECT}.")
        shown = self._http.redact(repr(dict(params)))
        if code == INVALID_PARAMETER_CODE:
            return InvalidRequestError(f"vk {method} rejected its parameters {shown} (error 100: {text}).")
        return InvalidRequestError(f"vk {method} failed with VK error {code} ({text}); parameters {shown}.")

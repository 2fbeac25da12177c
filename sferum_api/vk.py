"""The `vk` backend: the VK-style JSON methods Sferum's own clients call (unofficial, may break).

Request: `POST {base_url}/method/{method}`, form-encoded, with `access_token` and `v`. Message texts are read
in memory only, through `text_digest`, and dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx

from .errors import AuthError, ChatAccessError, InvalidRequestError, UnavailableError
from .http import HttpBackend, RetryableResponse, json_body
from .text import text_digest
from .types import ROLE_CODES, ChatInfo, Member, MessageInfo, Profile

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

RECONNECT = "reconnect the school's Sferum account in the settings"


def _from_seconds(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _require_aware(since: datetime | None) -> datetime | None:
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise ValueError("since must be an aware datetime.")
    return since


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def message_kind(item: Mapping[str, Any]) -> str:
    """Return a VK message's kind: service event, call, publication (first known attachment) or text."""
    action = item.get("action")
    if action:
        return "call" if _dict(action).get("type") in CALL_ACTIONS else "service"
    for attachment in _list(item.get("attachments")):
        kind = ATTACHMENT_KINDS.get(_dict(attachment).get("type"))
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
        """Yield the group chats and channels; personal dialogs are skipped."""
        seen: set[int] = set()
        for items, _page in self._pages("messages.getConversations", {"extended": 1, "filter": "all"}):
            for item in items:
                conversation = _dict(_dict(item).get("conversation"))
                peer = _dict(conversation.get("peer"))
                peer_id = _int(peer.get("id"))
                if peer.get("type") != "chat" or peer_id is None or peer_id in seen:
                    continue
                seen.add(peer_id)
                settings = _dict(conversation.get("chat_settings"))
                owner_id = _int(settings.get("owner_id"))
                yield ChatInfo(
                    chat_id=str(peer_id),
                    title=str(settings.get("title") or ""),
                    is_channel=bool(settings.get("is_group_channel")),
                    owner_id=str(owner_id) if owner_id is not None else None,
                    admin_ids=tuple(str(a) for a in _list(settings.get("admin_ids")) if _int(a) is not None),
                    members_count=_int(settings.get("members_count")),
                )

    def list_members(self, chat_id: str) -> list[Member]:
        """Return the chat's human members with their educational role (None: not confirmed)."""
        members: dict[str, Member] = {}
        params = {"peer_id": chat_id, "extended": 1, "fields": "educational_profile"}
        for items, page in self._pages("messages.getConversationMembers", params, chat_id=chat_id):
            profiles = {}
            for profile in _list(page.get("profiles")):
                profile_id = _int(_dict(profile).get("id"))
                if profile_id is not None:
                    profiles[profile_id] = profile
            for item in items:
                item = _dict(item)
                member_id = _int(item.get("member_id"))
                if member_id is None or member_id <= 0 or str(member_id) in members:
                    continue  # a community or bot, or seen on an earlier page
                profile = profiles.get(member_id, {})
                members[str(member_id)] = Member(
                    profile=Profile(
                        user_id=str(member_id),
                        first_name=str(profile.get("first_name") or ""),
                        last_name=str(profile.get("last_name") or ""),
                        role_code=self._role_code(profile),
                    ),
                    joined_at=_from_seconds(item.get("join_date")),
                    is_admin=bool(item.get("is_admin")),
                    is_owner=bool(item.get("is_owner")),
                )
        return list(members.values())

    def iter_messages(
        self, chat_id: str, *, after_cursor: int | None = None, since: datetime | None = None
    ) -> Iterator[MessageInfo]:
        """Yield messages newest first, stopping at the first one at or below after_cursor or before since."""
        since = _require_aware(since)
        seen: set[int] = set()
        for items, _page in self._pages("messages.getHistory", {"peer_id": chat_id, "rev": 0}, chat_id=chat_id):
            for item in items:
                item = _dict(item)
                message_id = _int(item.get("id"))
                sent_at = _from_seconds(item.get("date"))
                if message_id is None or sent_at is None or message_id in seen:
                    continue  # unusable, or already yielded from the previous page
                seen.add(message_id)
                if after_cursor is not None and message_id <= after_cursor:
                    return
                if since is not None and sent_at < since:
                    return
                yield self._message(item, chat_id=chat_id, message_id=message_id, sent_at=sent_at)

    # -- internals -----------------------------------------------------------------------------------

    def _message(self, item: dict[str, Any], *, chat_id: str, message_id: int, sent_at: datetime) -> MessageInfo:
        from_id = _int(item.get("from_id"))
        text = item.get("text")
        length, emoji_only, digest = text_digest(text if isinstance(text, str) else "", key=self._hash_key)
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
        )

    def _role_code(self, profile: Mapping[str, Any]) -> str | None:
        roles = _dict(_dict(profile.get("educational_profile")).get("edu_roles"))
        code = roles.get("main_role_code")
        if code is None or code == "":
            return None  # a plain account: the role is not confirmed
        code = str(code)
        if code in ROLE_CODES:
            return code
        if code not in self.stats.unknown_role_codes:
            logger.info("vk: unknown educational role code %r, treated as no role", code[:50])
        self.stats.unknown_role_codes.add(code)
        return None

    def _pages(
        self, method: str, params: Mapping[str, Any], *, chat_id: str | None = None
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        """Yield (items, response) pages, advancing offset by the items received until count or an empty page."""
        offset = 0
        while True:
            page = self._call(method, {**params, "offset": offset, "count": self.page_size}, chat_id=chat_id)
            items = _list(page.get("items"))
            if not items:
                return
            yield items, page
            offset += len(items)
            total = _int(page.get("count"))
            if total is not None and offset >= total:
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
        code = _int(error.get("error_code"))
        text = self._http.redact(str(error.get("error_msg") or ""))[:300]
        if code in RETRY_CODES:
            return RetryableResponse(f"VK error {code}")
        if code == AUTH_CODE:
            return AuthError(f"The Sferum token is invalid or expired (VK error 5); {RECONNECT}.")
        if code in ACCESS_CODES:
            if chat_id is not None:
                return ChatAccessError(chat_id, f"no access ({code})")
            return AuthError(f"The Sferum token has no access to the chat list (VK error {code}); {RECONNECT}.")
        shown = self._http.redact(repr(dict(params)))
        if code == INVALID_PARAMETER_CODE:
            return InvalidRequestError(f"vk {method} rejected its parameters {shown} (error 100: {text}).")
        return InvalidRequestError(f"vk {method} failed with VK error {code} ({text}); parameters {shown}.")

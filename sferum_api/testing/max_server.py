"""A loopback server speaking the `max` wire format: `Authorization: <token>`, JSON, times in milliseconds.

Serves `GET /chats/{chat_id}`, `GET /chats/{chat_id}/members` (marker paging) and `GET /messages` (newest first,
`to` inclusive, so the oldest message of a page comes back on the next one) from a `SchoolData`. Stricter than
the real service where it helps tests: it checks the token (401), `count` ≤ 100 and `chat_id` (400).
"""

from __future__ import annotations

from typing import Any

from .data import ChatData
from .data import MessageData
from .server import LoopbackServer
from .server import Reply

CHAT = "/chats/{chat_id}"
MEMBERS = "/chats/{chat_id}/members"
MESSAGES = "/messages"
COUNT_LIMIT = 100

ERROR_CODES = {
    400: "proto.payload",
    401: "verify.token",
    403: "chat.denied",
    404: "not.found",
    405: "method.not.allowed",
    429: "too.many.requests",
    500: "internal",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "gateway.timeout",
}
CHAT_TYPES = {"chat": "chat", "channel": "channel", "user": "dialog"}
ATTACHMENT_TYPES = {"document": "file", "photo": "image", "video": "video", "link": "share", "call": "call"}


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"code": ERROR_CODES.get(status, "error"), "message": message})


class MaxServer(LoopbackServer):
    """The max wire format over loopback. Faults: `error(503)` (an HTTP status with a JSON error body),
    `deny_chat(id, 403)`, `http_status(502)`, `slow(1.0)`, `drip(0.05)`, `drop()`, `reset()`,
    `insert_message_while_paging(...)`, `page_limit`, `unknown_fields`; a wrong or "Bearer" token answers 401."""

    def _endpoint(self, http_method: str, path: str) -> str:
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "chats":
            return CHAT
        if len(parts) == 3 and parts[0] == "chats" and parts[2] == "members":
            return MEMBERS
        return path

    def _take_token(self, handler: Any, params: dict[str, str]) -> str | None:
        return handler.headers.get("Authorization")

    def _auth_failure(self, endpoint: str, params: dict[str, str]) -> Reply:
        return _error(401, "Invalid access_token")

    def _service_error(self, code: int, endpoint: str, params: dict[str, str]) -> Reply:
        return _error(code, f"Injected error {code}")

    def _route(self, endpoint: str, path: str, params: dict[str, str]) -> Reply:
        if endpoint not in (CHAT, MEMBERS, MESSAGES):
            return _error(404, f"Path {path} is not recognized")
        chat_id = path.strip("/").split("/")[1] if endpoint != MESSAGES else params.get("chat_id", "")
        if not chat_id.lstrip("-").isdigit():
            return _error(400, "chat_id must be a number")
        if chat_id in self.denied:
            return _error(self.denied[chat_id], "Bot is not a member of the chat")
        chat = self.data.chat(chat_id)
        if chat is None:
            return _error(404, "Chat not found")
        if endpoint == CHAT:
            return Reply(200, self._chat(chat), item_ids=(chat.chat_id,))
        try:
            count = int(params.get("count", "50"))
        except ValueError:
            return _error(400, "count must be a number")
        if not 1 <= count <= COUNT_LIMIT:
            return _error(400, f"count must be between 1 and {COUNT_LIMIT}")
        if endpoint == MEMBERS:
            return self._members(chat, params, count)
        return self._messages(chat, params, count)

    # -- endpoints ------------------------------------------------------------------------------------

    def _members(self, chat: ChatData, params: dict[str, str], count: int) -> Reply:
        try:
            offset = int(params.get("marker") or 0)
        except ValueError:
            return _error(400, "marker is invalid")
        page = self._page(chat.members, offset, count)
        end = offset + len(page)
        members = []
        for member in page:
            user = self.data.users.get(abs(member.user_id))
            item = {
                "user_id": abs(member.user_id),
                "first_name": user.first_name if user else "Бот",
                "last_name": user.last_name if user else None,
                "name": None,
                "username": None,
                "is_bot": member.user_id < 0 or bool(user and user.is_bot),
                "last_activity_time": (member.join_date or 0) * 1000,
                "is_owner": member.is_owner,
                "is_admin": member.is_admin,
                "join_time": member.join_date * 1000 if member.join_date is not None else None,
                "permissions": ["read_all_messages"] if member.is_admin else None,
            }
            members.append({**item, **(user.extra if user else {}), **member.extra})
        payload = {"members": members, "marker": end if page and end < len(chat.members) else None}
        return Reply(200, payload, item_ids=tuple(m.user_id for m in page))

    def _messages(self, chat: ChatData, params: dict[str, str], count: int) -> Reply:
        try:
            to = int(params["to"]) if params.get("to") else None
        except ValueError:
            return _error(400, "to is invalid")
        messages = [m for m in chat.newest_first() if to is None or m.date * 1000 <= to]
        page = self._page(messages, 0, count)
        self._history_page_served(str(chat.chat_id))
        return Reply(200, {"messages": [self._message(chat, m) for m in page]}, item_ids=tuple(m.id for m in page))

    # -- rendering ------------------------------------------------------------------------------------

    def _chat(self, chat: ChatData) -> dict[str, Any]:
        last = max((m.date for m in chat.messages), default=0)
        payload = {
            "chat_id": chat.chat_id,
            "type": CHAT_TYPES.get(chat.kind, chat.kind),
            "status": chat.status,
            "title": chat.title or None,
            "icon": None,
            "last_event_time": last * 1000,
            "participants_count": len(chat.members) if chat.members_count is None else chat.members_count,
            "owner_id": chat.owner_id,
            "is_public": False,
            "link": None,
            "description": None,
        }
        return {**payload, **chat.extra}

    @staticmethod
    def mid(chat: ChatData, message: MessageData) -> str:
        return f"mid.{abs(chat.chat_id):x}.{message.id:016x}"

    def _message(self, chat: ChatData, message: MessageData) -> dict[str, Any]:
        attachments = [
            {"type": ATTACHMENT_TYPES.get(kind, kind), "payload": {"url": "https://files.invalid/1", "token": "f1"}}
            for kind in message.attachments
        ]
        item: dict[str, Any] = {
            "recipient": {"chat_id": chat.chat_id, "chat_type": CHAT_TYPES.get(chat.kind, chat.kind), "user_id": None},
            "timestamp": message.date * 1000,
            "body": {
                "mid": self.mid(chat, message),
                "seq": message.id,
                "text": message.text,
                "attachments": attachments or None,
                "markup": None,
            },
            "stat": None,
            "url": None,
        }
        if not message.action and message.from_id != 0:  # a service event has no sender
            user = self.data.users.get(message.from_id)
            item["sender"] = {
                "user_id": abs(message.from_id),
                "first_name": user.first_name if user else "Бот",
                "last_name": user.last_name if user else None,
                "name": None,
                "is_bot": message.from_id < 0 or bool(user and user.is_bot),
                "last_activity_time": message.date * 1000,
            }
        return {**item, **message.extra}

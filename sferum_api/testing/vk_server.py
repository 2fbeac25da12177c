"""A loopback server speaking the `vk` wire format: `POST /method/{method}`, form-encoded, `access_token` and `v`.

Serves messages.getConversations, messages.getConversationsById, messages.getConversationMembers and
messages.getHistory from a `SchoolData`. A chat's `status` shows as `chat_settings.state`: "active" is "in",
"left" is "left", anything else "kicked".
Stricter than the real service where it helps tests: it checks the token (error 5), `v` (error 8), and the
count limits (error 100); an unknown chat answers error 917.
"""

from __future__ import annotations

from typing import Any

from .data import VK_PEER_BASE
from .data import ChatData
from .data import MessageData
from .data import UserData
from .server import LoopbackServer
from .server import Reply

GET_CONVERSATIONS = "messages.getConversations"
GET_MEMBERS = "messages.getConversationMembers"
GET_HISTORY = "messages.getHistory"
GET_BY_ID = "messages.getConversationsById"
BY_ID_LIMIT = 100
STATES = {"active": "in", "left": "left"}
COUNT_LIMITS = {GET_CONVERSATIONS: 200, GET_MEMBERS: 1000, GET_HISTORY: 200}

ERROR_MESSAGES = {
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request: v (version) is required",
    9: "Flood control",
    10: "Internal server error",
    15: "Access denied",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    917: "You don't have access to this chat",
    927: "Chat does not exist",
    945: "Chat was disabled",
    946: "Chat not supported",
}
ATTACHMENT_TYPES = {"document": "doc", "photo": "photo", "video": "video", "link": "link", "call": "call"}


class VkServer(LoopbackServer):
    """The vk wire format over loopback. Faults: `error(6)`, `error(917, endpoint=GET_MEMBERS)`, `deny_chat(id, 917)`,
    `http_status(503)`, `slow(1.0)`, `drip(0.05)`, `drop()`, `reset()`, `insert_message_while_paging(...)`,
    `page_limit`, `unknown_fields`; a wrong token answers error 5."""

    def _endpoint(self, http_method: str, path: str) -> str:
        return path.removeprefix("/method/")

    def _take_token(self, handler: Any, params: dict[str, str]) -> str | None:
        return params.pop("access_token", None)

    def _auth_failure(self, endpoint: str, params: dict[str, str]) -> Reply:
        return self._service_error(5, endpoint, params)

    def _service_error(self, code: int, endpoint: str, params: dict[str, str]) -> Reply:
        request_params = [{"key": "method", "value": endpoint}, {"key": "oauth", "value": "1"}]
        request_params += [{"key": key, "value": value} for key, value in params.items()]
        error = {"error_code": code, "error_msg": ERROR_MESSAGES.get(code, "Unknown error occurred")}
        return Reply(200, {"error": {**error, "request_params": request_params}})

    def _route(self, endpoint: str, path: str, params: dict[str, str]) -> Reply:
        if endpoint == GET_BY_ID and params.get("v"):
            return self._by_id(params)
        if endpoint not in COUNT_LIMITS:
            return self._service_error(3, endpoint, params)
        if not params.get("v"):
            return self._service_error(8, endpoint, params)
        try:
            offset = int(params.get("offset", "0"))
            count = int(params.get("count", "20"))
        except ValueError:
            return self._service_error(100, endpoint, params)
        if offset < 0 or not 0 <= count <= COUNT_LIMITS[endpoint]:
            return self._service_error(100, endpoint, params)
        if endpoint == GET_CONVERSATIONS:
            return self._conversations(params, offset, count)
        chat_id = params.get("peer_id", "")
        if not chat_id.lstrip("-").isdigit():
            return self._service_error(100, endpoint, params)
        if chat_id in self.denied:
            return self._service_error(self.denied[chat_id], endpoint, params)
        chat = self.data.chat(chat_id)
        if chat is None:
            return self._service_error(917, endpoint, params)
        if endpoint == GET_MEMBERS:
            return self._members(chat, params, offset, count)
        return self._history(chat, params, offset, count)

    # -- methods --------------------------------------------------------------------------------------

    def _conversations(self, params: dict[str, str], offset: int, count: int) -> Reply:
        def last_date(chat: ChatData) -> int:
            return max((m.date for m in chat.messages), default=0)

        chats = sorted(self.data.chats, key=last_date, reverse=True)
        page = self._page(chats, offset, count)
        response = {"count": len(chats), "items": [self._conversation(chat) for chat in page]}
        if params.get("extended") == "1":
            response |= {"profiles": [], "groups": []}
        return Reply(200, {"response": response}, item_ids=tuple(chat.chat_id for chat in page))

    def _by_id(self, params: dict[str, str]) -> Reply:
        peer_ids = [p for p in params.get("peer_ids", "").split(",") if p]
        if not peer_ids or len(peer_ids) > BY_ID_LIMIT or not all(p.lstrip("-").isdigit() for p in peer_ids):
            return self._service_error(100, GET_BY_ID, params)
        denied = [self.denied[p] for p in peer_ids if p in self.denied]
        if denied:
            return self._service_error(denied[0], GET_BY_ID, params)
        chats = [chat for p in peer_ids if (chat := self.data.chat(p)) is not None]
        items = [self._conversation(chat)["conversation"] for chat in chats]
        response: dict[str, Any] = {"count": len(items), "items": items}
        if params.get("extended") == "1":
            response |= {"profiles": [], "groups": []}
        return Reply(200, {"response": response}, item_ids=tuple(chat.chat_id for chat in chats))

    def _members(self, chat: ChatData, params: dict[str, str], offset: int, count: int) -> Reply:
        page = self._page(chat.members, offset, count)
        items = []
        for member in page:
            item: dict[str, Any] = {"member_id": member.user_id, "invited_by": member.invited_by or chat.owner_id}
            if member.join_date is not None:
                item["join_date"] = member.join_date
            if member.is_admin:
                item["is_admin"] = True
            if member.is_owner:
                item["is_owner"] = True
            items.append({**item, "can_kick": False, **member.extra})
        response: dict[str, Any] = {"count": len(chat.members), "items": items}
        if params.get("extended") == "1":
            with_roles = "educational_profile" in params.get("fields", "").split(",")
            response["profiles"] = [
                self._profile(self.data.users[m.user_id], with_roles=with_roles)
                for m in page
                if m.user_id > 0 and m.user_id in self.data.users
            ]
            response["groups"] = [
                {"id": -m.user_id, "name": f"Сообщество {-m.user_id}", "type": "page"} for m in page if m.user_id < 0
            ]
        return Reply(200, {"response": response}, item_ids=tuple(m.user_id for m in page))

    def _history(self, chat: ChatData, params: dict[str, str], offset: int, count: int) -> Reply:
        messages = sorted(chat.messages, key=lambda m: m.id, reverse=True)  # vk pages by message id
        numbers = {id(m): n for n, m in enumerate(reversed(messages), start=1)}
        if params.get("rev") == "1":
            messages.reverse()
        page = self._page(messages, offset, count)
        items = [self._message(chat, m, numbers[id(m)]) for m in page]
        self._history_page_served(str(chat.chat_id))
        response = {"count": len(messages), "items": items}
        if params.get("extended") == "1":
            response |= {"profiles": [], "groups": []}
        return Reply(200, {"response": response}, item_ids=tuple(m.id for m in page))

    # -- rendering ------------------------------------------------------------------------------------

    def _conversation(self, chat: ChatData) -> dict[str, Any]:
        is_chat = chat.kind in ("chat", "channel")
        peer = {"id": chat.chat_id, "type": "chat" if is_chat else "user"}
        peer["local_id"] = chat.chat_id - VK_PEER_BASE if is_chat else chat.chat_id
        conversation: dict[str, Any] = {"peer": peer, "can_write": {"allowed": True}, "in_read": 0, "out_read": 0}
        if is_chat:
            conversation["chat_settings"] = {
                "title": chat.title,
                "owner_id": chat.owner_id,
                "admin_ids": list(chat.admin_ids),
                "members_count": len(chat.members) if chat.members_count is None else chat.members_count,
                "is_group_channel": chat.kind == "channel",
                "state": STATES.get(chat.status, "kicked"),
                "active_ids": [],
            }
        item: dict[str, Any] = {"conversation": {**conversation, **chat.extra}}
        if chat.messages:
            newest = chat.newest_first()[0]
            item["last_message"] = {"id": newest.id, "date": newest.date, "from_id": newest.from_id, "text": ""}
        return item

    def _profile(self, user: UserData, *, with_roles: bool) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "id": user.user_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "can_access_closed": True,
            "is_closed": False,
        }
        if with_roles and user.role_code is not None:
            profile["educational_profile"] = {
                "edu_roles": {
                    "main_role_code": user.role_code,
                    "organizations": [
                        {
                            "organization_id": -123,
                            "organization_name": "МАОУ СОШ № 15",
                            "roles": [{"role_code": user.role_code}],
                        }
                    ],
                }
            }
        return {**profile, **user.extra}

    def _message(self, chat: ChatData, message: MessageData, number: int) -> dict[str, Any]:
        attachments = []
        for kind in message.attachments:
            wire = ATTACHMENT_TYPES.get(kind, kind)
            attachments.append({"type": wire, wire: {"id": number, "owner_id": message.from_id, "title": "файл"}})
        item: dict[str, Any] = {
            "id": message.id,
            "conversation_message_id": number,
            "date": message.date,
            "from_id": message.from_id,
            "peer_id": chat.chat_id,
            "text": message.text,
            "attachments": attachments,
            "fwd_messages": [],
            "out": 0,
            "important": False,
            "is_hidden": False,
        }
        if message.action:
            item["action"] = {"type": message.action, "member_id": message.from_id}
        return {**item, **message.extra}

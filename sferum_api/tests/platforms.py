"""The few wire differences between the vk and max loopback servers, for the one contract both backends keep.

`test_backend_contract.py` runs each test once per platform; a `Platform` names the sample school's chats on
that platform, the endpoints and error codes its server speaks, and how its cursors and pages are numbered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sferum_api import Backend
from sferum_api import MessageInfo
from sferum_api.errors import InvalidRequestError
from sferum_api.errors import UnavailableError
from sferum_api.testing import ChatData
from sferum_api.testing import LoopbackServer
from sferum_api.testing import MemberData
from sferum_api.testing import MessageData
from sferum_api.testing import RecordedRequest
from sferum_api.testing import max_server as max_wire
from sferum_api.testing import vk_server as vk_wire

from .conftest import MAX_CHAT_IDS
from .conftest import MAX_TOKEN
from .conftest import VK_TOKEN

BASE = 1_763_366_400  # the sample school's messages are dated from here (Unix seconds)
BIG_VK, BIG_MAX = 2000000099, -70000000000099
# Errors the backend retries (the server's `error(code)`), and codes/statuses that deny one chat, by platform.
RETRIED_ERRORS = {"vk": (6, 9, 29, 10), "max": (429, 500, 502, 503, 504)}
ACCESS_DENIALS = {"vk": (7, 15, 917, 927, 945, 946), "max": (403, 404)}


def by_platform(cases: dict[str, tuple[Any, ...]]) -> list[tuple[str, Any]]:
    """Return (platform, case) pairs for `parametrize("platform, case", ..., indirect=["platform"])`."""
    return [(name, case) for name, values in cases.items() for case in values]


# The sample school's parents', class and channel chats on each platform, and the backend's token.
CHATS = {"vk": ("2000000001", "2000000002", "2000000003"), "max": tuple(str(chat_id) for chat_id in MAX_CHAT_IDS)}
TOKENS = {"vk": VK_TOKEN, "max": MAX_TOKEN}
# Where the chat list, the members and the messages come from.
ENDPOINTS = {
    "vk": (vk_wire.GET_CONVERSATIONS, vk_wire.GET_MEMBERS, vk_wire.GET_HISTORY),
    "max": (max_wire.CHAT, max_wire.MEMBERS, max_wire.MESSAGES),
}
# Requests one `list_chats()` makes on the sample school; the backend's page size (the most its server serves);
# the platform's documented request rate.
SIZES = {"vk": (1, 200, 3), "max": (3, 100, 30)}
# The server's error code for: a bad token, a chat without access, a rate limit, the server's own trouble, an error
# the backend does not know.
CODES = {
    "vk": {"auth": 5, "access": 917, "rate_limit": 29, "server_error": 10, "unknown": 1},
    "max": {"auth": 401, "access": 403, "rate_limit": 429, "server_error": 503, "unknown": 501},
}
# An error code the backend does not know (not in its lists of retried and failed codes), and what it raises.
UNKNOWN_ERRORS = {"vk": (18, InvalidRequestError), "max": (501, UnavailableError)}
# What an invalid request's error names (the request asks for 500 messages a page).
INVALID_REQUEST_WORDS = {
    "vk": ("messages.getHistory", "'peer_id': '2000000001'", "'count': 500"),
    "max": ("GET /messages", "'count': 500", "proto.payload"),
}
# The big chat's id and its members' role code.
BIG_CHATS = {"vk": (BIG_VK, "parent"), "max": (BIG_MAX, None)}


@dataclass
class Platform:
    """One backend (`name`: "vk" or "max") with its loopback server and the wire's words for the contract tests."""

    name: str
    server: LoopbackServer
    make: Callable[..., Backend]  # the conftest's `make_vk` / `make_max`

    def __post_init__(self) -> None:
        self.token = TOKENS[self.name]
        self.parents, self.class_chat, self.channel = CHATS[self.name]
        self.chats_endpoint, self.members_endpoint, self.messages_endpoint = ENDPOINTS[self.name]
        self.chat_list_requests, self.page_size, self.rps = SIZES[self.name]
        self.codes = CODES[self.name]
        self.unknown_error, self.unknown_error_raises = UNKNOWN_ERRORS[self.name]
        self.invalid_request_words = INVALID_REQUEST_WORDS[self.name]
        self.big_chat_id, self.big_chat_role = BIG_CHATS[self.name]

    def big_chat(self, *, members: int = 0, messages: int = 0) -> str:
        """Add a chat with many members and messages (ids 10001.., one a minute) and return its id."""
        chat = ChatData(chat_id=self.big_chat_id, title="Большой чат", owner_id=201)
        for n in range(members):
            self.server.data.add_user(5000 + n, f"Имя{n}", f"Фамилия{n}", role_code=self.big_chat_role)
            chat.members.append(MemberData(5000 + n, join_date=BASE + n))
        chat.messages = [
            MessageData(id=10000 + n, date=BASE + 60 * n, from_id=201, text=f"m{n}") for n in range(1, messages + 1)
        ]
        self.server.data.chats.append(chat)
        return str(chat.chat_id)

    def cursor(self, n: int) -> int:
        """Return the cursor of the big chat's message number `n` (vk: its id; max: its time in milliseconds)."""
        return 10000 + n if self.name == "vk" else (BASE + 60 * n) * 1000

    def number(self, message: MessageInfo) -> int:
        """Return the sample school's number (id) of a message the backend read."""
        return int(message.message_id) if self.name == "vk" else int(message.message_id[-16:], 16)

    def page_position(self, request: RecordedRequest) -> int | None:
        """Return where a page of members starts (vk: its offset; max: its marker, none on the first page)."""
        if self.name == "vk":
            return int(request.params["offset"])
        marker = request.params.get("marker")
        return None if marker is None else int(marker)

    def first_page_position(self) -> int | None:
        return 0 if self.name == "vk" else None

    def add_unknown_fields(self) -> None:
        """Decorate the school with fields the backend has never heard of (the server adds one everywhere too)."""
        self.server.unknown_fields = True
        chat = self.server.data.chat(self.parents)
        chat.messages[0].extra = {"reactions": [{"id": 1}], "format_data": {}, "stat": {"views": 3}}
        if self.name == "vk":
            profile = {"educational_profile": {"edu_roles": {"main_role_code": "parent", "x": 1}}}
            self.server.data.users[301].extra = profile
            chat.members[1].extra = {"is_restricted_to_write": False}
        else:
            chat.extra = {"pinned_message": {"body": {}}, "dialog_with_user": None}

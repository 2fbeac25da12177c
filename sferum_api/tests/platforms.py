"""The few wire differences between the vk and max loopback servers, for the one contract both backends keep.

`test_backend_contract.py` runs each test once per platform; a `Platform` names the sample school's chats on
that platform, the endpoints and error codes its server speaks, and how its cursors and pages are numbered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sferum_api import Backend, MessageInfo
from sferum_api.testing import ChatData, LoopbackServer, MaxServer, MemberData, MessageData, RecordedRequest, VkServer
from sferum_api.testing import max_server as max_wire
from sferum_api.testing import vk_server as vk_wire

from .conftest import MAX_CHAT_IDS, MAX_TOKEN, VK_TOKEN

BASE = 1_763_366_400  # the sample school's messages are dated from here (Unix seconds)
BIG_VK, BIG_MAX = 2000000099, -70000000000099
# Errors the backend retries (the server's `error(code)`), and codes/statuses that deny one chat, by platform.
RETRIED_ERRORS = {"vk": (6, 9, 29, 10), "max": (429, 500, 502, 503, 504)}
ACCESS_DENIALS = {"vk": (7, 15, 917, 927, 945, 946), "max": (403, 404)}


def by_platform(cases: dict[str, tuple[Any, ...]]) -> list[tuple[str, Any]]:
    """Return (platform, case) pairs for `parametrize("platform, case", ..., indirect=["platform"])`."""
    return [(name, case) for name, values in cases.items() for case in values]


@dataclass
class Platform:
    """One backend with its loopback server and the wire's words for what the contract tests ask of it."""

    name: str
    server: LoopbackServer
    make: Callable[..., Backend]
    token: str
    parents: str
    class_chat: str
    channel: str
    chats_endpoint: str  # where the chat list comes from
    members_endpoint: str
    messages_endpoint: str
    chat_list_requests: int  # requests one `list_chats()` makes on the sample school
    page_size: int  # the backend's page size, the most its server serves
    rps: int  # the platform's documented request rate
    codes: dict[str, int]  # the server's error for: auth, access, rate_limit, unknown
    invalid_request_words: tuple[str, ...]  # what an invalid request's error names
    big_chat_id: int
    big_chat_role: str | None

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


def vk_platform(server: VkServer, make: Callable[..., Backend]) -> Platform:
    return Platform(
        name="vk",
        server=server,
        make=make,
        token=VK_TOKEN,
        parents="2000000001",
        class_chat="2000000002",
        channel="2000000003",
        chats_endpoint=vk_wire.GET_CONVERSATIONS,
        members_endpoint=vk_wire.GET_MEMBERS,
        messages_endpoint=vk_wire.GET_HISTORY,
        chat_list_requests=1,
        page_size=200,
        rps=3,
        codes={"auth": 5, "access": 917, "rate_limit": 29, "unknown": 1},
        invalid_request_words=("messages.getHistory", "'peer_id': '2000000001'", "'count': 500"),
        big_chat_id=BIG_VK,
        big_chat_role="parent",
    )


def max_platform(server: MaxServer, make: Callable[..., Backend]) -> Platform:
    parents, class_chat, channel = (str(chat_id) for chat_id in MAX_CHAT_IDS)
    return Platform(
        name="max",
        server=server,
        make=make,
        token=MAX_TOKEN,
        parents=parents,
        class_chat=class_chat,
        channel=channel,
        chats_endpoint=max_wire.CHAT,
        members_endpoint=max_wire.MEMBERS,
        messages_endpoint=max_wire.MESSAGES,
        chat_list_requests=3,
        page_size=100,
        rps=30,
        codes={"auth": 401, "access": 403, "rate_limit": 429, "unknown": 501},
        invalid_request_words=("GET /messages", "'count': 500", "proto.payload"),
        big_chat_id=BIG_MAX,
        big_chat_role=None,
    )

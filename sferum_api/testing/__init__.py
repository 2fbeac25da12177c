"""Loopback test servers for the vk and max wire formats, the data they serve, and a virtual clock.

    with VkServer(token="t", data=sample_school()) as server:
        server.error(6, times=2)                      # rate-limit the next two calls
        backend = VkBackend(base_url=server.url, token="t", hash_key=b"k")

`VkServer.from_backend(backend, token=...)` snapshots any Backend (e.g. the simulator) into a server. Nothing
here imports Django or pytest.
"""

from .clock import FakeClock
from .data import VK_PEER_BASE
from .data import ChatData
from .data import MemberData
from .data import MessageData
from .data import SchoolData
from .data import UserData
from .data import sample_school
from .max_server import MaxServer
from .server import Fault
from .server import LoopbackServer
from .server import RecordedRequest
from .server import Reply
from .vk_server import VkServer

__all__ = [
    "VK_PEER_BASE",
    "ChatData",
    "FakeClock",
    "Fault",
    "LoopbackServer",
    "MaxServer",
    "MemberData",
    "MessageData",
    "RecordedRequest",
    "Reply",
    "SchoolData",
    "UserData",
    "VkServer",
    "sample_school",
]

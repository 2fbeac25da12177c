"""The Sferum adapter: one Backend protocol, four backends, plain dataclasses, no Django models.

Nothing in this package imports Django or the project's apps.
"""

from .errors import AuthError
from .errors import ChatAccessError
from .errors import DeadlineError
from .errors import InvalidRequestError
from .errors import SferumError
from .errors import UnavailableError
from .types import Backend
from .types import ChatInfo
from .types import Member
from .types import MessageInfo
from .types import Profile
from .types import RequestStats

__all__ = [
    "AuthError",
    "Backend",
    "ChatAccessError",
    "ChatInfo",
    "DeadlineError",
    "InvalidRequestError",
    "Member",
    "MessageInfo",
    "Profile",
    "RequestStats",
    "SferumError",
    "UnavailableError",
]

"""The Sferum adapter: one Backend protocol, four backends, plain dataclasses, no Django models.

Nothing in this package imports Django or the project's apps.
"""

from .errors import (
    AuthError,
    ChatAccessError,
    DeadlineError,
    InvalidRequestError,
    SferumError,
    UnavailableError,
)
from .types import Backend, ChatInfo, Member, MessageInfo, Profile, RequestStats

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

"""Errors a backend raises; the sync service decides what each means for a run."""

from __future__ import annotations


class SferumError(Exception):
    """Base of every adapter error. Messages never contain a token."""


class AuthError(SferumError):
    """The token is invalid or expired (VK error 5, MAX HTTP 401): stop the sync, no retry."""


class ChatAccessError(SferumError):
    """No access to this chat or the chat is gone: skip it, log it, go on."""

    def __init__(self, chat_id: str, reason: str):
        super().__init__(f"chat {chat_id}: {reason}")
        self.chat_id = chat_id
        self.reason = reason


class UnavailableError(SferumError):
    """Server trouble (5xx, timeouts, rate limits) that outlasted the bounded retries."""


class DeadlineError(UnavailableError):
    """A call (retries included) or the caller's whole run outlasted its total deadline."""


class InvalidRequestError(SferumError):
    """The service rejected the parameters (VK error 100): a bug; fail with method and parameters."""

"""Typed readers for every field the adapter takes from the wire; an item that cannot be read is skipped.

A backend reads each item (a chat, a member, a message) with these readers. A required field that is missing,
of the wrong type or out of range raises `Malformed`: the backend skips the item, counts it by reason in
`RequestStats.skipped_items` and logs the reason (object, field, problem: never a value, never a text). An
optional field that cannot be read is taken as absent. Texts and names come back as valid Unicode: a lone UTF-16
surrogate becomes U+FFFD, NUL characters are dropped.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC
from datetime import datetime
from typing import Any

from .types import RequestStats

logger = logging.getLogger(__name__)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# A sane time on the wire: from 2000-01-01 to 2100-01-01 (UTC).
EARLIEST = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
LATEST = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())
PLATFORM_ID_MAX_LENGTH = 64  # chats.Message.platform_id and SferumAccount.platform_user_id hold 64 characters
_NUL = re.compile("\x00")


class Malformed(ValueError):
    """A required field of an item cannot be read; `reason` names the object, the field and the problem."""

    def __init__(self, what: str, field: str, problem: str):
        self.reason = f"{what}.{field}: {problem}"
        super().__init__(self.reason)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_int(value: Any, *, what: str, field: str, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int:
    """Return the value as an int within [minimum, maximum], or raise Malformed."""
    if value is None:
        raise Malformed(what, field, "missing")
    if not _is_int(value):
        raise Malformed(what, field, "wrong type")
    if not minimum <= value <= maximum:
        raise Malformed(what, field, "out of range")
    return value


def optional_int(value: Any, *, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int | None:
    """Return the value as an int within [minimum, maximum], or None when it is absent or unreadable."""
    return value if _is_int(value) and minimum <= value <= maximum else None


def read_seconds(value: Any, *, what: str, field: str) -> datetime:
    """Return unix seconds (vk) as an aware UTC datetime between 2000 and 2100, or raise Malformed."""
    return datetime.fromtimestamp(read_int(value, what=what, field=field, minimum=EARLIEST, maximum=LATEST), tz=UTC)


def read_millis(value: Any, *, what: str, field: str) -> datetime:
    """Return unix milliseconds (max) as an aware UTC datetime between 2000 and 2100, or raise Malformed."""
    millis = read_int(value, what=what, field=field, minimum=EARLIEST * 1000, maximum=LATEST * 1000)
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def optional_seconds(value: Any) -> datetime | None:
    """Return unix seconds as a datetime, or None when absent, unreadable or not between 2000 and 2100."""
    seconds = optional_int(value, minimum=EARLIEST, maximum=LATEST)
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds is not None else None


def optional_millis(value: Any) -> datetime | None:
    """Return unix milliseconds as a datetime, or None when absent, unreadable or not between 2000 and 2100."""
    millis = optional_int(value, minimum=EARLIEST * 1000, maximum=LATEST * 1000)
    return datetime.fromtimestamp(millis / 1000, tz=UTC) if millis is not None else None


def clean_text(value: Any) -> str:
    """Return the value as valid Unicode text: "" unless a string, lone surrogates as U+FFFD, no NUL."""
    if not isinstance(value, str):
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Pairs written as two escapes become one character; a lone surrogate becomes U+FFFD.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _NUL.sub("", value) if "\x00" in value else value


def read_key(value: Any, *, what: str, field: str) -> str:
    """Return a string key (a MAX message id): non-empty, clean Unicode, at most 64 characters; or raise Malformed."""
    if value is None:
        raise Malformed(what, field, "missing")
    if not isinstance(value, str):
        raise Malformed(what, field, "wrong type")
    if not value or len(value) > PLATFORM_ID_MAX_LENGTH or clean_text(value) != value:
        raise Malformed(what, field, "out of range")
    return value


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def item_skip(stats: RequestStats, *, backend: str, endpoint: str, error: Malformed) -> None:
    """Count a skipped item by reason and log the reason (never a value or a text)."""
    stats.skipped_items[error.reason] = stats.skipped_items.get(error.reason, 0) + 1
    logger.warning("%s %s: an item was skipped (%s)", backend, endpoint, error.reason)

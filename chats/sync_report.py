"""Items a sync could not read: their count by reason for the run report, and cursors that move past them.

The adapter (`sferum_api.wire`) skips an item it cannot read, counts it in `RequestStats.skipped_items` by
reason (object, field, problem: never a value or a text) and, for a message whose cursor it could read, notes
that cursor in `RequestStats.skipped_cursors`. The run reports the items skipped during the run as
`"skipped_items": {"count": N, "reasons": {...}}`, and each chat's cursor moves past its skipped messages, so
the next sync neither fails on them nor reads them again.
"""

from __future__ import annotations

from sferum_api import RequestStats

from .models import Chat


def skipped_items_since(*, stats: RequestStats, before: dict[str, int]) -> dict[str, int]:
    """Return the items skipped since `before` (a copy of `stats.skipped_items`), by reason."""
    counts = {reason: n - before.get(reason, 0) for reason, n in stats.skipped_items.items()}
    return {reason: n for reason, n in sorted(counts.items()) if n > 0}


def skipped_items_json(reasons: dict[str, int]) -> dict:
    """Return the run report's `skipped_items` object."""
    return {"count": sum(reasons.values()), "reasons": dict(reasons)}


def cursor_past_skipped(*, chat: Chat, stats: RequestStats) -> None:
    """Move the chat's cursor past the messages skipped while its history was read (call with its messages)."""
    skipped = stats.skipped_cursors.pop(chat.platform_id, None)
    if skipped is not None and (chat.cursor is None or skipped > chat.cursor):
        chat.cursor = skipped

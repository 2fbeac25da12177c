"""The history horizon of a school's Sferum chats (DESIGN.md, "Definitions": "History horizon").

The horizon is the earliest moment from which the product holds every message of every readable chat:

- A chat's horizon is set on its first read. Read with `--since T`, the chat is complete from T. Read back to its
  first message (the platform had no older page), it is complete from its creation: every message it ever had
  is stored, and its oldest message marks where its history begins.
- The school's horizon is the latest of its chats' horizons, chats without access left out. A chat complete
  from its creation holds nothing back, so it adds no later bound: it matters only when every chat was read
  from its creation, and then the school's history begins at its oldest message. A chat created after the
  first sync therefore never moves the horizon; a chat first read later with a later `--since` does.
- The integration records the school's horizon after every sync that ends `ok` or `held`
  (`Integration.history_from`). Weeks that start before it are "no data" (`no_history`), never "inactive".
  No horizon recorded (never synced, or a school without an integration) sets no bound.

After a school's first successful sync, `history_ready` is sent; the reports layer answers it by queueing
(on commit) the build of the weekly history since the horizon, so that nobody has to press a button.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Iterable
from datetime import datetime

from django.dispatch import Signal

from classes.models import School
from sferum_api import MessageInfo

from .models import Chat
from .models import Integration
from .models import SyncRun

# Sent when a school's first successful sync ends; `school_id` is the only argument. A receiver that queues work
# queues it on commit (the run's rows may not be committed yet).
history_ready = Signal()
# Sent when any sync of a school ends ok or held (its rows are stored); `school_id` is the only argument. The
# reports layer refreshes the school's stored summary then, so the overviews show the synced figures.
sync_succeeded = Signal()

_SUCCESS = (SyncRun.Status.OK, SyncRun.Status.HELD)


def chat_history_mark(*, chat: Chat, infos: list[MessageInfo], since: datetime | None) -> list[str]:
    """Set the chat's horizon when this is its first read; return the names of the fields set (or none).

    Call with the chat as it was before the read (its cursor not moved yet). A chat read before keeps its
    horizon: later reads go on from its cursor, so nothing after the horizon is ever missed.
    """
    if chat.cursor is not None or chat.history_from is not None or chat.history_from_start:
        return []
    if since is not None:
        chat.history_from = since
    else:
        chat.history_from_start = True
        chat.history_from = min((info.sent_at for info in infos), default=None)
    return ["history_from", "history_from_start"]


def history_horizon(chats: Iterable[Chat]) -> datetime | None:
    """Return the school's horizon from its readable chats (see the module's rules); None sets no bound."""
    bounded: list[datetime] = []
    starts: list[datetime] = []
    for chat in chats:
        if chat.history_from is None:
            continue
        (starts if chat.history_from_start else bounded).append(chat.history_from)
    if bounded:
        return max(bounded)
    return min(starts, default=None)


def school_history_record(*, school: School, chats: Iterable[Chat], skipped: Iterable[dict]) -> datetime | None:
    """Store on the school's integration the horizon of the chats a sync read; return it.

    `skipped` is the sync's list of chats without access ({"chat": platform id, ...}); they are left out.
    """
    left_out = {item["chat"] for item in skipped}
    horizon = history_horizon(chat for chat in chats if chat.platform_id not in left_out)
    Integration.objects.filter(school=school).update(history_from=horizon)
    return horizon


def history_first_sync_notify(*, school: School, run: SyncRun) -> bool:
    """Send `sync_succeeded` when `run` ended ok or held, and `history_ready` too when it is the school's first
    such sync; return whether `history_ready` was sent."""
    if run.status not in _SUCCESS:
        return False
    sync_succeeded.send(sender=School, school_id=school.pk)
    if SyncRun.objects.filter(school=school, status__in=_SUCCESS).exclude(pk=run.pk).exists():
        return False
    history_ready.send(sender=School, school_id=school.pk)
    return True


def history_horizons(*, school_ids: Collection[int]) -> dict[int, datetime]:
    """Return {school id: horizon} for the schools whose integration recorded one (one query)."""
    return dict(
        Integration.objects.filter(school_id__in=list(school_ids), history_from__isnull=False)
        .order_by()
        .values_list("school_id", "history_from")
    )

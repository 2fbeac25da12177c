"""The weekly job's marks of each stored message, kept when messages are stored (README, "Scale").

A teacher's week is flagged when half their counted messages are emoji-only, near-duplicates or in bursts. The
two marks that depend on other messages are computed here, once, when messages arrive, so the Monday job only
sums them like a plain count (issue 13: within 1.5× of one `INSERT … SELECT … GROUP BY`). Both are taken per
author account, among its messages that can count (a user message with an author: no bot, no service event)
in one school's chats, within one week of the school's time zone:

- in a burst: in the author's time order, one of the runs of BURST_SIZE consecutive messages that contain it
  spans at most BURST_SPAN;
- near-duplicate: another of those messages has its (non-empty) keyed text hash.

A message is stored unmarked (NULL, found through a partial index). `message_marks_refresh` marks a school's
unmarked messages and marks again every message whose marks they may change: the same author's in the same
weeks. So chats and pages may arrive in any order and the marks end as if computed at once. A bot message or
a service event is marked neither. A change of the school's time zone moves its weeks: `message_marks_clear`
unmarks the school's messages, and the next refresh marks them again.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from django.db import connection
from django.db import transaction

from classes.models import School

from .models import Chat
from .models import Message

BURST_SIZE = 3
BURST_SPAN = timedelta(minutes=2)
# The namespace of the advisory lock that marks one school at a time (PostgreSQL): "mark" in ASCII.
MARKS_LOCK = 0x6D61726B
# The reach of a week around a message: its week lies within a week before and after it.
WEEK = timedelta(days=7)


def _name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def datetime_plus(column: str, delta: timedelta) -> str:
    """Return SQL for the datetime `column` plus `delta` (may be negative), as Django writes it on each database."""
    if connection.vendor == "postgresql":
        return f"({column} + INTERVAL '{int(delta.total_seconds())} seconds')"
    # SQLite stores datetimes as text; Django's own function adds microseconds and keeps its text format.
    return f"django_format_dtdelta('+', {column}, {delta // timedelta(microseconds=1)})"


def _week(column: str) -> str:
    """Return SQL for the local Monday 00:00 of the week of `column` in the zone of the first parameter."""
    if connection.vendor == "postgresql":
        return f"date_trunc('week', {column} AT TIME ZONE %(zone)s)"
    return f"django_datetime_trunc('week', {column}, %(zone)s, %(connection_zone)s)"


def countable(alias: str) -> str:
    """Return SQL true for the messages that can count for their author (no bot, no service event)."""
    return f"{alias}.author_id IS NOT NULL AND NOT {alias}.from_bot AND {alias}.kind <> %(service)s"


def burst_runs(*, window: str) -> str:
    """Return SQL true when one of the runs of BURST_SIZE consecutive messages containing the row spans BURST_SPAN.

    LAG and LEAD of `window` (the author's messages in time order). Ties in sent_at need no tie-break: "one of
    BURST_SIZE messages within BURST_SPAN" does not depend on the order of messages sent at the same instant.
    """

    def at(offset: int) -> str:
        if offset == 0:
            return "sent_at"
        function = "LEAD" if offset > 0 else "LAG"
        return f"{function}(sent_at, {abs(offset)}) OVER {window}"

    return " OR ".join(
        f"{at(BURST_SIZE - 1 - before)} <= {datetime_plus(at(-before), BURST_SPAN)}" for before in range(BURST_SIZE)
    )


def _mark_sql() -> str:
    """Return the statement that marks a school's unmarked countable messages and the rest of their weeks."""
    table, chats = _name(Message), _name(Chat)
    marks = "(PARTITION BY author_id, week ORDER BY sent_at)"
    # Only rows whose marks change are written: an hourly sync re-marks its authors' weeks, and most stay.
    changed = (
        f"({table}.burst_mark IS DISTINCT FROM marked.burst "
        f"OR {table}.duplicate_mark IS DISTINCT FROM marked.duplicate)"
    )
    # The statement starts with UPDATE (its WITH inside): Python's sqlite3 counts rows only of statements that do.
    return (
        f"UPDATE {table} SET burst_mark = marked.burst, duplicate_mark = marked.duplicate FROM ("  # noqa: S608
        "WITH pending AS ("  # table names from _meta; every value is a parameter
        f"SELECT m.author_id AS author_id, MIN(m.sent_at) AS lo, MAX(m.sent_at) AS hi FROM {table} m "
        f"JOIN {chats} c ON c.id = m.chat_id WHERE c.school_id = %(school)s AND m.burst_mark IS NULL "
        f"AND {countable('m')} GROUP BY m.author_id), "
        "near AS ("
        f"SELECT m.id AS id, m.sent_at AS sent_at, m.author_id AS author_id, m.text_hash AS text_hash, "
        f"{_week('m.sent_at')} AS week, {_week('p.lo')} AS first_week, {_week('p.hi')} AS last_week "
        # Each author's messages by the (author, sent_at) index, each one's chat by its key: a join of the
        # school's chats instead made the planner try every chat for every author.
        f"FROM pending p JOIN {table} m ON m.author_id = p.author_id "
        f"WHERE (SELECT c.school_id FROM {chats} c WHERE c.id = m.chat_id) = %(school)s AND {countable('m')} "
        f"AND m.sent_at >= {datetime_plus('p.lo', -WEEK)} AND m.sent_at <= {datetime_plus('p.hi', WEEK)}) "
        f"SELECT id, sent_at, CASE WHEN {burst_runs(window=marks)} THEN TRUE ELSE FALSE END AS burst, "
        "CASE WHEN text_hash <> '' AND COUNT(*) OVER (PARTITION BY author_id, week, text_hash) > 1 "
        "THEN TRUE ELSE FALSE END AS duplicate "
        "FROM near WHERE week >= first_week AND week <= last_week) marked "
        f"WHERE {table}.id = marked.id AND {table}.sent_at = marked.sent_at AND {changed}"
    )


def _rest_sql() -> str:
    """Return the statement that marks the school's remaining unmarked messages (bots, service events): neither."""
    table, chats = _name(Message), _name(Chat)
    return (
        f"UPDATE {table} SET burst_mark = FALSE, duplicate_mark = FALSE WHERE burst_mark IS NULL "  # noqa: S608
        f"AND chat_id IN (SELECT id FROM {chats} WHERE school_id = %(school)s)"
    )


def marks_pending_schools(*, school_ids: Collection[int] | None = None) -> list[int]:
    """Return the ids of the schools (of `school_ids`, or all) with unmarked messages (one query)."""
    pending = Message.objects.filter(burst_mark__isnull=True)
    if school_ids is not None:
        pending = pending.filter(chat__school_id__in=list(school_ids))
    return sorted(pending.order_by().values_list("chat__school_id", flat=True).distinct())


def message_marks_refresh(*, school_ids: Collection[int] | None = None) -> int:
    """Mark the unmarked messages of the schools (of `school_ids`, or all); return how many rows were written.

    One query when nothing is unmarked; else, per school with unmarked messages, two statements in one
    transaction (after a lock of the school, and JIT off, on PostgreSQL). Idempotent: a second run writes nothing.
    """
    pending = marks_pending_schools(school_ids=school_ids)
    if not pending:
        return 0
    zones = dict(School.objects.filter(pk__in=pending).values_list("pk", "timezone"))
    mark, rest = _mark_sql(), _rest_sql()
    written = 0
    for school_id in pending:
        params = {
            "school": school_id,
            "zone": zones[school_id],
            "connection_zone": connection.timezone_name,
            "service": Message.Kind.SERVICE.value,
        }
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One marking of a school at a time (its sync's and a weekly job's would update the same rows in
                # different orders: a deadlock); released with the transaction. SQLite writes one at a time anyway.
                # No JIT either: a region's tables make the plan look costly enough to compile it, which takes
                # longer than the statement (JIT of 127 functions per school at region scale).
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), pg_advisory_xact_lock(%s, %s)", [MARKS_LOCK, school_id]
                )
            cursor.execute(mark, params)
            written += max(cursor.rowcount, 0)
            cursor.execute(rest, params)
            written += max(cursor.rowcount, 0)
    return written


def message_marks_clear(*, school_id: int) -> int:
    """Unmark every message of the school (its weeks moved with its time zone); return how many."""
    return Message.objects.filter(chat__school_id=school_id, burst_mark__isnull=False).update(
        burst_mark=None, duplicate_mark=None
    )

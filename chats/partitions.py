"""Month partitions of the message table on PostgreSQL (README, "Message storage on PostgreSQL").

`chats_message` is partitioned by `sent_at`: one partition per calendar month in UTC, named
`chats_message_y2026m09`, and a default partition that takes a message of any month without one (a
chat's history may go back years, a clock may be wrong), so a sync never fails because of a date.
A daily job (`chats.message_partitions_maintain`) creates this month's and the next months' partitions,
moves the default partition's rows into partitions of their own months, and drops the partitions wholly
older than the retention start. On SQLite the table is a plain one and every function here does nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db import transaction

from classes import clock
from classes.services import academic_year_starting_year

logger = logging.getLogger(__name__)

TABLE = "chats_message"
DEFAULT_PARTITION = f"{TABLE}_default"
MONTHS_AHEAD = 3
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
# The academic year starts on 1 September where the clock reaches it first (UTC+14): a partition is
# dropped only when it ends before that, so no school anywhere loses a message of a retained year.
_EARLIEST_OFFSET = timezone(timedelta(hours=14))


def partition_name(month: date) -> str:
    """Return the name of the partition of the month `month` falls in, like `chats_message_y2026m09`."""
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_add(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _moment(month: date) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=UTC)


def _bounds(month: date) -> str:
    low, high = _moment(month), _moment(_month_add(month, 1))
    return f"FROM ('{low:%Y-%m-%d %H:%M:%S}+00') TO ('{high:%Y-%m-%d %H:%M:%S}+00')"


def partitioning_active() -> bool:
    """Return whether the message table is a partitioned one (PostgreSQL after the chats migration 0003)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [TABLE])
        return cursor.fetchone() is not None


def message_partitions() -> dict[date, str]:
    """Return {first day of the month: partition name} of the month partitions (the default one left out).

    Only partitions named like `chats_message_y2026m09` are listed: a partition of any other name is
    somebody's own and never touched here.
    """
    if not partitioning_active():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [name for (name,) in cursor]
    months = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            months[date(int(match[1]), int(match[2]), 1)] = name
    return dict(sorted(months.items()))


def _default_months(cursor) -> set[date]:
    """Return the months (UTC) of the rows the default partition holds."""
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', sent_at AT TIME ZONE 'UTC') FROM \"{DEFAULT_PARTITION}\""  # noqa: S608
    )
    return {row[0].date() for row in cursor}


def _partition_create(cursor, month: date) -> None:
    """Create the month's partition; rows of that month in the default partition move into it.

    PostgreSQL refuses a new partition while the default one holds rows of its range, so those rows move
    into a table of their own first, which is then attached as the partition, in one transaction with the
    default partition locked (nothing lands there meanwhile).
    """
    name = partition_name(month)
    low, high = _moment(month), _moment(_month_add(month, 1))
    cursor.execute(f'LOCK TABLE "{DEFAULT_PARTITION}" IN ACCESS EXCLUSIVE MODE')
    cursor.execute(
        f'SELECT 1 FROM "{DEFAULT_PARTITION}" WHERE sent_at >= %s AND sent_at < %s LIMIT 1',  # noqa: S608
        [low, high],
    )
    if cursor.fetchone() is None:
        cursor.execute(f'CREATE TABLE "{name}" PARTITION OF "{TABLE}" FOR VALUES {_bounds(month)}')
        return
    cursor.execute(f'CREATE TABLE "{name}" (LIKE "{TABLE}" INCLUDING CONSTRAINTS)')  # CHECKs: attach needs them
    cursor.execute(
        f'WITH moved AS (DELETE FROM "{DEFAULT_PARTITION}" WHERE sent_at >= %s AND sent_at < %s RETURNING *) '  # noqa: S608
        f'INSERT INTO "{name}" SELECT * FROM moved',
        [low, high],
    )
    moved = cursor.rowcount
    cursor.execute(f'ALTER TABLE "{TABLE}" ATTACH PARTITION "{name}" FOR VALUES {_bounds(month)}')
    logger.info("Message partition %s created with %d messages moved from the default partition.", name, moved)


def message_partitions_ensure(*, months_ahead: int = MONTHS_AHEAD, today: date | None = None) -> list[str]:
    """Create the partitions of this month and the next `months_ahead` months, and of every month the default
    partition holds messages of (moving them in); return the names created, oldest first.

    Idempotent: an existing partition is left as it is. Does nothing on SQLite.
    """
    if not partitioning_active():
        return []
    today = today or clock.today()
    wanted = {_month_add(_month_start(today), ahead) for ahead in range(months_ahead + 1)}
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        wanted |= _default_months(cursor)
        existing = message_partitions()
        for month in sorted(wanted - set(existing)):
            _partition_create(cursor, month)
            created.append(partition_name(month))
    return created


def retention_start(today: date | None = None) -> datetime:
    """Return the moment from which messages are kept: 1 September of the oldest retained academic year.

    MESSAGE_RETENTION_ACADEMIC_YEARS years are kept, this one included (2: the current and the previous
    one). The moment is 00:00 at UTC+14, where that day starts first, so no time zone loses a retained day.
    """
    years = settings.MESSAGE_RETENTION_ACADEMIC_YEARS
    if years < 1:
        raise ImproperlyConfigured("MESSAGE_RETENTION_ACADEMIC_YEARS must be at least 1 (the current academic year).")
    first_year = academic_year_starting_year(today or clock.today()) - (years - 1)
    return datetime(first_year, 9, 1, tzinfo=_EARLIEST_OFFSET)


def messages_may_be_missing(since: datetime, today: date | None = None) -> bool:
    """Return whether messages sent from `since` on may have been dropped by retention: `since` is before the start
    of the oldest month partition retention keeps, on a partitioned table (SQLite: a plain table, nothing dropped).

    A week that starts then may have lost messages: its stored weekly results are the history and must not be
    recomputed from what is left. The month arithmetic comes first: a recent week costs no catalogue query.
    """
    start = _moment(_month_start(retention_start(today).astimezone(UTC).date()))
    return since < start and partitioning_active()


def message_partitions_expired(today: date | None = None) -> list[str]:
    """Return the month partitions that end before the retention start, oldest first."""
    start = retention_start(today)
    return [name for month, name in message_partitions().items() if _moment(_month_add(month, 1)) <= start]


def message_partitions_drop_expired(*, today: date | None = None, dry_run: bool = False) -> list[str]:
    """Drop the month partitions wholly older than the retention start (their messages with them); return
    their names, oldest first, and log one line saying which (or that none was).

    Whole partitions go at once: no row is deleted one by one. The current month's partition is never among
    them (the retention keeps at least the current academic year). Weekly results (reports.WeeklyActivity)
    are stored apart and stay. With `dry_run`, only logs and returns what would be dropped.
    """
    if not partitioning_active():
        return []
    today = today or clock.today()
    start = retention_start(today)
    expired = message_partitions_expired(today)
    if not dry_run:
        with transaction.atomic(), connection.cursor() as cursor:
            # Check this transaction's deferred foreign keys now: PostgreSQL drops no table with checks pending
            # (only when called inside a transaction that also wrote messages, e.g. a test).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name in expired:
                cursor.execute(f'DROP TABLE "{name}"')
    logger.info(
        "Message partitions %s (messages kept from %s): %s.",
        "that would be dropped" if dry_run else "dropped",
        start.isoformat(),
        ", ".join(expired) or "none",
    )
    return expired

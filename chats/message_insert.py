"""Insert a page of message rows in one statement per chunk, skipping the ones already stored.

The sync stores thousands of messages a second; building a `Message` instance and letting `bulk_create` bind
nine parameters per row costs more than the database's own work. Rows go in as plain tuples instead:

- PostgreSQL: `INSERT ... SELECT * FROM unnest(%s::bigint[], ...)` with one array per column, sent with
  server-side binding (one array parameter per column, whatever the chunk's size);
- other databases (SQLite): `executemany` of a one-row INSERT.

Both end in `ON CONFLICT DO NOTHING` with no conflict target, exactly like `bulk_create(ignore_conflicts=True)`:
it holds whatever the message table's unique key is (`(chat, platform_id)` today, `(chat, platform_id, sent_at)`
on a partitioned table). Return how many rows were inserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

from django.db import DatabaseError
from django.db import connection

from classes.bulk_update import array_literal

from .models import Message

CHUNK_SIZE = 2000


class MessageRow(NamedTuple):
    """One message as the table stores it (the column order of COLUMNS)."""

    chat_id: int
    platform_id: str
    author_id: int | None
    from_bot: bool
    sent_at: datetime
    kind: str
    text_length: int
    emoji_only: bool
    text_hash: str
    attachments: int = 0
    call_duration: int | None = None
    call_participants: int | None = None


COLUMNS = MessageRow._fields
_PG_TYPES = (
    "bigint", "varchar", "bigint", "boolean", "timestamptz", "varchar", "integer", "boolean", "varchar",
    "smallint", "integer", "integer",
)  # fmt: skip
_KINDS = ("int", "text", "int", "bool", "time", "text", "int", "bool", "text", "int", "int", "int")


def _column(name: str) -> str:
    return connection.ops.quote_name(Message._meta.get_field(name).column)


def _insert_sql(values: str) -> str:
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(_column(name) for name in COLUMNS)
    return f"INSERT INTO {table} ({columns}) {values} ON CONFLICT DO NOTHING"


def messages_insert(rows: list[MessageRow]) -> int:
    """Insert the rows (call inside a transaction); rows whose unique key is stored already are skipped."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _insert_postgresql(rows)
    return _insert_generic(rows)


def _insert_postgresql(rows: list[MessageRow]) -> int:
    import psycopg

    arrays = ", ".join(f"%s::{pg_type}[]" for pg_type in _PG_TYPES)
    sql = _insert_sql(f"SELECT * FROM unnest({arrays})")  # noqa: S608 - fixed column types; values bound
    connection.ensure_connection()
    inserted = 0
    # Django's own cursors bind on the client (psycopg's ClientCursor, which would spell out every array in
    # Python); a plain psycopg cursor sends the arrays as parameters. Wrapped like Django's cursors, its
    # queries still pass the execute wrappers and show in the query log (django_assert_num_queries).
    with connection._prepare_cursor(psycopg.Cursor(connection.connection)) as cursor:
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            columns = zip(*chunk, strict=True)
            cursor.execute(sql, [array_literal(column, kind) for column, kind in zip(columns, _KINDS, strict=True)])
            inserted += max(cursor.rowcount, 0)
    return inserted


def _insert_generic(rows: list[MessageRow]) -> int:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = _insert_sql(f"VALUES ({placeholders})")
    adapt = connection.ops.adapt_datetimefield_value
    sent_at = COLUMNS.index("sent_at")
    params = [(*row[:sent_at], adapt(row[sent_at]), *row[sent_at + 1 :]) for row in rows]
    inserted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK_SIZE):
            cursor.executemany(sql, params[start : start + CHUNK_SIZE])
            inserted += max(cursor.rowcount, 0)
    return inserted


@contextmanager
def commits_without_waiting() -> Iterator[None]:
    """Within the block, commits on this connection return before their WAL reaches the disk (PostgreSQL).

    For the sync's many small transactions (one per chat, and its progress): a crash of the database server
    may lose the last few of them, but each is whole (a chat's messages and cursor together) and the next
    sync reads them again; it saves a disk flush per chat. The setting is reset at the end (a failed reset
    is one inside a transaction that fails, whose rollback undoes the setting too).
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except DatabaseError:
            pass

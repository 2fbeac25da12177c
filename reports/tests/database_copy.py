"""A copy of the whole test database, taken once and put back before each test that needs it.

The browser tests seed the demo once per module and restore this copy before every test, so a test that
writes (a departure reported, an invite link created) never sees another test's writes. Re-serialising the
rows through Django (`serialized_rollback`) is slower than seeding again; these copies are page- or
table-level: SQLite's backup API, PostgreSQL's COPY.
"""

from __future__ import annotations

import io
import sqlite3

from django.db import connection
from django.db import transaction
from psycopg import sql

from activation.student_flags import rebuild_sql


class DatabaseCopy:
    """Every table's rows as they are now; `restore()` makes the database hold exactly these rows again."""

    def __init__(self) -> None:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self._sqlite = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(self._sqlite)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Partitions are copied through their partitioned parent (COPY refuses a parent table, so it
                # reads SELECT * FROM it), and restored through the parent too, which routes each row to the
                # partition that holds it now, even one a test created or dropped.
                cursor.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                )
                self._tables = [row[0] for row in cursor.fetchall()]
                self._rows: dict[str, bytes] = {}
                for table in self._tables:
                    buffer = io.BytesIO()
                    statement = sql.SQL("COPY (SELECT * FROM {}) TO STDOUT").format(sql.Identifier(table))
                    with cursor.cursor.copy(statement) as copy:
                        for data in copy:
                            buffer.write(data)
                    self._rows[table] = buffer.getvalue()
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise NotImplementedError(connection.vendor)

    def restore(self) -> None:
        """Replace every row of the database with the copy's (sequences keep counting past the copy's ids)."""
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            self._sqlite.backup(connection.connection)
            return
        quoted = ", ".join(connection.ops.quote_name(table) for table in self._tables)
        # Django's foreign keys on PostgreSQL are deferred: the tables load in any order within one transaction.
        # Triggers set the enrollments' activation flags from rows that may not be loaded yet: they are set again.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {quoted}")
            for table, rows in self._rows.items():
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} FROM STDIN") as copy:
                    copy.write(rows)
            cursor.execute(rebuild_sql())

    def close(self) -> None:
        if connection.vendor == "sqlite":
            self._sqlite.close()

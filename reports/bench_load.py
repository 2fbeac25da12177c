"""Bulk loading for the benchmarks: rows of one model written with COPY on PostgreSQL, executemany elsewhere.

Ids are allocated here (so rows of other tables can point at them before they are written); every column the
caller does not give takes the field's default (or the load's time for `auto_now` fields), once per table.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import DatabaseError
from django.db import connection
from django.db import models
from django.db import transaction
from django.utils import timezone

from activation.student_flags import rebuild_sql

SQLITE_BATCH = 5000


class TableLoad:
    """One model's rows: `ids(n)` reserves ids, `write(rows)` loads tuples of (id, *fields)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        by_name = {field.attname: field for field in meta.concrete_fields}
        given = [meta.pk, *(by_name[name] for name in fields)]
        rest = [field for field in meta.concrete_fields if field not in given]
        now = timezone.now()
        self.fields = [*given, *rest]
        self.constants = tuple(
            now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
            for field in rest
        )
        self.columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(meta.pk.column)}), 0) FROM {self.table}")  # noqa: S608 - names from _meta
            self.next_id = int(cursor.fetchone()[0]) + 1
        self.written = 0

    def ids(self, count: int) -> range:
        """Reserve `count` ids and return them."""
        reserved = range(self.next_id, self.next_id + count)
        self.next_id += count
        return reserved

    def write(self, rows: Iterable[tuple]) -> int:
        """Write rows of (id, *fields); return how many."""
        constants = self.constants
        before = self.written
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row + constants)
                    self.written += 1
        else:
            adapt = [_adapter(field) for field in self.fields]
            sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({', '.join(['%s'] * len(self.fields))})"  # noqa: S608
            batch: list[tuple] = []
            with connection.cursor() as cursor:
                for row in rows:
                    batch.append(tuple(a(value) for a, value in zip(adapt, row + constants, strict=True)))
                    if len(batch) >= SQLITE_BATCH:
                        cursor.executemany(sql, batch)
                        self.written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    self.written += len(batch)
        return self.written - before

    def finish(self) -> None:
        """Move the id sequence past the written ids and refresh the planner's statistics."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)
            cursor.execute(f"ANALYZE {self.table}")


def _adapter(field: models.Field):
    """Return how a value of the field goes to the database outside COPY (SQLite's text dates and datetimes)."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: None if value is None else str(value)
    return lambda value: value


@contextmanager
def bulk_load() -> Iterator[bool]:
    """Run a load in one transaction; on PostgreSQL, without per-row foreign key triggers when the role may.

    The rows are consistent by construction, so the triggers (deferred to the commit, where they check every
    row again) only cost time: `session_replication_role = replica` skips them. A role that may not set it
    (not a superuser) loads with them. Skipping them skips the triggers that keep the enrollments' activation
    flags too (activation.student_flags): those are set once, set-based, at the end of the load. Yields whether
    the triggers were skipped.
    """
    with transaction.atomic():
        skipped = False
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                skipped = True
            except DatabaseError:
                skipped = False
        yield skipped
        if skipped:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
                cursor.execute(rebuild_sql())

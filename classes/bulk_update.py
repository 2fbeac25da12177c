"""Write many rows at a fraction of the ORM's cost: `rows_update` by primary key, `rows_upsert` on a unique key.

`rows_update`: one prepared statement, `UPDATE t SET a = %s, ... WHERE pk = %s`.

Django's `bulk_update` builds a `CASE WHEN pk = ... THEN ...` expression per field and batch, whose Python cost
grows with the rows (about a second for two thousand rows of three fields). `executemany` of one plain UPDATE
sends the same changes at a fraction of that (psycopg pipelines it; SQLite reuses the prepared statement).
Like `bulk_update`, it sends no signals and calls no `save()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import connections
from django.db import models
from django.db import router


def rows_update(objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write the named fields of each object to its row; return how many objects were sent."""
    if not objs:
        return 0
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in targets)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - names from _meta
    params = [
        [*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in targets), obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


# The array literal's element syntax of each kind of column (rows_upsert, chats.message_insert).
_ARRAY_KINDS = {
    "AutoField": "int",
    "BigAutoField": "int",
    "IntegerField": "int",
    "BigIntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveBigIntegerField": "int",
    "PositiveSmallIntegerField": "int",
    "SmallIntegerField": "int",
    "BooleanField": "bool",
    "DateField": "time",
    "DateTimeField": "time",
    "DecimalField": "number",
}


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: Sequence, kind: str) -> str:
    """Return a PostgreSQL array literal ('{1,NULL,"a\\"b"}') of a column's values, for `%s::type[]`.

    psycopg adapts a list element by element in Python; one string per column, cast by the statement, is
    several times cheaper for thousands of rows. Kinds: int, bool, time (date or datetime), number, text.
    """
    if kind == "int":
        items = ["NULL" if value is None else str(int(value)) for value in values]
    elif kind == "bool":
        items = ["NULL" if value is None else "t" if value else "f" for value in values]
    elif kind == "time":
        items = ["NULL" if value is None else _quoted(value.isoformat()) for value in values]
    elif kind == "number":
        items = ["NULL" if value is None else str(Decimal(value)) for value in values]
    else:
        items = ["NULL" if value is None else _quoted(value) for value in values]
    return "{" + ",".join(items) + "}"


UPSERT_CHUNK = 5000


def rows_upsert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
) -> int:
    """Insert the rows (tuples of the named fields' values, foreign keys as ids) or update the named fields of
    the row with the same unique key; return how many rows were sent. What `bulk_create(update_conflicts=True)`
    does without building a model instance and binding every value: on PostgreSQL one `INSERT … SELECT FROM
    unnest(…) ON CONFLICT … DO UPDATE` per chunk of rows, elsewhere an `executemany` of a one-row upsert.
    No signals, no `save()`, no Django field defaults: name every column that has no database default.
    Rows whose unique key repeats within one chunk fail like they do in SQL.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in targets)
    conflict = ", ".join(quote(meta.get_field(name).column) for name in unique_fields)
    updates = ", ".join(
        f"{quote(meta.get_field(name).column)} = EXCLUDED.{quote(meta.get_field(name).column)}"
        for name in update_fields
    )
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        import psycopg

        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in targets)
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608 - names from _meta
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        kinds = [
            _ARRAY_KINDS.get(getattr(field, "target_field", field).get_internal_type(), "text") for field in targets
        ]
        connection.ensure_connection()
        # A plain psycopg cursor binds on the server (see chats.message_insert), wrapped like Django's cursors.
        with connection._prepare_cursor(psycopg.Cursor(connection.connection)) as cursor:
            for start in range(0, len(rows), UPSERT_CHUNK):
                values = zip(*rows[start : start + UPSERT_CHUNK], strict=True)
                cursor.execute(sql, [array_literal(column, kind) for column, kind in zip(values, kinds, strict=True)])
        return len(rows)
    placeholders = ", ".join(["%s"] * len(targets))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - names from _meta
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    params = [
        [field.get_db_prep_save(value, connection) for field, value in zip(targets, row, strict=True)] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)

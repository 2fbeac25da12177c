"""Small helpers of the reports layer's hand-written statements (reports.weekly_store, reports.activation_store).

The statements run on PostgreSQL and SQLite alike: table names come from `_meta`, values are parameters
adapted by the connection, and a date parameter is typed where PostgreSQL needs it.
"""

from __future__ import annotations

from datetime import date
from datetime import datetime

from django.db import connection

# Schools per statement of the reports' stores: a region's 1,500 are one statement, VALUES lists stay bounded beyond.
SCHOOLS_PER_STATEMENT = 2000


def table(model) -> str:
    """Return the model's quoted table name."""
    return connection.ops.quote_name(model._meta.db_table)


def date_placeholder() -> str:
    """Return a date parameter's placeholder: typed on PostgreSQL; plain on SQLite (CAST AS date makes a number)."""
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def date_param(value: date):
    return connection.ops.adapt_datefield_value(value)


def datetime_param(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def execute(cursor, sql: str, params: list) -> None:
    """Run the statements of `sql` (several on PostgreSQL, parameters in the first data statement only).

    Django's psycopg cursors bind on the client and send them in one round trip; with server-side binding
    (the database OPTIONS' `server_side_binding`) each statement goes on its own.
    """
    if not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
        cursor.execute(sql, params)
        return
    for statement in (part.strip() for part in sql.split("; ")):
        cursor.execute(statement, params if "%s" in statement else None)

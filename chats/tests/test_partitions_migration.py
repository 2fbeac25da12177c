"""The migration that partitions the message table keeps every row, id and name, and reverses (PostgreSQL)."""

from datetime import UTC
from datetime import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chats.tests.factories import ChatFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps a plain message table")

BEFORE = [("chats", "0002_sync_run_progress")]
AFTER = [("chats", "0003_message_partitions")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def stored_message(chat, sent_at, *, state, platform_id: str):
    """Store a message with the message model of the migration `state` (later columns do not exist yet)."""
    model = MigrationExecutor(connection).loader.project_state(state).apps.get_model("chats", "Message")
    return model.objects.create(chat_id=chat.pk, platform_id=platform_id, sent_at=sent_at)


def table_layout() -> dict:
    """Return the message table's partitions with their rows' ids, its primary key and its index names."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, id FROM chats_message ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'chats_message_pkey'")
        (key,) = cursor.fetchone()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'chats_message' ORDER BY indexname")
        indexes = [name for (name,) in cursor]
    return {"rows": rows, "key": key, "indexes": indexes}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_existing_messages_into_month_partitions_keeping_their_ids_and_reverses():
    try:
        # given: messages stored before the migration, in two months
        migrate(BEFORE)
        chat = ChatFactory()
        stored = [
            stored_message(chat, moment, state=BEFORE, platform_id=str(n)).pk
            for n, moment in enumerate((datetime(2024, 2, 29, 23, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)))
        ]
        # when
        migrate(AFTER)
        # then: each message is in its month's partition with its id; new ids go on after them
        layout = table_layout()
        assert layout["rows"] == [("chats_message_y2024m02", stored[0]), ("chats_message_y2024m03", stored[1])]
        assert layout["key"] == "PRIMARY KEY (id, sent_at)"
        assert {"message_author_sent", "message_chat_sent", "message_unique_platform_id_sent"} <= set(layout["indexes"])
        later = stored_message(chat, datetime(2024, 3, 2, tzinfo=UTC), state=AFTER, platform_id="later")
        assert later.pk > max(stored)
        # and a platform message is still stored once per chat
        model = type(later)
        assert model.objects.bulk_create(
            [model(chat_id=chat.pk, platform_id=later.platform_id, sent_at=later.sent_at)], ignore_conflicts=True
        )
        assert model.objects.filter(chat_id=chat.pk).count() == 3
        # when: reversed
        migrate(BEFORE)
        # then: a plain table again with the same rows and names
        layout = table_layout()
        assert [row[0] for row in layout["rows"]] == ["chats_message"] * 3
        assert [row[1] for row in layout["rows"]] == [*stored, later.pk]
        assert layout["key"] == "PRIMARY KEY (id)"
        assert {"message_author_sent", "message_chat_sent", "message_unique_platform_id"} <= set(layout["indexes"])
    finally:
        migrate(None)

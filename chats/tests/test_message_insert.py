"""Messages go in as plain rows, stored ones skipped by the table's unique key, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from django.db import connection

from activation.tests.factories import SferumAccountFactory
from chats.message_insert import CHUNK_SIZE
from chats.message_insert import MessageRow
from chats.message_insert import commits_without_waiting
from chats.message_insert import messages_insert
from chats.models import Message
from chats.tests.factories import ChatFactory

pytestmark = pytest.mark.django_db

SENT = datetime(2026, 11, 17, 9, 30, 15, 123000, tzinfo=UTC)


def rows(chat, ids, *, author=None) -> list[MessageRow]:
    return [
        MessageRow(
            chat.pk,
            str(message_id),
            author.pk if author else None,
            author is None,
            SENT + timedelta(minutes=message_id),
            "photo",
            message_id,
            False,
            f"{message_id:064x}",
        )
        for message_id in ids
    ]


def test_rows_are_stored_with_every_field():
    chat = ChatFactory()
    author = SferumAccountFactory(school=chat.school)
    assert messages_insert(rows(chat, [1, 2], author=author)) == 2
    stored = list(Message.objects.order_by("platform_id").values_list(*MessageRow._fields))
    assert stored == [tuple(row) for row in rows(chat, [1, 2], author=author)]


def test_stored_rows_are_skipped_and_not_counted():
    chat, other = ChatFactory(), ChatFactory()
    messages_insert(rows(chat, [1, 2, 3]))
    assert messages_insert(rows(chat, [2, 3, 4, 5]) + rows(other, [2])) == 3
    assert sorted(Message.objects.filter(chat=chat).values_list("platform_id", flat=True)) == ["1", "2", "3", "4", "5"]
    assert Message.objects.filter(chat=other).count() == 1


def test_nothing_to_insert_makes_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert messages_insert([]) == 0


def test_a_chunk_is_one_query_whatever_its_size(django_assert_num_queries):
    chat = ChatFactory()
    with django_assert_num_queries(1):
        messages_insert(rows(chat, range(1, 11)))
    with django_assert_num_queries(1):
        messages_insert(rows(chat, range(11, CHUNK_SIZE + 11)))
    assert Message.objects.count() == CHUNK_SIZE + 10


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_commits_do_not_wait_for_the_disk_within_the_block_only():
    chat = ChatFactory()
    before = synchronous_commit() if connection.vendor == "postgresql" else None
    with commits_without_waiting():
        if before is not None:
            assert synchronous_commit() == "off"
        messages_insert(rows(chat, [1]))
    if before is not None:
        assert synchronous_commit() == before
    assert Message.objects.count() == 1


def test_ids_with_quotes_backslashes_braces_and_null_are_stored_as_they_are():
    chat = ChatFactory()
    odd = ['a"b', "c\\d", "NULL", "{x,y}", " spaced ", ""]
    batch = [row._replace(platform_id=platform_id) for row, platform_id in zip(rows(chat, range(6)), odd, strict=True)]
    assert messages_insert(batch) == 6
    assert sorted(Message.objects.values_list("platform_id", flat=True)) == sorted(odd)

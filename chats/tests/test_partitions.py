"""Messages partitioned by month on PostgreSQL (issue 13, item 4): the daily job, retention, stray dates."""

import logging
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection

from chats import tasks
from chats.checks import message_retention_check
from chats.models import Message
from chats.partitions import DEFAULT_PARTITION
from chats.partitions import message_partitions
from chats.partitions import message_partitions_drop_expired
from chats.partitions import message_partitions_ensure
from chats.partitions import retention_start
from chats.sync import messages_store
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from sferum_api import MessageInfo

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")


def partition_of(message: Message) -> str:
    """Return the name of the partition that holds the message's row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM chats_message WHERE id = %s", [message.pk])
        return cursor.fetchone()[0]


def rows_in(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a fixed test name
        return cursor.fetchone()[0]


def message_at(moment: datetime) -> Message:
    return MessageFactory(sent_at=moment)


# ----- a sync never fails because of a message's date (both vendors) ---------------------------------------


def info(message_id: str, sent_at: datetime) -> MessageInfo:
    return MessageInfo(message_id=message_id, cursor=int(message_id), chat_id="c", sent_at=sent_at, author_id=None)


def test_a_sync_stores_messages_of_any_date_once_each():
    # given: a chat whose history goes back years, and a message from a clock set decades ahead
    chat = ChatFactory()
    page = [info("1", datetime(2009, 3, 2, 8, tzinfo=UTC)), info("2", datetime(2099, 1, 1, tzinfo=UTC))]
    # when: the same page is stored twice
    first = messages_store(chat=chat, infos=page, accounts={})
    second = messages_store(chat=chat, infos=page, accounts={})
    # then
    assert (first, second) == ((2, 0), (0, 2))
    assert sorted(Message.objects.filter(chat=chat).values_list("platform_id", flat=True)) == ["1", "2"]


@on_postgresql
def test_a_message_of_a_month_without_a_partition_lands_in_the_default_partition():
    # when
    message = message_at(datetime(2009, 3, 2, 8, tzinfo=UTC))
    # then
    assert partition_of(message) == DEFAULT_PARTITION


# ----- the daily job creates the coming months' partitions ------------------------------------------------


@on_postgresql
def test_ensure_creates_this_and_the_next_months_partitions_and_a_second_run_creates_nothing():
    # when
    created = message_partitions_ensure(months_ahead=2, today=date(2031, 11, 20))
    again = message_partitions_ensure(months_ahead=2, today=date(2031, 11, 20))
    # then
    assert created == ["chats_message_y2031m11", "chats_message_y2031m12", "chats_message_y2032m01"]
    assert again == []
    assert {date(2031, 11, 1), date(2031, 12, 1), date(2032, 1, 1)} <= set(message_partitions())
    assert partition_of(message_at(datetime(2031, 12, 31, 23, 59, 59, tzinfo=UTC))) == "chats_message_y2031m12"
    assert partition_of(message_at(datetime(2032, 1, 1, tzinfo=UTC))) == "chats_message_y2032m01"


@on_postgresql
def test_a_new_partition_takes_over_its_months_messages_from_the_default_partition():
    # given: messages stored before their month had a partition, one of the month after it
    march = [message_at(datetime(2031, 3, day, 12, tzinfo=UTC)) for day in (1, 31)]
    april = message_at(datetime(2031, 4, 1, tzinfo=UTC))
    # when
    created = message_partitions_ensure(months_ahead=0, today=date(2031, 3, 15))
    # then: March has its partition with both messages (same ids); April's is created from its stray message
    assert created == ["chats_message_y2031m03", "chats_message_y2031m04"]
    assert [partition_of(message) for message in march] == ["chats_message_y2031m03"] * 2
    assert partition_of(april) == "chats_message_y2031m04"
    assert rows_in(DEFAULT_PARTITION) == 0
    assert set(Message.objects.filter(pk__in=[m.pk for m in [*march, april]]).values_list("pk", flat=True)) == {
        m.pk for m in [*march, april]
    }
    # and the moved messages keep their unique key: storing one again adds nothing
    added, duplicates = messages_store(
        chat=march[0].chat, infos=[info(march[0].platform_id, march[0].sent_at)], accounts={}
    )
    assert (added, duplicates) == (0, 1)


# ----- retention drops whole partitions --------------------------------------------------------------------


def test_retention_starts_on_1_september_of_the_previous_academic_year_by_default(settings):
    assert settings.MESSAGE_RETENTION_ACADEMIC_YEARS == 2
    assert retention_start(date(2026, 12, 3)).date() == date(2025, 9, 1)
    assert retention_start(date(2026, 8, 31)).date() == date(2024, 9, 1)
    assert retention_start(date(2026, 9, 1)).date() == date(2025, 9, 1)
    settings.MESSAGE_RETENTION_ACADEMIC_YEARS = 1
    assert retention_start(date(2026, 9, 1)).date() == date(2026, 9, 1)


@on_postgresql
def test_retention_drops_exactly_the_partitions_wholly_older_than_its_start(caplog):
    # given: partitions from June 2025 to January 2026, a message in each
    message_partitions_ensure(months_ahead=7, today=date(2025, 6, 10))
    messages = {
        message.sent_at.month: message
        for message in (message_at(datetime(2025, month, 15, tzinfo=UTC)) for month in (6, 7, 8, 9))
    }
    # when: on 3 December 2026 the current and the previous academic year are kept (from 1 September 2025)
    with caplog.at_level(logging.INFO, logger="chats.partitions"):
        dropped = message_partitions_drop_expired(today=date(2026, 12, 3))
    # then: June and July go; August stays (1 September starts there already in time zones east of UTC)
    assert dropped == ["chats_message_y2025m06", "chats_message_y2025m07"]
    assert not {date(2025, 6, 1), date(2025, 7, 1)} & set(message_partitions())
    assert {date(2025, 8, 1), date(2025, 9, 1), date(2026, 1, 1)} <= set(message_partitions())
    kept = set(Message.objects.values_list("pk", flat=True))
    assert kept == {messages[8].pk, messages[9].pk}
    assert caplog.messages == [
        "Message partitions dropped (messages kept from 2025-09-01T00:00:00+14:00): "
        "chats_message_y2025m06, chats_message_y2025m07."
    ]


@on_postgresql
def test_retention_never_drops_the_current_months_partition(settings):
    # given: one academic year kept, on its very first day
    settings.MESSAGE_RETENTION_ACADEMIC_YEARS = 1
    message_partitions_ensure(months_ahead=0, today=date(2031, 9, 1))
    message_partitions_ensure(months_ahead=0, today=date(2031, 7, 1))
    # when
    dropped = message_partitions_drop_expired(today=date(2031, 9, 1))
    # then
    assert "chats_message_y2031m07" in dropped
    assert "chats_message_y2031m09" not in dropped
    assert date(2031, 9, 1) in message_partitions()


@on_postgresql
def test_a_dry_run_only_says_what_it_would_drop(caplog):
    # given
    message_partitions_ensure(months_ahead=0, today=date(2020, 1, 1))
    # when
    with caplog.at_level(logging.INFO, logger="chats.partitions"):
        would = message_partitions_drop_expired(today=date(2026, 12, 3), dry_run=True)
    # then
    assert "chats_message_y2020m01" in would
    assert date(2020, 1, 1) in message_partitions()
    assert caplog.messages[-1].startswith("Message partitions that would be dropped (messages kept from 2025-09-01")
    assert "chats_message_y2020m01" in caplog.messages[-1]


@on_postgresql
def test_nothing_to_drop_says_so(caplog):
    with caplog.at_level(logging.INFO, logger="chats.partitions"):
        assert message_partitions_drop_expired(today=date(2026, 12, 3)) == []
    assert caplog.messages[-1].endswith(": none.")


# ----- the beat job ------------------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.clock("2026-12-03T10:00:00+03:00")
def test_the_daily_job_files_stray_messages_into_partitions_and_drops_the_expired_ones(clock):
    # given: a message read from a chat's old history (before the retention start), one of last year
    old = message_at(datetime(2019, 5, 10, tzinfo=UTC))
    recent = message_at(datetime(2025, 10, 10, tzinfo=UTC))
    # when
    result = tasks.message_partitions_maintain.delay().get()
    again = tasks.message_partitions_maintain.delay().get()
    # then: both got their month's partition; the old one went with its partition
    assert {"chats_message_y2019m05", "chats_message_y2025m10"} <= set(result["created"])
    assert "chats_message_y2019m05" in result["dropped"]
    assert again == {"created": [], "dropped": []}
    assert list(Message.objects.values_list("pk", flat=True)) == [recent.pk]
    assert partition_of(recent) == "chats_message_y2025m10"
    assert not Message.objects.filter(pk=old.pk).exists()
    assert {date(2026, 12, 1), date(2027, 3, 1)} <= set(message_partitions())


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite keeps a plain message table")
def test_on_sqlite_the_partition_functions_do_nothing():
    message_at(datetime(2009, 3, 2, tzinfo=UTC))
    assert message_partitions_ensure(today=date(2026, 12, 3)) == []
    assert message_partitions_drop_expired(today=date(2030, 12, 3)) == []
    assert tasks.message_partitions_maintain.delay().get() == {"created": [], "dropped": []}
    assert Message.objects.count() == 1


def test_the_job_runs_daily_from_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["chats-message-partitions-maintain"]
    assert entry["task"] == tasks.message_partitions_maintain.name == "chats.message_partitions_maintain"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {40}


def test_the_system_check_refuses_a_retention_that_would_drop_the_current_year(settings):
    assert message_retention_check() == []
    settings.MESSAGE_RETENTION_ACADEMIC_YEARS = 0
    assert [error.id for error in message_retention_check()] == ["chats.E002"]

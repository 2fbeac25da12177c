"""Messages partitioned by month (PostgreSQL, issue 13 item 4): the weekly count reads only the week's month
partitions, and weekly results outlive the messages retention drops."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.tests.factories import SferumAccountFactory
from chats.models import Message
from chats.partitions import message_partitions_drop_expired
from chats.partitions import message_partitions_ensure
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.calendar import week_bounds
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from reports.models import WeeklyActivity
from reports.selectors import teacher_week_messages
from reports.selectors import weekly_activity_compute
from reports.selectors.weekly_activity import counted_messages
from reports.services import weekly_activity_build

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the message table is partitioned on PostgreSQL"),
]

# 31 March – 6 April 2031 in Moscow: [30 March 21:00, 6 April 21:00) UTC, in the March and April partitions.
MONDAY = date(2031, 3, 31)
WEEK_PARTITIONS = {"chats_message_y2031m03", "chats_message_y2031m04"}


def plan_of(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    return json.loads(plan) if isinstance(plan, str) else plan


def message_relations(plan: list) -> set[str]:
    """Return the message tables (partitions, the default one included) the plan reads."""
    found: set[str] = set()

    def walk(node: dict) -> None:
        if node.get("Relation Name", "").startswith("chats_message"):
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


@pytest.fixture
def school_with_months():
    """A Moscow school with a teacher's messages in February to May 2031, each month in its own partition."""
    created = message_partitions_ensure(months_ahead=3, today=date(2031, 2, 1))
    assert WEEK_PARTITIONS <= set(created)
    school = SchoolFactory(timezone="Europe/Moscow")
    staff = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=staff)
    chat = ChatFactory(school=school)
    for month in (2, 3, 4, 5):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2031, month, 20, 9, tzinfo=UTC))
    MessageFactory(chat=chat, author=account, sent_at=datetime(2031, 4, 1, 9, tzinfo=UTC))
    return school, staff


def test_the_counted_messages_of_a_week_read_only_its_months_partitions(school_with_months):
    # given
    school, _staff = school_with_months
    start, end = week_bounds(MONDAY, school.timezone)
    # when
    plan = json.loads(counted_messages(school_ids=[school.pk], start=start, end=end).explain(format="json"))
    # then: neither February, May nor the default partition is read
    assert message_relations(plan) == WEEK_PARTITIONS


def test_every_message_query_of_the_weekly_computation_reads_only_the_weeks_partitions(school_with_months):
    # given
    school, staff = school_with_months
    # when: the week is computed (its message count query, whatever its shape) and the teacher's list is read
    with CaptureQueriesContext(connection) as queries:
        weeks = weekly_activity_compute(schools=[school], week_start=MONDAY)
        listed = list(teacher_week_messages(staff=staff, week_start=MONDAY))
    # then
    assert [teacher.messages for teacher in weeks[school.pk].teachers] == [1]
    assert len(listed) == 1
    message_queries = [query["sql"] for query in queries.captured_queries if "chats_message" in query["sql"]]
    assert len(message_queries) >= 2
    for sql in message_queries:
        assert message_relations(plan_of(sql)) == WEEK_PARTITIONS, sql


@pytest.mark.clock("2026-12-03T10:00:00+03:00")
def test_weekly_results_stay_when_retention_drops_their_messages_and_a_rebuild_keeps_them(clock, settings):
    # given: a teacher's week of November 2024, built while its messages were kept
    settings.MESSAGE_RETENTION_ACADEMIC_YEARS = 4
    message_partitions_ensure(months_ahead=0, today=date(2024, 11, 1))
    school = SchoolFactory(timezone="Europe/Moscow")
    staff = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=staff)
    chat = ChatFactory(school=school)
    for hour in (9, 10, 11):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2024, 11, 12, hour, tzinfo=UTC))
    weekly_activity_build(school=school, week_start=date(2024, 11, 11))
    stored = list(WeeklyActivity.objects.values_list("staff_id", "week_start", "messages", "status"))
    assert stored == [(staff.pk, date(2024, 11, 11), 3, "active")]
    # when: the default retention (this and the previous academic year) drops November 2024, and the week is rebuilt
    settings.MESSAGE_RETENTION_ACADEMIC_YEARS = 2
    assert "chats_message_y2024m11" in message_partitions_drop_expired()
    assert not Message.objects.exists()
    weekly_activity_build(school=school, week_start=date(2024, 11, 11))
    # then: the week's results are the history and stay as they were
    assert list(WeeklyActivity.objects.values_list("staff_id", "week_start", "messages", "status")) == stored

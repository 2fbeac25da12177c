"""The teacher's weekly messages page (reports.views.teacher): eight weeks against the threshold, what counted,
a stored week's flags, and a query count that does not grow with the messages.
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.urls import reverse

from activation.tests.factories import SferumAccountFactory
from activation.tests.scenario import NOW
from activation.tests.scenario import World
from activation.tests.scenario import measure
from activation.tests.scenario import page_get
from activation.tests.scenario import world_build
from chats.models import Chat
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.models import AcademicYear
from classes.models import Staff
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.factories import StaffFactory
from reports.models import WeeklyActivity
from reports.selectors import weekly_activity_compute
from reports.teacher_weeks import teacher_week_rows

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def world() -> World:
    return world_build()


@pytest.fixture
def teacher_messages(world):
    """The teacher wrote 3 messages on Tuesday of 2026-W47 (one emoji-only) and a service event."""
    account = SferumAccountFactory(school=world.school, staff=world.teacher.staff)
    chat = ChatFactory(
        school=world.school, kind=Chat.Kind.PARENTS, title="5А родители", school_class=world.school_class
    )
    for sent_at, emoji_only in (("09:00", False), ("09:30", True), ("10:00", False)):
        hour, minute = map(int, sent_at.split(":"))
        MessageFactory(
            chat=chat, author=account, sent_at=datetime(2026, 11, 17, hour, minute, tzinfo=UTC), emoji_only=emoji_only
        )
    MessageFactory(chat=chat, author=account, kind=Message.Kind.SERVICE, sent_at=datetime(2026, 11, 17, 11, tzinfo=UTC))
    return chat


def test_my_activity_shows_eight_weeks_against_the_threshold(client, world, teacher_messages):
    # when
    response = page_get(client, world.teacher, "teacher-activity")
    # then
    rows = response.context["rows"]
    assert len(rows) == 8
    assert rows[0].week_start == date(2026, 11, 16) and rows[0].current
    assert rows[0].teacher.messages == 3
    assert rows[0].teacher.status == "active"
    assert rows[0].threshold == 3
    assert rows[-1].week_start == date(2026, 9, 28)


def test_my_activity_lists_what_counted_without_any_text(client, world, teacher_messages):
    # when
    response = page_get(client, world.teacher, "teacher-activity")
    # then
    counted = response.context["counted"]
    assert len(counted) == 3  # the service event does not count
    assert {item.chat_title for item in counted} == {"5А родители"}
    assert sum(item.emoji_only for item in counted) == 1
    assert "5А родители" in response.content.decode()


def test_my_activity_reads_a_stored_week_and_shows_its_flags(client, world):
    # given
    WeeklyActivity.objects.create(
        school=world.school,
        staff=world.teacher.staff,
        week_start=date(2026, 11, 9),
        messages=4,
        threshold=3,
        status="active",
        emoji_only_messages=3,
        suspicious=True,
        computed_at=datetime(2026, 11, 16, 3, tzinfo=UTC),
    )
    # when
    client.force_login(world.teacher)
    response = client.get(reverse("teacher-activity"), {"week": "2026-W46"})
    # then
    row = next(row for row in response.context["rows"] if row.week_start == date(2026, 11, 9))
    assert row.stored and row.teacher.messages == 4
    assert row.teacher.flags == ["emoji_only"]
    assert response.context["chosen"].week_start == date(2026, 11, 9)
    assert "3 of 4 messages are emoji-only." in response.content.decode()


def test_my_activity_ignores_a_week_outside_the_list(client, world):
    client.force_login(world.teacher)
    response = client.get(reverse("teacher-activity"), {"week": "2020-W01"})
    assert response.context["chosen"].week_start == date(2026, 11, 16)
    response = client.get(reverse("teacher-activity"), {"week": "nonsense"})
    assert response.status_code == 200


def grow_messages(world, count: int) -> None:
    account = SferumAccountFactory(school=world.school, staff=world.teacher.staff)
    colleague = SferumAccountFactory(school=world.school, staff=StaffFactory(school=world.school))
    chat = ChatFactory(school=world.school)
    for index in range(count):
        for author in (account, colleague):
            MessageFactory(
                chat=chat, author=author, sent_at=datetime(2026, 11, 2 + index % 16, 9, index % 60, tzinfo=UTC)
            )


@pytest.mark.parametrize(("page", "queries"), [("teacher-activity", 19), ("teacher-home", 20)])
def test_my_pages_query_count_does_not_grow_with_my_messages(client, world, django_assert_num_queries, page, queries):
    client.force_login(world.teacher)
    url = reverse(page)
    grow_messages(world, 3)
    measure(client, django_assert_num_queries, url, queries)
    grow_messages(world, 60)
    measure(client, django_assert_num_queries, url, queries)


@pytest.mark.parametrize("year_starts_on", [date(2026, 11, 9), date(2026, 9, 1)])
def test_my_activity_reads_every_live_week_in_a_constant_number_of_queries(
    client, world, django_assert_num_queries, year_starts_on
):
    """Two live weeks or eight, and more teachers in the school: the page's query count stays the same."""
    # given
    AcademicYear.objects.filter(pk=world.school_class.year_id).update(starts_on=year_starts_on)
    grow_messages(world, 3)
    for _index in range(3):
        StaffFactory(school=world.school, teaches=True)
    client.force_login(world.teacher)
    # when / then
    measure(client, django_assert_num_queries, reverse("teacher-activity"), 19)


def test_my_weeks_match_the_schools_weekly_figures(world):
    """Each live week of the teacher is the school's weekly figure for them: bursts and copies stay inside a week."""
    # given: a burst across the night from Sunday to Monday, copies in two weeks, an absent week
    account = SferumAccountFactory(school=world.school, staff=world.teacher.staff)
    chat = ChatFactory(school=world.school)
    moments = [datetime(2026, 11, 8, 20, 59, 10, tzinfo=UTC), datetime(2026, 11, 8, 20, 59, 40, tzinfo=UTC)]
    moments += [datetime(2026, 11, 8, 21, 0, 5, tzinfo=UTC), datetime(2026, 11, 10, 9, tzinfo=UTC)]
    for sent_at in moments:
        MessageFactory(chat=chat, author=account, sent_at=sent_at, text_hash="same")
    StaffAbsenceFactory(staff=world.teacher.staff, starts_on=date(2026, 10, 19), ends_on=date(2026, 10, 23))
    staff = Staff.objects.select_related("school__municipality").get(pk=world.teacher.staff_id)
    # when
    rows = teacher_week_rows(staff=staff, today=date(2026, 11, 19))
    # then
    for row in rows:
        week = weekly_activity_compute(schools=[staff.school], week_start=row.week_start)[staff.school_id]
        expected = next((t for t in week.teachers if t.staff_id == staff.pk), None)
        assert (row.threshold, row.reason, row.teacher) == (week.threshold, week.reason, expected)
    by_week = {row.week_start: row.teacher for row in rows}
    assert (by_week[date(2026, 11, 2)].messages, by_week[date(2026, 11, 2)].bursts) == (2, 0)
    assert (by_week[date(2026, 11, 9)].messages, by_week[date(2026, 11, 9)].duplicates) == (2, 2)
    assert by_week[date(2026, 10, 19)].status == "excused"


def test_my_classes_page_shows_my_week_against_the_threshold_with_the_chart(client, world, teacher_messages):
    # when
    response = page_get(client, world.teacher, "teacher-home")
    # then: this week's count and threshold, above the classes, with the 8-week chart
    week = response.context["week"]
    assert week.current and week.teacher.messages == 3 and week.threshold == 3
    html = response.content.decode()
    assert "3 messages so far, the threshold is 3." in html
    assert html.index('id="my-week-title"') < html.index('class="cards"')
    chart = str(response.context["weeks_chart"])
    assert chart.startswith("<svg") and chart in html
    assert "My messages per week" in chart

"""The teacher's own materials and calls on their activity page: last week's and the quarter's four counts, online
lessons and staff meetings per week, the quarter's log; only their own; "not reported" where the platform is silent."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from django.urls import reverse

from activation.tests.factories import SferumAccountFactory
from activation.tests.scenario import NOW
from activation.tests.scenario import world_build
from chats.materials import attachment_bits
from chats.models import Chat
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.models import AcademicYear
from classes.models import Quarter
from classes.tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def post(chat, author, *kinds, sent_at, **extra):
    return MessageFactory(chat=chat, author=author, sent_at=sent_at, attachments=attachment_bits(kinds), **extra)


@pytest.fixture
def world():
    world = world_build()
    year = AcademicYear.objects.get(pk=world.school_class.year_id)
    Quarter.objects.create(year=year, number=2, starts_on=date(2026, 11, 2), ends_on=date(2026, 12, 27))
    mine = SferumAccountFactory(school=world.school, staff=world.teacher.staff)
    colleague = SferumAccountFactory(school=world.school, staff=StaffFactory(school=world.school, last_name="Чужая"))
    lessons = ChatFactory(
        school=world.school, kind=Chat.Kind.CLASS, title="5А ученики", school_class=world.school_class
    )
    staff_chat = ChatFactory(school=world.school, kind=Chat.Kind.STAFF, title="Учительская")
    last_week = datetime(2026, 11, 10, 9, tzinfo=UTC)  # NOW is Wednesday 18.11: the last complete week is W46
    post(lessons, mine, "document", "photo", sent_at=last_week)
    post(lessons, mine, "video", sent_at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    post(lessons, mine, "call", sent_at=last_week, call_duration=45 * 60, call_participants=24)
    post(staff_chat, mine, "call", sent_at=datetime(2026, 11, 4, 9, tzinfo=UTC))
    post(lessons, colleague, "link", "call", sent_at=last_week)
    return world


def test_my_page_shows_my_counts_my_calls_per_week_and_my_log(client, world):
    # given
    client.force_login(world.teacher)
    # when
    response = client.get(reverse("teacher-activity"))
    # then
    mine = response.context["publications"]
    assert mine.week_materials.as_tuple() == (1, 0, 0, 1)
    assert mine.quarter_materials.as_tuple() == (1, 1, 0, 1)
    weeks = {week.week_start: (week.lessons, week.meetings) for week in mine.call_weeks}
    assert weeks[date(2026, 11, 9)] == (1, 0)
    assert weeks[date(2026, 11, 2)] == (0, 1)
    assert len(mine.materials_log) == 2
    assert sorted((row.call_kind, row.duration, row.participants) for row in mine.calls_log) == [
        ("online lesson", "45 min", "24"),
        ("staff meeting", "not reported by the platform", "not reported by the platform"),
    ]
    text = response.content.decode()
    assert "My materials and calls" in text
    assert "Чужая" not in text


def test_a_teacher_sees_only_their_own(client, world):
    # given: the other teacher of the school has posted nothing
    client.force_login(world.other_teacher)
    # when
    mine = client.get(reverse("teacher-activity")).context["publications"]
    # then
    assert mine.quarter_materials.total == 0
    assert (mine.materials_log, mine.calls_log) == ([], [])
    assert all((week.lessons, week.meetings) == (0, 0) for week in mine.call_weeks)


def test_an_administrator_cannot_open_the_teachers_page(client, world):
    client.force_login(world.school_admin)
    assert client.get(reverse("teacher-activity")).status_code == 403

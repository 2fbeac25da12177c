"""`seed_demo` gives the demo a past: weekly activation snapshots and weekly activity since the year's start."""

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from chats.models import Message
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from sferum_api.simulator import SimulatedSchool

THURSDAY = datetime(2026, 12, 3, 9, tzinfo=UTC)


def test_the_simulator_posts_the_current_week_up_to_today_and_keeps_the_complete_weeks():
    # given: the same school seen on Monday and on the Thursday of the same week
    monday = SimulatedSchool(seed=7, school_index=0, today=date(2026, 11, 30), hash_key=b"k")
    thursday = SimulatedSchool(seed=7, school_index=0, today=date(2026, 12, 3), hash_key=b"k")
    week_start = monday.history_end
    # then: Monday's school has nothing of the week, Thursday's has Monday to Wednesday, and the weeks before
    # are the same messages
    assert all(message.sent_at < week_start for message in monday.messages)
    this_week = [message for message in thursday.messages if message.sent_at >= week_start]
    assert this_week and all(message.sent_at < thursday.messages_end for message in this_week)
    before = [(m.chat_id, m.sent_at, m.author_id, m.kind) for m in thursday.messages if m.sent_at < week_start]
    assert before == [(m.chat_id, m.sent_at, m.author_id, m.kind) for m in monday.messages]


def test_the_simulator_served_as_of_a_moment_shows_only_what_had_happened():
    # given
    school = SimulatedSchool(seed=7, school_index=0, today=date(2026, 12, 3), hash_key=b"k")
    chat = school.students_chat["5А"]
    moment = datetime(2026, 9, 3, 6, tzinfo=UTC)
    # when
    school.as_of = moment
    members = school.list_members(chat.chat_id)
    messages = list(school.iter_messages(chat.chat_id))
    school.as_of = None
    # then
    assert 0 < len(members) < len(school.list_members(chat.chat_id))
    assert all(member.joined_at <= moment for member in members)
    assert all(message.sent_at < moment for message in messages)
    assert len(messages) < len(list(school.iter_messages(chat.chat_id)))


@pytest.mark.slow
@pytest.mark.clock(THURSDAY)
@pytest.mark.django_db
def test_seed_demo_leaves_weekly_snapshots_weekly_activity_and_a_current_week():
    # when
    out = StringIO()
    call_command("seed_demo", "--schools", "1", "--json", stdout=out)
    # then: one municipal snapshot on 1 September, every Monday since, each of the last seven days and today,
    # rising as people joined
    assert json.loads(out.getvalue())["status"] == "ok"
    students = ActivationSnapshot.objects.filter(scope="municipality", group="students").order_by("day")
    days = list(students.values_list("day", flat=True))
    mondays = [date(2026, 9, 7) + timedelta(weeks=n) for n in range(13)]
    last_week = [date(2026, 11, 26) + timedelta(days=n) for n in range(8)]  # Thursday a week ago to today
    assert days == sorted({date(2026, 9, 1), *mondays, *last_week})
    rates = [row.numerator / row.denominator for row in students]
    assert rates == sorted(rates) and rates[0] < 0.5 < 0.85 < rates[-1]
    # the weekly activity of every complete school week since the year's first full week (the autumn holidays
    # keep none)
    weeks = set(WeeklyActivity.objects.values_list("week_start", flat=True))
    assert date(2026, 9, 7) in weeks and date(2026, 11, 23) in weeks and date(2026, 10, 26) not in weeks
    assert len(weeks) == 11
    # and the current week has messages: Monday to Wednesday
    this_week = Message.objects.filter(sent_at__gte=datetime(2026, 11, 29, 21, tzinfo=UTC))
    assert this_week.count() > 100
    # when: seeded again, nothing is added
    counts = (ActivationSnapshot.objects.count(), WeeklyActivity.objects.count(), Message.objects.count())
    call_command("seed_demo", "--schools", "1", stdout=StringIO())
    assert (ActivationSnapshot.objects.count(), WeeklyActivity.objects.count(), Message.objects.count()) == counts

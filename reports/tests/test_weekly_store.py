"""The SQL store of weekly activity (reports.weekly_store) equals the previous Python computation.

Each world is stored by `weekly_activity_store` and compared with `python_rows` (weekly_activity_compute and
the row building it replaced): same teachers, counts, thresholds, statuses, accounts and flags. The demo and a
mixed, random world of several schools in two time zones; run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.tests.factories import SferumAccountFactory
from chats.message_marks import message_marks_clear
from chats.message_marks import message_marks_refresh
from chats.models import Integration
from chats.models import Message
from chats.models import ReportedActivity
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.calendar import last_complete_week
from classes.models import AcademicYear
from classes.models import Holiday
from classes.models import School
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.factories import StaffFactory
from reports.models import WeeklyActivity
from reports.tests.weekly_reference import python_rows
from reports.tests.weekly_reference import stored_rows
from reports.weekly_store import weekly_activity_store

W46, W47, W48 = date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)
STATUSES = {"active", "inactive", "excused"}


def assert_store_equals_python(schools: list[School], week: date) -> dict[int, tuple]:
    weekly_activity_store(schools=schools, week_start=week)
    stored = stored_rows(schools=schools, week_start=week)
    assert stored == python_rows(schools=schools, week_start=week)
    return stored


def mixed_world(seed: int) -> list[School]:
    """Three schools in two time zones: holidays, a short week, absences, reports, a horizon, bots and bursts."""
    rng = random.Random(seed)
    moscow = SchoolFactory(timezone="Europe/Moscow", short_week_scaling=True, activity_threshold=5)
    novosibirsk = SchoolFactory(timezone="Asia/Novosibirsk", activity_threshold=2)
    late = SchoolFactory(timezone="Europe/Moscow")
    schools = [moscow, novosibirsk, late]
    years = {school.pk: AcademicYearFactory(school=school) for school in schools}
    # W47 has two holidays in Moscow (a short week); W48 is a holiday week in Novosibirsk.
    Holiday.objects.create(year=years[moscow.pk], name="h", starts_on=date(2026, 11, 17), ends_on=date(2026, 11, 18))
    Holiday.objects.create(
        year=years[novosibirsk.pk], name="h", starts_on=date(2026, 11, 21), ends_on=date(2026, 11, 29)
    )
    # The third school's history starts in the middle of W46: that week is not evaluated there.
    Integration.objects.create(school=late, backend="vk", history_from=datetime(2026, 11, 11, 5, tzinfo=UTC))
    accounts_by_school = {}
    for school in schools:
        chats = [ChatFactory(school=school) for _ in range(3)]
        accounts = []
        for index in range(12):
            employed_from = rng.choice([date(2020, 9, 1), date(2026, 11, 12), date(2026, 11, 19), date(2026, 12, 1)])
            staff = StaffFactory(
                school=school,
                teaches=rng.random() < 0.8,
                employed_from=employed_from,
                employed_to=rng.choice([None, None, employed_from + timedelta(days=rng.choice([0, 3, 7, 400]))]),
            )
            if rng.random() < 0.3:
                SchoolClassFactory(
                    school=school,
                    year=years[school.pk],
                    grade=1 + index % 11,
                    letter="АБ"[index // 11],
                    class_teacher=staff,
                )
            for _ in range(rng.choice([0, 1, 1, 1, 2])):  # no account, one, or two (vk and max)
                accounts.append(SferumAccountFactory(school=school, staff=staff))
            if rng.random() < 0.4:
                first = W46 + timedelta(days=rng.randrange(14))
                StaffAbsenceFactory(staff=staff, starts_on=first, ends_on=first + timedelta(days=rng.randrange(8)))
            if rng.random() < 0.15:
                week = rng.choice([W46, W47, W48])
                ReportedActivity.objects.create(school=school, staff=staff, week_start=week, messages=rng.randrange(7))
        others = [SferumAccountFactory(school=school) for _ in range(3)]
        accounts_by_school[school.pk] = (chats, accounts, others)
    for school in schools:
        chats, accounts, others = accounts_by_school[school.pk]
        # Clusters of messages a few seconds to minutes apart make bursts; some land in another school's chat.
        # Bursts are each account's own: an author often writes again (a run), else someone is drawn.
        at = datetime(2026, 11, 8, 18, tzinfo=UTC)
        author = None
        while at < datetime(2026, 11, 30, 20, tzinfo=UTC):
            if author is None or rng.random() < 0.5:
                author = rng.choice(accounts + others) if accounts else rng.choice(others)
            other_chats = accounts_by_school[rng.choice(schools).pk][0]
            MessageFactory(
                chat=rng.choice(chats if rng.random() < 0.9 else other_chats),
                author=author,
                sent_at=at,
                kind=Message.Kind.SERVICE if rng.random() < 0.05 else Message.Kind.TEXT,
                from_bot=rng.random() < 0.05,
                emoji_only=rng.random() < 0.3,
                text_hash=rng.choice(["", "", "a" * 64, "b" * 64, f"{rng.randrange(10**6):064x}"]),
            )
            at += timedelta(seconds=rng.choice([0, 20, 59, 60, 61, 119, 120, 121, 600, 3600, 7 * 3600]))
    return schools


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_a_mixed_world_stores_what_python_computed_every_week(seed):
    # given
    schools = mixed_world(seed)
    for week in (W46, W47, W48):
        # when
        stored = assert_store_equals_python(schools, week)
        # then: the world is not trivial (statuses and flags of every kind occur across the weeks)
        assert stored
    flags = WeeklyActivity.objects.values_list("status", "emoji_only_messages", "duplicate_messages", "burst_messages")
    assert {status for status, *_ in flags} == STATUSES
    assert all(any(row[index] for row in flags) for index in (1, 2, 3))
    assert WeeklyActivity.objects.filter(suspicious=True).exists()


@pytest.mark.django_db
def test_storing_each_school_alone_gives_the_same_rows_as_storing_them_together():
    # given
    schools = mixed_world(3)
    together = assert_store_equals_python(schools, W47)
    WeeklyActivity.objects.all().delete()
    # when
    alone = {}
    for school in schools:
        alone.update(assert_store_equals_python([school], W47))
    # then
    assert alone == together


@pytest.mark.django_db
def test_restoring_after_changes_upserts_and_removes_rows_like_python():
    # given: a stored week, then messages deleted, an absence and a holiday added, a teacher leaves
    schools = mixed_world(4)
    assert_store_equals_python(schools, W47)
    Message.objects.filter(pk__in=list(Message.objects.values_list("pk", flat=True)[::3])).delete()
    for school in schools:  # what deletes messages unmarks the rest (chats.marks_reset)
        message_marks_clear(school_id=school.pk)
    staff = WeeklyActivity.objects.filter(week_start=W47).first().staff
    StaffAbsenceFactory(staff=staff, starts_on=W47, ends_on=W47 + timedelta(days=4))
    rows = WeeklyActivity.objects.filter(week_start=W47, staff__employed_from=date(2020, 9, 1)).exclude(staff=staff)
    gone = rows.first().staff
    gone.employed_to = date(2026, 11, 1)
    gone.save()
    year = AcademicYear.objects.get(school=schools[2])
    Holiday.objects.create(year=year, name="h", starts_on=W47, ends_on=W47 + timedelta(days=4))
    # when / then
    stored = assert_store_equals_python(schools, W47)
    assert gone.pk not in stored
    assert not WeeklyActivity.objects.filter(school=schools[2], week_start=W47).exists()


@pytest.mark.django_db
def test_the_store_runs_the_same_queries_for_a_bigger_world():
    # given
    small = mixed_world(5)[:2]
    big = mixed_world(6)
    for _ in range(20):
        StaffFactory(school=big[0])
    message_marks_refresh()  # as the syncs that stored the messages

    def queries(schools):
        with CaptureQueriesContext(connection) as captured:
            weekly_activity_store(schools=schools, week_start=W47)
        return len(captured.captured_queries)

    # when / then: two zones each time; no query per teacher or per message
    assert queries(small) == queries(big)


def test_the_demo_stores_what_python_computed(demo):
    # given: the seeded demo and its last complete weeks
    schools = list(School.objects.select_related("municipality"))
    last = last_complete_week(date.today())
    for weeks_back in range(4):
        # when / then
        assert assert_store_equals_python(schools, last - timedelta(days=7 * weeks_back))

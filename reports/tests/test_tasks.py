"""Celery beat jobs: the week that ended on Monday 06:00 school time, the daily snapshot at 06:00; idempotent."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings

from activation.tests.factories import SferumAccountFactory
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from reports import tasks
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from sferum_admin.celery import app

pytestmark = pytest.mark.django_db

MONDAY_06_MOSCOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
MONDAY_06_NOVOSIBIRSK = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def active_teacher(school) -> None:
    staff = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=staff)
    chat = ChatFactory(school=school)
    for hours in range(3):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 17, 9 + hours, tzinfo=UTC))


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def test_every_beat_entry_names_a_registered_task_on_a_crontab_with_an_expiry():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
        assert isinstance(entry["schedule"], crontab)
        assert entry["options"]["expires"] > 0


def test_monday_0600_school_time_builds_the_week_that_ended_for_that_school_only(django_capture_on_commit_callbacks):
    # given
    moscow = SchoolFactory(timezone="Europe/Moscow")
    novosibirsk = SchoolFactory(timezone="Asia/Novosibirsk")
    active_teacher(moscow)
    active_teacher(novosibirsk)
    # when
    with time_machine.travel(MONDAY_06_MOSCOW), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.weekly_activity_dispatch()
    # then
    assert queued == 1
    assert list(WeeklyActivity.objects.values_list("school_id", "week_start", "status")) == [
        (moscow.pk, date(2026, 11, 16), "active")
    ]


def test_a_school_further_east_gets_its_week_at_its_own_monday_0600(django_capture_on_commit_callbacks):
    # given
    novosibirsk = SchoolFactory(timezone="Asia/Novosibirsk")
    SchoolFactory(timezone="Europe/Moscow")
    active_teacher(novosibirsk)
    # when: Sunday 23:00 UTC is Monday 06:00 in Novosibirsk and Monday 02:00 in Moscow
    with time_machine.travel(MONDAY_06_NOVOSIBIRSK), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.weekly_activity_dispatch()
    # then
    assert queued == 1
    assert list(WeeklyActivity.objects.values_list("school_id", "week_start")) == [(novosibirsk.pk, date(2026, 11, 16))]


@pytest.mark.parametrize("moment", [MONDAY_06_MOSCOW + timedelta(hours=1), MONDAY_06_MOSCOW + timedelta(days=1)])
def test_outside_monday_0600_nothing_is_queued(moment, django_capture_on_commit_callbacks):
    # given
    active_teacher(SchoolFactory(timezone="Europe/Moscow"))
    # when
    with time_machine.travel(moment), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.weekly_activity_dispatch()
    # then
    assert queued == 0
    assert not WeeklyActivity.objects.exists()


def test_running_the_weekly_job_twice_gives_the_same_rows(django_capture_on_commit_callbacks):
    # given
    active_teacher(SchoolFactory())
    with time_machine.travel(MONDAY_06_MOSCOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.weekly_activity_dispatch()
        first = rows(WeeklyActivity)
        # when
        with django_capture_on_commit_callbacks(execute=True):
            tasks.weekly_activity_dispatch()
    # then
    assert rows(WeeklyActivity) == first
    assert len(first) == 1


def test_the_daily_snapshot_runs_at_0600_per_municipality_and_twice_gives_the_same_rows(
    django_capture_on_commit_callbacks,
):
    # given
    municipality = MunicipalityFactory()
    school = SchoolFactory(municipality=municipality, timezone="Europe/Moscow")
    EnrollmentFactory(school_class__school=school)
    SchoolFactory(timezone="Asia/Novosibirsk")
    with time_machine.travel(MONDAY_06_MOSCOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            queued = tasks.activation_snapshot_dispatch()
        first = rows(ActivationSnapshot)
        # when
        with django_capture_on_commit_callbacks(execute=True):
            tasks.activation_snapshot_dispatch()
    # then
    assert queued == 1
    assert rows(ActivationSnapshot) == first
    assert {(row["scope"], row["day"]) for row in first} == {
        ("municipality", date(2026, 11, 23)),
        ("school", date(2026, 11, 23)),
        ("class", date(2026, 11, 23)),
    }
    assert {row["municipality_id"] for row in first} == {municipality.pk}


def test_a_municipality_follows_the_time_zone_most_of_its_schools_use(django_capture_on_commit_callbacks):
    # given
    municipality = MunicipalityFactory()
    SchoolFactory(municipality=municipality, timezone="Asia/Novosibirsk")
    SchoolFactory(municipality=municipality, timezone="Asia/Novosibirsk")
    SchoolFactory(municipality=municipality, timezone="Europe/Moscow")
    # when
    with time_machine.travel(MONDAY_06_NOVOSIBIRSK), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.activation_snapshot_dispatch()
    # then: Sunday 23:00 UTC is already Monday 23 November there
    assert queued == 1
    assert set(ActivationSnapshot.objects.values_list("day", flat=True)) == {date(2026, 11, 23)}
    assert ActivationSnapshot.objects.filter(scope="school").count() == 9


def test_tasks_return_quietly_when_the_row_is_gone():
    # when / then
    assert tasks.weekly_activity_build(school_id=987654, week="2026-W47") is None
    assert tasks.activation_snapshot_build(municipality_id=987654, day="2026-11-23") is None
    assert tasks.activation_snapshots_build(municipality_ids=[987654], day="2026-11-23") == 0


def test_municipalities_due_at_the_same_hour_go_out_as_one_task_of_one_statement(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given: two municipalities in Moscow's time, one in Novosibirsk's
    first, second = MunicipalityFactory(), MunicipalityFactory()
    for municipality in (first, second):
        EnrollmentFactory(school_class__school=SchoolFactory(municipality=municipality, timezone="Europe/Moscow"))
    SchoolFactory(timezone="Asia/Novosibirsk")
    # when
    with time_machine.travel(MONDAY_06_MOSCOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.activation_snapshot_dispatch()
    # then: one task stored both municipalities, each with its school and class
    assert queued == 1
    stored = ActivationSnapshot.objects.values_list("municipality_id", "scope").distinct()
    assert set(stored) == {(m.pk, scope) for m in (first, second) for scope in ("municipality", "school", "class")}
    # and the task's build is the municipalities, their schools, then one statement (in a savepoint here)
    with django_assert_num_queries(5):
        tasks.activation_snapshots_build(municipality_ids=[first.pk, second.pk], day="2026-11-23")

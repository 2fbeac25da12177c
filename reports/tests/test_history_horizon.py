"""Weeks before the school's message history horizon are "no data", never "inactive" (DESIGN.md, "History horizon");
end to end: a school whose roster is imported today and whose chats' history goes back three weeks."""

from __future__ import annotations

import json
from collections import Counter
from collections import defaultdict
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from activation.models import SferumAccount
from chats.integrations import integration_connect
from chats.models import Integration
from chats.services import school_sync_run
from chats.sync import message_hash_key
from chats.tests.fakes import backend_three_chats
from chats.tests.scenario import school_with_integration
from classes.models import Holiday
from classes.models import User
from classes.roster.importer import roster_import
from classes.services import school_create
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import UserFactory
from reports.models import WeeklyActivity
from reports.summaries import school_summaries_build
from reports.tasks import weekly_history_build
from reports.tests.independent_count import independent_count
from sferum_api.simulator import SimulatedSchool
from sferum_api.testing import MaxServer
from sferum_api.testing import VkServer

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday, 12:00 in Moscow
TODAY = date(2026, 11, 30)
SINCE = date(2026, 11, 9)  # three complete weeks of history: W46, W47, W48
TOKEN = "vk1.a.history-token"

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def metrics(code: str, week: str) -> dict:
    stdout = StringIO()
    call_command("metrics_compute", "--school", code, "--week", week, "--json", stdout=stdout)
    return json.loads(stdout.getvalue())


def school_with_horizon(horizon: datetime | None):
    school = SchoolFactory(code="HOR-1")
    year = AcademicYearFactory(school=school)
    Holiday.objects.create(year=year, name="осенние каникулы", starts_on=date(2026, 10, 26), ends_on=date(2026, 11, 3))
    Integration.objects.create(school=school, backend="vk", history_from=horizon)
    staff = StaffFactory(school=school, employed_from=date(2026, 9, 1))
    return school, staff


# ----- metrics_compute --------------------------------------------------------------------------------------


def test_a_week_before_the_horizon_is_no_history_and_stores_nothing():
    # given: the history begins on Monday 16 November, 00:00 in Moscow
    school, _staff = school_with_horizon(datetime(2026, 11, 16, tzinfo=MOSCOW))
    # when
    before = metrics("HOR-1", "2026-W46")
    first = metrics("HOR-1", "2026-W47")
    # then
    assert (before["evaluated"], before["reason"]) == (False, "no_history")
    assert [t["status"] for t in before["teachers"]] == ["not_evaluated"]
    assert before["active_teachers"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert first["evaluated"] is True and "reason" not in first
    assert [t["status"] for t in first["teachers"]] == ["inactive"]
    stored = set(WeeklyActivity.objects.filter(school=school).values_list("week_start", flat=True))
    assert stored == {date(2026, 11, 16)}


def test_a_week_that_starts_just_before_the_horizon_is_not_evaluated():
    school_with_horizon(datetime(2026, 11, 16, 0, 0, 1, tzinfo=MOSCOW))
    assert metrics("HOR-1", "2026-W47")["reason"] == "no_history"
    assert metrics("HOR-1", "2026-W48")["evaluated"] is True


def test_a_holiday_week_is_no_school_day():
    # given: the autumn holidays cover 26–30 October
    school_with_horizon(None)
    # when
    report = metrics("HOR-1", "2026-W44")
    # then
    assert (report["evaluated"], report["reason"]) == (False, "no_school_day")


def test_without_a_recorded_horizon_every_week_is_evaluated():
    school_with_horizon(None)
    assert metrics("HOR-1", "2026-W38")["evaluated"] is True


def test_the_summary_says_there_is_no_data():
    school_with_horizon(datetime(2026, 11, 16, tzinfo=MOSCOW))
    stdout = StringIO()
    call_command("metrics_compute", "--school", "HOR-1", "--week", "2026-W46", stdout=stdout)
    assert "No data for this week: the school's message history in Sferum begins later" in stdout.getvalue()


# ----- the pages, in Russian --------------------------------------------------------------------------------


def test_the_teacher_page_says_no_data_in_russian_for_weeks_before_the_history(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    school, staff = school_with_horizon(datetime(2026, 11, 23, tzinfo=MOSCOW))
    client.force_login(UserFactory(role=User.Role.TEACHER, school=school, staff=staff))
    # when
    response = client.get(reverse("teacher-activity"))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("нет данных: до начала истории сообщений школы") == 5  # 12 Oct – 16 Nov but W44, the holidays
    assert "не оценивается: нет учебных дней" in page
    assert "За недели до начала истории сообщений школы в Сферуме данных нет" in page


def test_the_dashboard_says_no_data_in_russian_when_last_week_is_before_the_history(client, settings):
    # given: the first sync ran today, since today
    settings.LANGUAGE_CODE = "ru"
    school, _staff = school_with_horizon(datetime(2026, 11, 30, tzinfo=MOSCOW))
    client.force_login(UserFactory(role=User.Role.SCHOOL_ADMIN, school=school))
    # when
    response = client.get(reverse("school-dashboard", kwargs={"school_id": school.pk}))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "Нет данных за неделю 23–29 ноября: история сообщений школы в Сферуме начинается позже." in page
    assert "не было учебных дней" not in page


# ----- end to end: roster imported today, three weeks of history over vk ----------------------------------


def expected_weeks(simulated: SimulatedSchool, school) -> dict[date, Counter]:
    """Return {Monday: Counter(person_id: messages)} from the simulator's own messages, not from stored ones.

    A message counts for the staff member its author's account is linked to; bots and service events never count.
    """
    linked = dict(
        SferumAccount.objects.filter(school=school, staff__isnull=False).values_list(
            "platform_user_id", "staff__person_id"
        )
    )
    since_at = datetime.combine(SINCE, time(0), tzinfo=MOSCOW)
    weeks: dict[date, Counter] = defaultdict(Counter)
    seen = set()
    for message in simulated.messages:
        if message.sent_at < since_at or message.from_bot or message.kind == "service":
            continue
        if (message.chat_id, message.message_id) in seen or message.author_id not in linked:
            continue
        seen.add((message.chat_id, message.message_id))
        day = message.sent_at.astimezone(MOSCOW).date()
        weeks[day - timedelta(days=day.weekday())][linked[message.author_id]] += 1
    return weeks


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["vk", "max"])
def test_a_school_whose_roster_is_imported_today_has_exact_counts_for_its_three_weeks_of_history(platform):
    # given: the roster is imported today (its first), the chats give three weeks of history over the wire
    simulated = SimulatedSchool(seed=11, school_index=1, today=TODAY, hash_key=message_hash_key())
    school, _created = school_create(code="MID-1", name=simulated.school_name)
    assert roster_import(school=school, content=simulated.roster_csv(), filename="r.csv").status == "ok"
    since_at = datetime.combine(SINCE, time(0), tzinfo=MOSCOW)
    server_class = VkServer if platform == "vk" else MaxServer
    with server_class.from_backend(simulated, token=TOKEN, since=since_at) as server:
        chat_ids = [str(chat.chat_id) for chat in server.data.chats] if platform == "max" else None
        integration_connect(school=school, backend=platform, base_url=server.url, token=TOKEN, chat_ids=chat_ids, rps=0)
        # when
        run, _result = school_sync_run(school=school, since=SINCE)
    assert run.status == "ok", run.error
    reports = {week: metrics("MID-1", week) for week in ("2026-W45", "2026-W46", "2026-W47", "2026-W48")}
    # then: the week before the horizon has no data
    assert (reports["2026-W45"]["evaluated"], reports["2026-W45"]["reason"]) == (False, "no_history")
    # and every teacher on the roster is judged in each week since, with exactly the messages they sent
    teachers = {p.person_id for p in simulated.staff if p.teaches or p.class_teacher_of}
    expected = expected_weeks(simulated, school)
    threshold = reports["2026-W46"]["threshold"]
    for week, monday in (
        ("2026-W46", date(2026, 11, 9)),
        ("2026-W47", date(2026, 11, 16)),
        ("2026-W48", SINCE + timedelta(weeks=2)),
    ):
        report = reports[week]
        assert report["evaluated"] is True, week
        counts = {t["person_id"]: t["messages"] for t in report["teachers"]}
        assert set(counts) == teachers, week
        assert counts == {person_id: expected[monday][person_id] for person_id in teachers}, week
        active = sum(1 for count in counts.values() if count >= threshold)
        assert (report["active_teachers"]["numerator"], report["active_teachers"]["denominator"]) == (
            active,
            len(teachers),
        )
        assert 0 < active < len(teachers), week  # a real week: some teachers active, some not
        oracle = independent_count("MID-1", monday, TODAY)
        assert {t["person_id"]: (t["messages"], t["status"]) for t in report["teachers"]} == {
            person_id: (row["messages"], row["status"]) for person_id, row in oracle["teachers"].items()
        }


def test_the_municipal_overview_says_no_data_for_teachers_before_the_history(client, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    school, _staff = school_with_horizon(datetime(2026, 11, 30, tzinfo=MOSCOW))
    school_summaries_build(schools=[school])  # the overview reads the nightly job's stored figures
    client.force_login(UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=school.municipality))
    # when
    page = client.get(reverse("municipal-overview")).content.decode()
    # then
    assert "<small>нет данных</small>" in page
    assert "<small>не оценивается</small>" not in page


# ----- the worker's task ------------------------------------------------------------------------------------


def test_the_first_successful_sync_builds_the_weekly_history_since_the_horizon(django_capture_on_commit_callbacks):
    # given: a teacher of the school since September; three chats with messages from 3, 12 and 20 November
    school = school_with_integration()
    StaffFactory(school=school, employed_from=date(2026, 9, 1))
    backend = backend_three_chats()
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        run, _result = school_sync_run(school=school, backend=backend, since=SINCE)
    built_before_commit = WeeklyActivity.objects.filter(school=school).exists()
    for callback in callbacks:
        callback()
    # then: every complete week since the horizon, nothing earlier, without anyone asking, once committed
    assert run.status == "ok"
    assert not built_before_commit
    weeks = sorted(set(WeeklyActivity.objects.filter(school=school).values_list("week_start", flat=True)))
    assert weeks == [date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_the_history_task_builds_every_complete_week_from_the_first_week_after_the_horizon():
    # given: the history begins on Wednesday 11 November, so that week is not complete in the history
    school, _staff = school_with_horizon(datetime(2026, 11, 11, 8, tzinfo=MOSCOW))
    # when
    built = weekly_history_build.delay(school.pk).get()
    # then
    assert built == 2
    stored = sorted(set(WeeklyActivity.objects.filter(school=school).values_list("week_start", flat=True)))
    assert stored == [date(2026, 11, 16), date(2026, 11, 23)]


def test_without_a_horizon_the_history_task_starts_at_the_academic_year():
    school, _staff = school_with_horizon(None)
    assert weekly_history_build.delay(school.pk).get() == 13  # 31 August to 23 November
    weeks = set(WeeklyActivity.objects.filter(school=school).values_list("week_start", flat=True))
    assert min(weeks) == date(2026, 8, 31) and date(2026, 10, 26) not in weeks  # the holiday week stores nothing


def test_the_history_task_returns_quietly_when_the_school_is_gone():
    assert weekly_history_build.delay(987654).get() is None

"""The stored school summaries: the job computes what the dashboard computes live, idempotently, at 06:00 school
time in chunks; `metrics_compute` stores one too; on the seeded demo they equal a live computation."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine

from chats.materials import attachment_bits
from chats.models import Chat
from chats.publications import publications_of
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes import clock
from classes.calendar import week_bounds
from classes.models import School
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import NOW
from reports import tasks
from reports.models import SchoolSummary
from reports.selectors import school_figures_read
from reports.selectors import school_metrics_compute
from reports.services import metrics_compute
from reports.summaries import school_summaries_build

pytestmark = pytest.mark.django_db
MONDAY_06_MOSCOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def schools_of(*codes: str) -> list[School]:
    return list(School.objects.filter(code__in=codes).select_related("municipality__region").order_by("pk"))


def assert_summary_is_the_live_computation(school: School) -> None:
    """Assert the school's latest stored figures equal `school_metrics_compute` on the same day, figure by figure."""
    stored = school_figures_read(schools=[school])[school.pk]
    live = school_metrics_compute(schools=[school], today=lambda _school: stored.day)[school.pk]
    for group in ("staff", "students", "parents"):
        assert getattr(stored, group) == getattr(live, group), group
    assert stored.below_target == live.below_target
    assert stored.active_teachers == live.active_teachers
    assert (stored.week.week_start, stored.week.reason) == (live.week.week_start, live.week.reason)
    start, end = week_bounds(live.week.week_start, school.tz)
    live_materials = publications_of(school_id=school.pk, start=start, end=end).materials.total
    assert stored.materials_last_week == live_materials


@pytest.mark.clock(NOW)
def test_the_summary_is_what_the_dashboard_computes_and_a_second_run_overwrites_it():
    # given
    municipality = MunicipalityFactory()
    data = school_build(municipality=municipality, classes=2, students=3)
    runs = sync_runs_add(data.school, held=0)
    school = schools_of(data.school.code)[0]
    # when
    first = school_summaries_build(schools=[school])
    again = school_summaries_build(schools=[school])
    # then: one row per school and day, the school's own day, its last sync
    assert len(first) == len(again) == 1
    row = SchoolSummary.objects.get()
    assert (row.day, row.municipality_id, row.last_sync_id) == (clock.today(school.tz), municipality.pk, runs[0].pk)
    assert (row.students_numerator, row.students_denominator) == (2 * 2, 2 * 3)
    assert_summary_is_the_live_computation(school)


@pytest.mark.clock(NOW)
def test_the_materials_of_the_last_week_are_stored_per_school_in_one_batch_across_time_zones():
    # given: two schools of different zones; materials in and around their last complete week (09-15.11)
    first, second = school_build(), school_build()
    School.objects.filter(pk=second.school.pk).update(timezone="Asia/Vladivostok")
    for data, count in ((first, 3), (second, 2)):
        chat = ChatFactory(school=data.school, kind=Chat.Kind.CLASS)
        for number in range(count):
            sent = datetime(2026, 11, 10, 9, number, tzinfo=UTC)
            MessageFactory(chat=chat, sent_at=sent, attachments=attachment_bits(["document", "photo"]))
        bot_sent = datetime(2026, 11, 10, 9, tzinfo=UTC)
        MessageFactory(chat=chat, sent_at=bot_sent, from_bot=True, author=None, attachments=attachment_bits(["video"]))
        # Sunday evening in Moscow, Monday morning in Vladivostok: only the first school's last week
        late = datetime(2026, 11, 15, 20, 30, tzinfo=UTC)
        MessageFactory(chat=chat, sent_at=late, attachments=attachment_bits(["link"]))
    schools = schools_of(first.school.code, second.school.code)
    # when
    school_summaries_build(schools=schools)
    # then
    stored = {row.school_id: row.materials_last_week for row in SchoolSummary.objects.all()}
    assert stored == {first.school.pk: 2 * 3 + 1, second.school.pk: 2 * 2}
    for school in schools:
        assert_summary_is_the_live_computation(school)


@pytest.mark.clock(NOW)
def test_the_change_in_a_week_compares_with_the_summary_of_seven_days_earlier():
    # given
    data = school_build(classes=1, students=2)
    school = schools_of(data.school.code)[0]
    school_summaries_build(schools=[school], day=NOW.date() - timedelta(days=8))  # not seven days: ignored
    school_summaries_build(schools=[school])
    # when
    figures = school_figures_read(schools=[school])[school.pk]
    # then
    assert figures.change("students") is None
    # when: the summary of exactly seven days earlier exists, with another figure
    SchoolSummary.objects.filter(day=NOW.date() - timedelta(days=8)).update(day=NOW.date() - timedelta(days=7))
    SchoolSummary.objects.filter(day=NOW.date() - timedelta(days=7)).update(students_numerator=0)
    figures = school_figures_read(schools=[school])[school.pk]
    # then: 1/2 now, 0/2 then
    assert figures.change("students") == pytest.approx(0.5)


@pytest.mark.clock(NOW)
def test_metrics_compute_stores_the_schools_summary_of_today():
    # given
    data = school_build(classes=1, students=2)
    school = schools_of(data.school.code)[0]
    # when
    metrics_compute(school=school)
    # then
    assert SchoolSummary.objects.filter(school=school, day=clock.today(school.tz)).exists()
    assert_summary_is_the_live_computation(school)


def test_the_dispatch_queues_the_schools_at_0600_their_time_in_chunks(django_capture_on_commit_callbacks, monkeypatch):
    # given: three Moscow schools (in chunks of two) and one in Novosibirsk (10:00 there: not its hour)
    monkeypatch.setattr(tasks, "SUMMARY_CHUNK", 2)
    moscow = [SchoolFactory(timezone="Europe/Moscow") for _number in range(3)]
    SchoolFactory(timezone="Asia/Novosibirsk")
    # when
    with time_machine.travel(MONDAY_06_MOSCOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            queued = tasks.school_summary_dispatch()
        first = list(SchoolSummary.objects.order_by("pk").values())
        with django_capture_on_commit_callbacks(execute=True):
            tasks.school_summary_dispatch()
    # then: two tasks, every Moscow school on its Monday, the same rows twice
    assert queued == 2
    assert {(row["school_id"], row["day"]) for row in first} == {(school.pk, date(2026, 11, 23)) for school in moscow}
    assert list(SchoolSummary.objects.order_by("pk").values()) == first


def test_the_task_skips_a_deleted_school():
    # given
    school = SchoolFactory()
    # when
    built = tasks.school_summaries_build([school.pk, school.pk + 1000], "2026-11-23")
    # then
    assert built == 1
    assert SchoolSummary.objects.get().day == date(2026, 11, 23)


@pytest.mark.slow
def test_on_the_seeded_demo_the_stored_summaries_equal_a_live_computation(demo):
    # given: the demo as seed_demo left it (its summaries of today and of seven days ago)
    schools = list(School.objects.select_related("municipality__region").order_by("pk"))
    assert schools and all(school.summaries.count() == 2 for school in schools)
    # when / then
    for school in schools:
        assert_summary_is_the_live_computation(school)
        figures = school_figures_read(schools=[school])[school.pk]
        assert figures.students.denominator > 0 and figures.active_teachers.denominator > 0
        assert figures.change("students") is not None

"""The life of a sync run: deadlines, dead workers, ending a run by hand, time limits, and no two runs at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection

from chats import tasks
from chats.checks import sync_time_limits_check
from chats.integrations import integration_connect
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Integration
from chats.models import Message
from chats.models import SyncRun
from chats.services import SyncAlreadyRunning
from chats.services import school_sync_run
from chats.sync_runs import process_identity
from chats.tests.fakes import FakeBackend
from chats.tests.fakes import crowded_backend
from classes.models import AuditEntry
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from sferum_admin.celery import app as celery_app
from sferum_api.testing import VkServer
from sferum_api.testing import sample_school
from sferum_api.testing.vk_server import GET_HISTORY

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
SINCE = date(2026, 11, 16)
TOKEN = "vk1.a.TOPSECRET-token-0451"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def small_school(clock):
    school = SchoolFactory()
    SchoolClassFactory(school=school, year=AcademicYearFactory(school=school), grade=5, letter="А")
    return school


@pytest.fixture
def vk_school(small_school):
    school = small_school
    with VkServer(token=TOKEN, data=sample_school()) as server:
        integration_connect(school=school, backend="vk", base_url=server.url, token=TOKEN, rps=0)
        yield school, server


def assert_nothing_half_written(school) -> None:
    """Every chat is either finished (synced, with its cursor) or untouched (no member, message or cursor)."""
    for chat in Chat.objects.filter(school=school, last_synced_at__isnull=True):
        assert chat.cursor is None
        assert not Message.objects.filter(chat=chat).exists()
        assert not ChatMembership.objects.filter(chat=chat).exists()


# ----- a total deadline per platform call, and one for the whole sync (issue 9.9) -----------------------


def test_a_dripping_platform_fails_the_sync_cleanly_at_the_calls_deadline(vk_school, settings):
    # given: each call may take 0.4 s in all; the history answers one byte every 50 ms (~15 s for a page);
    # the sync's own deadline (5 s) ends the test with another message, not a hang, if calls had no deadline
    school, server = vk_school
    settings.SFERUM_HTTP_CALL_DEADLINE = 0.4
    settings.SYNC_DEADLINE_SECONDS = 5.0
    server.drip(0.05, endpoint=GET_HISTORY, times=1000)
    # when
    started = time.monotonic()
    run, result = school_sync_run(school=school, since=SINCE)
    elapsed = time.monotonic() - started
    # then: failed with the adapter's message after about the deadline, and no chat half-written
    assert (run.status, result.status) == ("failed", "failed")
    assert "no complete answer within its 0.4 s deadline" in run.error
    assert elapsed < 2.5
    assert server.count(GET_HISTORY) == 1  # the deadline ends the call: no retry after it
    assert not Message.objects.filter(chat__school=school).exists()
    assert_nothing_half_written(school)
    assert not SyncRun.objects.filter(school=school, status="running").exists()


def test_a_sync_over_http_stops_at_its_own_deadline_even_inside_a_call(vk_school, settings):
    # given: each history call takes 0.4 s (well inside the call's deadline); the whole sync may take 1 s
    school, server = vk_school
    settings.SYNC_DEADLINE_SECONDS = 1.0
    server.slow(0.4, endpoint=GET_HISTORY, times=1000)
    chats = len(server.data.chats)
    # when
    started = time.monotonic()
    run, _result = school_sync_run(school=school, since=SINCE)
    elapsed = time.monotonic() - started
    # then: it ends at its deadline, not after every chat's 0.4 s
    assert run.status == "failed"
    assert "ran out of its time (1 s)" in run.error
    assert elapsed < 1.0 + 0.6
    assert Chat.objects.filter(school=school, last_synced_at__isnull=False).count() < chats
    assert_nothing_half_written(school)


class SlowBackend(FakeBackend):
    """A backend without HTTP whose every chat takes `pause` seconds of the virtual `clock` to read."""

    def __init__(self, pause: float, clock: list[float]):
        super().__init__()
        self.pause = pause
        self.clock = clock

    def iter_messages(self, chat_id, **options):
        self.clock[0] += self.pause
        yield from super().iter_messages(chat_id, **options)


def test_the_sync_deadline_holds_for_a_backend_without_http_and_keeps_the_chats_it_finished(
    small_school, settings, monkeypatch
):
    # given: five chats of 0.2 s each (virtual time), and 0.3 s for the whole sync
    virtual = [1000.0]
    monkeypatch.setattr("chats.sync_runs.monotonic", lambda: virtual[0])
    settings.SYNC_DEADLINE_SECONDS = 0.3
    backend = SlowBackend(pause=0.2, clock=virtual)
    for number in range(5):
        backend.chat(str(number), f"Кружок {number}")
        backend.member(str(number), "1", "Иванов", "Иван", "teacher")
        backend.post(str(number), 10 + number, "1")
    # when
    run, _result = school_sync_run(school=small_school, backend=backend)
    # then: the first chat is written whole, the second (read past the deadline) not at all
    assert run.status == "failed"
    assert "ran out of its time (0.3 s)" in run.error
    assert Chat.objects.filter(school=small_school, last_synced_at__isnull=False).count() == 1
    assert Message.objects.filter(chat__school=small_school).count() == 1
    assert run.counts["messages"]["added"] == 1
    assert_nothing_half_written(small_school)


def test_the_tasks_soft_time_limit_ends_the_run_cleanly_with_a_clear_error(small_school):
    # given: Celery's soft time limit strikes while the second chat is read
    backend = crowded_backend()
    backend.errors[("messages", "2")] = SoftTimeLimitExceeded()
    # when
    run, _result = school_sync_run(school=small_school, backend=backend)
    # then
    assert run.status == "failed"
    assert "ran past its task's time limit" in run.error
    assert_nothing_half_written(small_school)


# ----- a killed run frees its school at once (issue 9.10) -------------------------------------------------


def gone_pid() -> int:
    """Return the id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def running_run(school, **fields) -> SyncRun:
    return SyncRun.objects.create(school=school, backend="simulator", started_at=NOW - timedelta(minutes=3), **fields)


def test_a_run_records_its_worker_and_hard_limit(small_school, settings):
    # when
    run, _result = school_sync_run(school=small_school, backend=crowded_backend())
    # then
    host, pid, process = process_identity()
    assert (run.worker_host, run.worker_pid, run.worker_process) == (host, pid, process)
    assert run.hard_limit_at == NOW + timedelta(seconds=settings.SYNC_TASK_TIME_LIMIT)


def test_a_run_whose_process_is_gone_frees_the_school_at_once(small_school):
    # given: a run started 3 minutes ago on this host, by a process that no longer exists
    dead = running_run(small_school, worker_host=socket.gethostname(), worker_pid=gone_pid(), worker_process="x:1")
    # when
    run, _result = school_sync_run(school=small_school, backend=crowded_backend())
    # then
    dead.refresh_from_db()
    assert dead.status == "failed"
    assert "worker process" in dead.error and "is gone" in dead.error
    assert run.status == "ok"


def test_a_run_whose_process_id_now_belongs_to_another_process_frees_the_school(small_school):
    # given: the run's process id is this process's, but it was recorded for an earlier process
    host, pid, _process = process_identity()
    earlier = running_run(small_school, worker_host=host, worker_pid=pid, worker_process="another-boot:42")
    # when
    run, _result = school_sync_run(school=small_school, backend=crowded_backend())
    # then
    earlier.refresh_from_db()
    assert (earlier.status, run.status) == ("failed", "ok")


def test_a_run_whose_process_lives_keeps_the_school(small_school):
    # given: the run's process is this very process
    host, pid, process = process_identity()
    running_run(small_school, worker_host=host, worker_pid=pid, worker_process=process)
    # when / then
    with pytest.raises(SyncAlreadyRunning, match="already running"):
        school_sync_run(school=small_school, backend=crowded_backend())


def test_a_run_on_another_host_keeps_the_school_until_its_time_passes(small_school):
    # given: another host's run; its process id does not exist here, which says nothing
    running_run(small_school, worker_host="worker-7.example", worker_pid=gone_pid(), worker_process="x:1")
    # when / then
    with pytest.raises(SyncAlreadyRunning):
        school_sync_run(school=small_school, backend=crowded_backend())


# ----- a stale lock is released only after the run's hard limit (issue 10.4) -----------------------------


def test_a_stale_lock_is_not_released_before_the_runs_hard_limit(small_school, settings):
    # given: a run older than the lock timeout whose hard limit has not passed (the limit was longer then)
    settings.SYNC_LOCK_TIMEOUT_MINUTES = 120
    run = SyncRun.objects.create(
        school=small_school,
        backend="simulator",
        started_at=NOW - timedelta(hours=3),
        worker_host="worker-7.example",
        hard_limit_at=NOW + timedelta(minutes=10),
    )
    # when / then: still the school's lock
    with pytest.raises(SyncAlreadyRunning):
        school_sync_run(school=small_school, backend=crowded_backend())
    # when: its hard limit has passed
    SyncRun.objects.filter(pk=run.pk).update(hard_limit_at=NOW - timedelta(seconds=1))
    second, _result = school_sync_run(school=small_school, backend=crowded_backend())
    # then
    run.refresh_from_db()
    assert (run.status, second.status) == ("failed", "ok")


def test_a_lock_within_the_lock_timeout_holds_even_past_the_hard_limit(small_school):
    # given: a run 30 minutes old whose recorded hard limit has passed
    running_run(small_school, worker_host="worker-7.example", hard_limit_at=NOW - timedelta(minutes=1))
    # when / then
    with pytest.raises(SyncAlreadyRunning):
        school_sync_run(school=small_school, backend=crowded_backend())


# ----- time limits on every task (issue 10.4) -------------------------------------------------------------


def project_tasks() -> dict:
    celery_app.loader.import_default_modules()
    return {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}


def test_every_project_task_has_soft_and_hard_time_limits_and_survives_a_lost_worker():
    # given
    found = project_tasks()
    conf = celery_app.conf
    assert {"chats.sync_school", "chats.sync_held_confirm", "reports.weekly_activity_build"} <= set(found)
    # then
    for name, task in found.items():
        soft = task.soft_time_limit or conf.task_soft_time_limit
        hard = task.time_limit or conf.task_time_limit
        assert soft and hard and soft < hard, name
        assert task.acks_late or conf.task_acks_late, name
        assert task.reject_on_worker_lost or conf.task_reject_on_worker_lost, name


def test_the_sync_tasks_are_killed_before_their_lock_can_be_taken_as_stale(settings):
    for name in ("chats.sync_school", "chats.sync_held_confirm"):
        task = project_tasks()[name]
        assert settings.SYNC_DEADLINE_SECONDS < task.soft_time_limit < task.time_limit
        assert task.time_limit < settings.SYNC_LOCK_TIMEOUT_MINUTES * 60
    assert sync_time_limits_check() == []


def test_the_system_check_refuses_limits_in_the_wrong_order(settings):
    settings.SYNC_TASK_TIME_LIMIT = settings.SYNC_LOCK_TIMEOUT_MINUTES * 60 + 1
    errors = sync_time_limits_check()
    assert [error.id for error in errors] == ["chats.E001"]
    assert "SYNC_TASK_TIME_LIMIT" in errors[0].msg


# ----- two sync tasks of one school never write at once (issue 10.4) --------------------------------------


class GatedBackend(FakeBackend):
    """A backend that holds its run inside the listing until the test opens the gate."""

    def __init__(self):
        super().__init__()
        self.inside = threading.Event()
        self.gate = threading.Event()

    def list_chats(self):
        self.inside.set()
        assert self.gate.wait(5)
        yield from super().list_chats()


@pytest.mark.django_db(transaction=True)
def test_a_second_sync_task_of_a_school_exits_already_running_and_writes_nothing(clock):
    # given: a connected school whose first run is inside the platform
    school = SchoolFactory()
    Integration.objects.create(school=school, backend="simulator")
    backend = GatedBackend()
    backend.chat("1", "Педагоги")
    backend.member("1", "100", "Учитель", "Иван", "teacher")
    backend.post("1", 5, "100")
    outcome: dict = {}

    def first_run():
        try:
            outcome["first"] = school_sync_run(school=school, backend=backend)[0].status
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    try:
        assert backend.inside.wait(5)
        # when: the beat's task for the same school arrives meanwhile
        second = tasks.sync_school.delay(school.pk).get()
        # then: it sees the lock and leaves at once, writing nothing
        assert second == "already_running"
        assert SyncRun.objects.filter(school=school).count() == 1
        assert not Chat.objects.filter(school=school).exists()
    finally:
        backend.gate.set()
        thread.join(10)
    assert outcome["first"] == "ok"
    assert Message.objects.filter(chat__school=school).count() == 1


# ----- ending a run by hand ----------------------------------------------------------------------------


class EndedMidway(FakeBackend):
    """A backend during whose second chat an administrator ends the run."""

    def __init__(self, school):
        super().__init__()
        self.school = school

    def iter_messages(self, chat_id, **options):
        if chat_id == "1":
            from chats.sync_runs import sync_run_end
            from classes.tests.factories import UserFactory

            run = SyncRun.objects.get(school=self.school, status="running")
            sync_run_end(run=run, user=UserFactory(username="director"))
        yield from super().iter_messages(chat_id, **options)


def test_a_run_ended_by_hand_stops_before_its_next_chat_and_keeps_the_ending(small_school):
    # given: two chats; the run is ended while the first is read
    backend = EndedMidway(small_school)
    for number in ("1", "2"):
        backend.chat(number, f"Кружок {number}")
        backend.member(number, "7", "Иванов", "Иван", "teacher")
        backend.post(number, int(number), "7")
    # when
    run, result = school_sync_run(school=small_school, backend=backend)
    # then: the first chat is written, the second is not, and the log keeps the administrator's ending
    assert (run.status, result.status) == ("failed", "failed")
    assert "Ended by director" in run.error
    assert Message.objects.filter(chat__school=small_school).count() == 1
    assert AuditEntry.objects.filter(action="sync.run.end", school=small_school).count() == 1
    assert run.counts["messages"]["added"] == 1


def test_process_identity_names_this_process():
    host, pid, process = process_identity()
    assert (host, pid) == (socket.gethostname(), os.getpid())
    assert process == "" or ":" in process

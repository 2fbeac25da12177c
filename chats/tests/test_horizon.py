"""The history horizon (DESIGN.md): per chat on its first read, per school as the latest of its readable chats,
and the signal after the school's first successful sync (the weekly history it then builds is tested in
reports.tests.test_history_horizon)."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from chats.horizon import history_horizon
from chats.horizon import history_ready
from chats.models import Chat
from chats.models import Integration
from chats.services import school_sync_run
from chats.sync import school_sync
from chats.tests.fakes import FakeBackend
from chats.tests.fakes import backend_three_chats
from chats.tests.scenario import school_with_integration
from sferum_api import ChatAccessError
from sferum_api import UnavailableError

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday
SINCE = date(2026, 11, 9)
SINCE_AT = datetime.combine(SINCE, time(0), tzinfo=MOSCOW)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def school():
    return school_with_integration()


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


@pytest.fixture
def backend() -> FakeBackend:
    return backend_three_chats()


def horizon_of(school) -> datetime | None:
    return Integration.objects.get(school=school).history_from


# ----- the rules --------------------------------------------------------------------------------------------


def chat(history_from, from_start=False) -> Chat:
    return Chat(history_from=history_from, history_from_start=from_start)


def test_the_school_horizon_is_the_latest_since_of_its_chats():
    assert history_horizon([chat(at(2)), chat(at(9)), chat(at(5))]) == at(9)


def test_chats_read_from_their_first_message_add_no_later_bound():
    # a chat created after the others (its first message on the 25th) holds every message it ever had
    assert history_horizon([chat(at(9)), chat(at(25), from_start=True)]) == at(9)


def test_when_every_chat_was_read_from_its_first_message_history_begins_at_the_oldest_message():
    assert history_horizon([chat(at(12), from_start=True), chat(at(3), from_start=True)]) == at(3)


def test_chats_without_a_horizon_set_no_bound():
    assert history_horizon([chat(None), chat(None, from_start=True)]) is None
    assert history_horizon([]) is None


# ----- through the sync -------------------------------------------------------------------------------------


def test_a_first_sync_with_since_makes_every_chat_complete_from_that_day(school, backend):
    # when
    result = school_sync(school=school, backend=backend, since=SINCE)
    # then
    assert result.status == "ok"
    chats = Chat.objects.filter(school=school)
    assert {(c.history_from, c.history_from_start) for c in chats} == {(SINCE_AT, False)}
    assert horizon_of(school) == SINCE_AT


def test_a_sync_that_reads_every_chat_to_its_first_message_starts_the_history_at_the_oldest_one(school, backend):
    # when
    school_sync(school=school, backend=backend)
    # then
    assert dict(Chat.objects.values_list("platform_id", "history_from")) == {
        "2000000001": at(3),
        "2000000002": at(12),
        "2000000003": at(20),
    }
    assert set(Chat.objects.values_list("history_from_start", flat=True)) == {True}
    assert horizon_of(school) == at(3)


def test_a_chat_without_access_is_left_out(school, backend):
    # given: the staff chat can be listed but its history is refused
    backend.errors[("messages", "2000000003")] = ChatAccessError("2000000003", "no access (917)")
    # when
    school_sync(school=school, backend=backend, since=SINCE)
    Chat.objects.filter(platform_id="2000000001").update(history_from=at(16))  # as if read with a later since
    backend.errors.clear()
    backend.errors[("messages", "2000000001")] = ChatAccessError("2000000001", "no access (917)")
    school_sync(school=school, backend=backend)
    # then: the chat that refused access in the last run does not bound the history
    assert horizon_of(school) == SINCE_AT


def test_later_syncs_keep_a_chats_horizon_and_a_new_chat_from_its_start_does_not_move_the_schools(school, backend):
    # given
    school_sync(school=school, backend=backend, since=SINCE)
    # when: a chat created later appears, and is read back to its first message
    backend.chat("2000000004", "6Б класс")
    backend.post("2000000004", 41, "100", sent_at=at(27))
    backend.post("2000000001", 13, "100", sent_at=at(28))
    school_sync(school=school, backend=backend)
    # then
    assert Chat.objects.get(platform_id="2000000001").history_from == SINCE_AT
    assert Chat.objects.get(platform_id="2000000004").history_from == at(27)
    assert horizon_of(school) == SINCE_AT


def test_a_chat_first_read_with_a_later_since_moves_the_horizon(school, backend):
    school_sync(school=school, backend=backend, since=SINCE)
    backend.chat("2000000004", "6Б класс")
    backend.post("2000000004", 41, "100", sent_at=at(27))
    school_sync(school=school, backend=backend, since=date(2026, 11, 23))
    assert horizon_of(school) == datetime(2026, 11, 23, tzinfo=MOSCOW)


def test_a_failed_sync_records_no_horizon(school, backend):
    backend.errors[("messages", "2000000002")] = UnavailableError("503")
    result = school_sync(school=school, backend=backend, since=SINCE)
    assert result.status == "failed"
    assert horizon_of(school) is None


def test_only_the_first_successful_sync_sends_history_ready(school, backend, django_capture_on_commit_callbacks):
    # given
    received = []

    def receiver(sender, *, school_id, **kwargs):
        received.append(school_id)

    history_ready.connect(receiver)
    try:
        backend.errors[("messages", "2000000002")] = UnavailableError("503")
        # when: a failed run, the first successful one, then another
        with django_capture_on_commit_callbacks(execute=True):
            failed, _ = school_sync_run(school=school, backend=backend, since=SINCE)
        backend.errors.clear()
        with django_capture_on_commit_callbacks(execute=True):
            first, _ = school_sync_run(school=school, backend=backend, since=SINCE)
        with django_capture_on_commit_callbacks(execute=True):
            second, _ = school_sync_run(school=school, backend=backend)
    finally:
        history_ready.disconnect(receiver)
    # then
    assert (failed.status, first.status, second.status) == ("failed", "ok", "ok")
    assert received == [school.pk]

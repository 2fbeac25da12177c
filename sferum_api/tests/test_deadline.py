"""A total deadline per platform call: a server that drips its answer cannot hold a call past it."""

from __future__ import annotations

import time

import pytest

from sferum_api import DeadlineError
from sferum_api import UnavailableError
from sferum_api.http import RetryPolicy
from sferum_api.testing.vk_server import GET_CONVERSATIONS
from sferum_api.testing.vk_server import GET_HISTORY

DRIP = 0.05  # seconds between bytes: every read gets a byte long before the 2 s per-read timeout
DEADLINE = 0.4


def test_a_dripping_answer_ends_at_the_calls_deadline_with_the_adapters_error(vk_server, make_vk):
    # given: the server sends the answer one byte every 50 ms (its ~300 bytes would take ~15 s)
    vk_server.drip(DRIP, endpoint=GET_CONVERSATIONS, times=10)
    backend = make_vk(deadline=DEADLINE)
    # when
    started = time.monotonic()
    with pytest.raises(DeadlineError, match=r"getConversations: no complete answer within its 0.4 s deadline") as info:
        list(backend.list_chats())
    elapsed = time.monotonic() - started
    # then: the adapter's own error type, after about the deadline, and no retry after it
    assert isinstance(info.value, UnavailableError)
    assert DEADLINE * 0.9 <= elapsed < DEADLINE + 0.5
    assert vk_server.count(GET_CONVERSATIONS) == 1


def test_a_slow_answer_ends_at_the_deadline_not_at_the_per_read_timeout(vk_server, make_vk):
    # given: the first byte comes after 1.5 s, inside the 2 s per-read timeout
    vk_server.slow(1.5, endpoint=GET_CONVERSATIONS)
    backend = make_vk(deadline=DEADLINE)
    # when
    started = time.monotonic()
    with pytest.raises(DeadlineError):
        list(backend.list_chats())
    # then
    assert time.monotonic() - started < DEADLINE + 0.5


def test_the_callers_stop_moment_ends_a_call_without_a_deadline_of_its_own(vk_server, make_vk):
    # given: no per-call deadline, but the caller's run must end in 0.3 s
    vk_server.drip(DRIP, endpoint=GET_HISTORY, times=10)
    backend = make_vk()
    chat_id = next(iter(backend.list_chats())).chat_id
    backend.stop_at(time.monotonic() + 0.3)
    # when
    started = time.monotonic()
    with pytest.raises(DeadlineError, match="the caller's deadline"):
        list(backend.iter_messages(chat_id))
    # then
    assert time.monotonic() - started < 0.8


def test_a_call_within_its_deadline_is_untouched(vk_server, make_vk):
    # given: a 5 s deadline, a server that answers at once
    backend = make_vk(deadline=5.0)
    # when
    chats = list(backend.list_chats())
    # then
    assert chats
    assert all(request.fault is None for request in vk_server.calls())


def test_a_deadline_must_be_positive(make_vk):
    with pytest.raises(ValueError, match="positive"):
        make_vk(deadline=0)


def test_the_max_backend_shares_the_deadline(max_server, make_max):
    # given
    max_server.drip(DRIP, times=100)
    backend = make_max(deadline=DEADLINE)
    # when
    started = time.monotonic()
    with pytest.raises(DeadlineError):
        list(backend.list_chats())
    # then
    assert time.monotonic() - started < DEADLINE + 0.5
    assert max_server.count() == 1


def test_the_deadline_ending_the_last_attempt_is_still_a_deadline_error(vk_server, make_vk):
    # given: a single attempt, cut by the deadline
    vk_server.drip(DRIP, endpoint=GET_CONVERSATIONS)
    backend = make_vk(deadline=DEADLINE, retry=RetryPolicy(max_attempts=1))
    # when / then
    with pytest.raises(DeadlineError, match="deadline"):
        list(backend.list_chats())

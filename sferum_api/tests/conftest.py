"""Fixtures for the adapter's tests: loopback vk/max servers and backends wired to a virtual clock.

A test gets a running server with the sample school (`vk_server`, `max_server`), changes its data or injects
faults (`vk_server.error(6, times=2)`, `max_server.deny_chat(chat_id, 403)`, `vk_server.slow(1.0)` …), and builds
a backend with `make_vk(**overrides)` / `make_max(**overrides)`: no pacing, tiny backoff, 4 attempts, sleeps on
the virtual `clock`. Servers stop and backends close when the test ends.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from collections.abc import Iterator
from typing import TypeVar

import pytest

from sferum_api.http import RetryPolicy
from sferum_api.max import MaxBackend
from sferum_api.testing import FakeClock
from sferum_api.testing import MaxServer
from sferum_api.testing import VkServer
from sferum_api.testing import sample_school
from sferum_api.vk import VkBackend

VK_TOKEN = "vk1.a.SECRET-vk-token-7f3a9c"
MAX_TOKEN = "SECRET-max-token-91bc42"
HASH_KEY = b"test-hash-key"
MAX_CHAT_IDS = (-70000000000001, -70000000000002, -70000000000003)
ATTEMPTS = 4
TEST_RETRY = RetryPolicy(max_attempts=ATTEMPTS, backoff_base=0.001, backoff_cap=0.004)
B = TypeVar("B", VkBackend, MaxBackend)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def vk_server() -> Iterator[VkServer]:
    with VkServer(token=VK_TOKEN, data=sample_school()) as server:
        yield server
    assert not server.errors, server.errors[0]


@pytest.fixture
def max_server() -> Iterator[MaxServer]:
    with MaxServer(token=MAX_TOKEN, data=sample_school(chat_ids=MAX_CHAT_IDS)) as server:
        yield server
    assert not server.errors, server.errors[0]


def backend_maker(backend_class: type[B], clock: FakeClock, **fixed: object) -> Iterator[Callable[..., B]]:
    """Yield a function building backends for tests (no pacing, tiny backoff, the virtual clock); close them after."""
    made: list[B] = []

    def make(**overrides: object) -> B:
        options: dict = {
            "hash_key": HASH_KEY,
            "rps": 0,
            "timeout": 2.0,
            "connect_timeout": 1.0,
            "retry": TEST_RETRY,
            "sleep": clock.sleep,
            "clock": clock.monotonic,
            "rng": random.Random(7),
        }
        backend = backend_class(**(options | fixed | overrides))
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture
def make_vk(vk_server: VkServer, clock: FakeClock) -> Iterator[Callable[..., VkBackend]]:
    yield from backend_maker(VkBackend, clock, base_url=vk_server.url, token=VK_TOKEN)


@pytest.fixture
def make_max(max_server: MaxServer, clock: FakeClock) -> Iterator[Callable[..., MaxBackend]]:
    chat_ids = [str(chat_id) for chat_id in MAX_CHAT_IDS]
    yield from backend_maker(MaxBackend, clock, base_url=max_server.url, token=MAX_TOKEN, chat_ids=chat_ids)

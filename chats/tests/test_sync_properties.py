"""Property-based: whatever body a vk or max endpoint sends, a sync ends `ok` or `failed` with the adapter's message.

Each example serves one generated body (sferum_api/tests/wire_schemas.py) for one endpoint from a loopback server
holding the sample school, the other endpoints answering from the data, and runs a whole sync into a fresh school
inside a rolled-back savepoint. Any exception out of the sync, or a `failed` run whose message is not the
adapter's, is a defect. The examples are fixed (`derandomize=True`) and bounded by the `wire` profile.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from chats.sync import message_hash_key
from chats.sync import school_sync
from classes.tests.factories import SchoolFactory
from sferum_api.http import RetryPolicy
from sferum_api.max import MaxBackend
from sferum_api.testing import FakeClock
from sferum_api.testing import MaxServer
from sferum_api.testing import VkServer
from sferum_api.testing import sample_school
from sferum_api.tests.wire_schemas import SCHEMAS
from sferum_api.tests.wire_schemas import bodies
from sferum_api.vk import VkBackend

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 100  # per endpoint; see settings.register_profile below
settings.register_profile(
    "wire",
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
WIRE = settings.get_profile("wire")

TOKEN = "SECRET-wire-token"
MAX_CHAT_IDS = ("-70000000000001", "-70000000000002", "-70000000000003")
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
ADAPTER_MESSAGES = ("Sferum refused", "Sferum is unavailable", "Sferum rejected", "The sync stopped:")


@pytest.fixture(scope="module")
def vk_server() -> Iterator[VkServer]:
    with VkServer(token=TOKEN, data=sample_school()) as server:
        yield server


@pytest.fixture(scope="module")
def max_server() -> Iterator[MaxServer]:
    with MaxServer(token=TOKEN, data=sample_school(chat_ids=tuple(int(c) for c in MAX_CHAT_IDS))) as server:
        yield server


def backend_options(server) -> dict:
    clock = FakeClock()
    return {
        "base_url": server.url,
        "token": TOKEN,
        "hash_key": message_hash_key(),
        "rps": 0,
        "timeout": 2.0,
        "connect_timeout": 1.0,
        "retry": RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_cap=0.002),
        "sleep": clock.sleep,
        "clock": clock.monotonic,
        "rng": random.Random(7),
    }


def sync_once(backend) -> None:
    """Sync a fresh school from the backend in a savepoint rolled back afterwards; assert how the run ended."""
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        school = SchoolFactory()
        try:
            result = school_sync(school=school, backend=backend)
            # then
            assert result.status in ("ok", "failed"), result.status
            if result.status == "failed":
                assert result.error and result.error.startswith(ADAPTER_MESSAGES), result.error
            json.dumps(result.to_json(school.code, backend.name), ensure_ascii=False).encode("utf-8")
        finally:
            backend.close()
            transaction.set_rollback(True)


def vk_case(server: VkServer, endpoint: str, body) -> None:
    # given
    server.clear()
    server.serve_bodies(endpoint, body)
    # when / then
    sync_once(VkBackend(**backend_options(server)))


def max_case(server: MaxServer, endpoint: str, body) -> None:
    # given
    server.clear()
    server.serve_bodies(endpoint, body)
    # when / then
    sync_once(MaxBackend(chat_ids=MAX_CHAT_IDS, **backend_options(server)))


@WIRE
@pytest.mark.parametrize(
    "endpoint", ["messages.getConversations", "messages.getConversationMembers", "messages.getHistory"]
)
@given(data=st.data())
def test_any_vk_body_ends_the_sync_cleanly(vk_server, endpoint, data):
    vk_case(vk_server, endpoint, data.draw(bodies(endpoint), label="body"))


@WIRE
@pytest.mark.parametrize("endpoint", ["/chats/{chat_id}", "/chats/{chat_id}/members", "/messages"])
@given(data=st.data())
def test_any_max_body_ends_the_sync_cleanly(max_server, endpoint, data):
    max_case(max_server, endpoint, data.draw(bodies(endpoint), label="body"))


def test_every_endpoint_has_a_schema():
    assert len(SCHEMAS) == 6

"""Request pacing shared by workers (Redis), and its in-process fallback."""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time

import pytest
import redis

from chats import rate_limit
from chats.integrations import backend_build
from chats.integrations import integration_connect
from chats.rate_limit import RedisPacer
from chats.rate_limit import pace_key
from chats.rate_limit import request_pacer
from classes.tests.factories import SchoolFactory
from sferum_api.http import Pacer

PACE_REDIS_URL = os.environ.get("PACE_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(PACE_REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not reachable at {PACE_REDIS_URL}")
    keys: list[str] = []
    yield client, keys
    if keys:
        client.delete(*keys)


def test_two_workers_sharing_a_key_keep_one_rate_together(redis_client):
    # given: two pacers ("two workers") on one key at 10 requests a second; their sleeps only record the slot
    client, keys = redis_client
    key = pace_key(backend="vk", token=secrets.token_hex(8))
    keys.append(key)
    slots: list[float] = []

    def pacer() -> RedisPacer:
        return RedisPacer(client, key=key, rps=10, sleep=lambda seconds: slots.append(time.monotonic() + seconds))

    first, second = pacer(), pacer()
    # when: they ask in turn, 20 requests each, without waiting
    for _ in range(20):
        first.wait()
        second.wait()
    # then: the 40 starts they were given are 0.1 s apart, one after another (the first one at once)
    assert len(slots) == 39
    starts = sorted(slots)
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) > 0.095
    assert starts[-1] - starts[0] > 3.7


def test_two_threads_sharing_a_key_take_as_long_as_one_rate_allows(redis_client):
    # given: 2 x 10 requests at 100 a second, really sleeping
    client, keys = redis_client
    key = pace_key(backend="max", token=secrets.token_hex(8))
    keys.append(key)
    starts: list[float] = []

    def worker() -> None:
        pacer = RedisPacer(client, key=key, rps=100)
        for _ in range(10):
            pacer.wait()
            starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: 20 starts span at least 19 intervals (two in-process pacers would have taken half that)
    assert len(starts) == 20
    assert max(starts) - min(starts) >= 0.19 - 0.01


def test_a_pacer_whose_redis_is_gone_paces_in_its_own_process(caplog):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    slept: list[float] = []
    pacer = RedisPacer(unreachable, key="sferum:pace:test", rps=5, sleep=slept.append)
    pacer.wait()
    pacer.wait()
    assert "pacing in this process" in caplog.text
    assert len(slept) == 1
    assert 0.15 < slept[0] <= 0.2


def test_the_key_is_per_token_and_does_not_show_it():
    token = "vk1.a.secret-token-value"
    key = pace_key(backend="vk", token=token)
    assert token not in key and "secret" not in key
    assert key == pace_key(backend="vk", token=token)
    assert key != pace_key(backend="vk", token=token + "2")
    assert key != pace_key(backend="max", token=token)


def test_without_a_redis_url_or_with_pacing_off_the_backend_paces_itself(settings):
    settings.SFERUM_PACE_REDIS_URL = ""
    assert request_pacer(backend="vk", token="t", rps=3) is None
    settings.SFERUM_PACE_REDIS_URL = PACE_REDIS_URL
    assert request_pacer(backend="vk", token="t", rps=0) is None
    assert isinstance(request_pacer(backend="vk", token="t", rps=3), RedisPacer)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "pacer_type"), [("", Pacer), (PACE_REDIS_URL, RedisPacer)])
def test_the_backend_of_an_integration_takes_the_shared_pacer_when_redis_is_set(settings, url, pacer_type):
    settings.SFERUM_PACE_REDIS_URL = url
    school = SchoolFactory()
    integration = integration_connect(school=school, backend="vk", base_url="http://127.0.0.1:9/", token="t0k", rps=3)
    backend = backend_build(integration=integration)
    assert type(backend._http._pacer) is pacer_type
    assert backend._http.rps == 3
    rate_limit._redis_client.cache_clear()

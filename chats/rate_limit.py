"""Request pacing shared by every worker: one "next request not before" moment per token, kept in Redis.

A school's sync paces its requests to the platform at `Integration.rps`. In one process `sferum_api.http.Pacer`
does it; with several Celery workers, two syncs with one token (a second run of one school, or two schools that
share a token) would each keep the rate and together double it. The platforms count per token (VK: per access
token, a few requests a second; MAX: per bot token), so the key is the token's digest, not the school: two
integrations that share a token share its rate.

`RedisPacer.wait()` reserves the next slot atomically (a Lua script reading the server's clock): it returns the
start it may take, `max(now, next)`, and moves `next` one interval past it; the caller sleeps until then. Every
worker's requests with one key thus start at least 1/rps apart, whatever the number of workers.

Without a Redis URL (the demo's filesystem broker, the tests) `request_pacer` returns the in-process `Pacer`;
if Redis cannot be reached during a sync, the pacer says so once in the log and paces in-process.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import cache

import redis
from django.conf import settings
from redis.exceptions import RedisError

from sferum_api.http import Pacer
from sferum_api.http import RequestPacer

logger = logging.getLogger(__name__)

KEY_PREFIX = "sferum:pace:"

# KEYS[1]: the key; ARGV[1]: the interval in microseconds. Returns the microseconds to wait before starting.
_RESERVE = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, next_at)
redis.call('SET', KEYS[1], start + interval, 'PX', math.floor((start + interval - now) / 1000) + 1000)
return start - now
"""


def pace_key(*, backend: str, token: str) -> str:
    """Return the Redis key of a token's pace (a digest: the token itself is never written anywhere)."""
    digest = hashlib.sha256(f"{backend}\0{token}".encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}{backend}:{digest}"


class RedisPacer:
    """Keep the starts of every request made with one key, in any process, at least 1/rps seconds apart."""

    def __init__(self, client, *, key: str, rps: float, sleep: Callable[[float], None] = time.sleep):
        if rps <= 0:
            raise ValueError("rps must be positive.")
        self.rps = rps
        self.key = key
        self._interval_us = max(1, round(1_000_000 / rps))
        self._sleep = sleep
        self._reserve = client.register_script(_RESERVE)
        self._fallback: Pacer | None = None

    def wait(self) -> None:
        """Sleep until this request's reserved slot; pace in-process when Redis cannot be reached."""
        if self._fallback is not None:
            self._fallback.wait()
            return
        try:
            delay_us = int(self._reserve(keys=[self.key], args=[self._interval_us]))
        except (RedisError, OSError) as exc:  # keep syncing at the rate, in this process
            logger.warning("Shared request pacing unavailable (%s); pacing in this process.", type(exc).__name__)
            self._fallback = Pacer(self.rps, clock=time.monotonic, sleep=self._sleep)
            self._fallback.wait()
            return
        if delay_us > 0:
            self._sleep(delay_us / 1_000_000)


@cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def request_pacer(*, backend: str, token: str, rps: float) -> RequestPacer | None:
    """Return the pacer a backend with this token should use, or None for its own in-process one.

    None when pacing is off (rps 0) or no Redis is configured (settings.SFERUM_PACE_REDIS_URL, by default
    REDIS_URL).
    """
    url = getattr(settings, "SFERUM_PACE_REDIS_URL", "")
    if not rps or not url:
        return None
    return RedisPacer(_redis_client(url), key=pace_key(backend=backend, token=token), rps=rps)

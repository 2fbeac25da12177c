"""The shared HTTP client: pacing, bounded full-jitter backoff, what is retried, and redaction of the token."""

from __future__ import annotations

import logging
import random
import traceback
from urllib.parse import quote_plus

import httpx
import pytest

from sferum_api.errors import AuthError
from sferum_api.errors import UnavailableError
from sferum_api.http import HttpClient
from sferum_api.http import Pacer
from sferum_api.http import RetryableResponse
from sferum_api.http import RetryPolicy
from sferum_api.http import redact
from sferum_api.max import MaxBackend
from sferum_api.testing import FakeClock
from sferum_api.types import RequestStats
from sferum_api.vk import VkBackend

TOKEN = "SECRET-token/with+chars=1"


class UpperBound(random.Random):
    """Jitter that always picks the largest delay, to make backoff visible."""

    def uniform(self, a: float, b: float) -> float:
        return b


def make_client(handler, clock: FakeClock, **overrides) -> HttpClient:
    options = {
        "service": "test",
        "base_url": "https://api.example.test",
        "stats": RequestStats(),
        "secrets": (TOKEN,),
        "rps": 0,
        "retry": RetryPolicy(max_attempts=4, backoff_base=0.5, backoff_cap=1.5),
        "sleep": clock.sleep,
        "clock": clock.monotonic,
        "rng": UpperBound(),
        "transport": httpx.MockTransport(handler),
    }
    return HttpClient(**(options | overrides))


def json_ok(response: httpx.Response) -> dict:
    return response.json()


def scripted(*steps):
    """Return a MockTransport handler that plays the steps in order (responses, or exceptions to raise)."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        step = steps[min(len(calls), len(steps) - 1)]
        calls.append(request)
        if isinstance(step, Exception):
            raise step
        return step

    handler.calls = calls
    return handler


def test_backoff_ceiling_doubles_up_to_the_cap():
    # given
    policy = RetryPolicy(max_attempts=8, backoff_base=0.5, backoff_cap=4.0)
    rng = random.Random(3)

    # when
    ceilings = [policy.ceiling(n) for n in range(1, 8)]
    delays = [policy.delay(n, rng) for n in range(1, 8) for _ in range(50)]

    # then
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert all(0.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 100  # jittered, not fixed


def test_retries_then_succeeds_with_backoff_sleeps_and_counts(clock):
    # given
    handler = scripted(
        httpx.Response(503), httpx.Response(502), httpx.Response(429), httpx.Response(200, json={"a": 1})
    )
    client = make_client(handler, clock)

    # when
    result = client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert result == {"a": 1}
    assert client.stats.requests == 4
    assert client.stats.retries == 3
    assert clock.sleeps == [0.5, 1.0, 1.5]  # base, 2 × base, then the cap


def test_gives_up_after_exactly_max_attempts(clock):
    # given
    handler = scripted(httpx.Response(503))
    client = make_client(handler, clock)

    # when
    with pytest.raises(UnavailableError) as caught:
        client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert len(handler.calls) == 4
    assert client.stats.requests == 4
    assert client.stats.retries == 3
    assert "4 attempts" in str(caught.value)
    assert "HTTP 503" in str(caught.value)


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transport_faults_are_retried(clock, fault):
    # given
    client = make_client(scripted(fault, httpx.Response(200, json={"ok": True})), clock)

    # when
    result = client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert result == {"ok": True}
    assert (client.stats.requests, client.stats.retries) == (2, 1)


@pytest.mark.parametrize(
    "fault", [httpx.UnsupportedProtocol("no"), httpx.LocalProtocolError("bad header")], ids=lambda e: type(e).__name__
)
def test_faults_a_retry_cannot_fix_fail_at_once(clock, fault):
    # given
    client = make_client(scripted(fault), clock)

    # when
    with pytest.raises(UnavailableError):
        client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert (client.stats.requests, client.stats.retries) == (1, 0)


def test_retry_after_is_honoured_up_to_the_cap(clock):
    # given
    handler = scripted(
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(429, headers={"Retry-After": "600"}),
        httpx.Response(200, json={}),
    )
    client = make_client(handler, clock, rng=random.Random(1), retry=RetryPolicy(4, backoff_base=0.01, backoff_cap=5))

    # when
    client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert clock.sleeps == [1.0, 5.0]


def test_handler_can_ask_for_a_retry_and_sees_other_statuses(clock):
    # given
    seen = []

    def handle(response: httpx.Response) -> int:
        seen.append(response.status_code)
        if response.status_code == 200 and len(seen) == 1:
            raise RetryableResponse("flood control")
        return response.status_code

    client = make_client(scripted(httpx.Response(200), httpx.Response(404)), clock)

    # when
    status = client.request("GET", "/x", what="x", handle=handle)

    # then
    assert status == 404
    assert seen == [200, 404]
    assert client.stats.retries == 1


def test_pacing_spaces_requests_by_one_over_rps(clock):
    # given
    client = make_client(scripted(httpx.Response(200, json={})), clock, rps=3)

    # when
    for _ in range(7):
        client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert clock.slept == pytest.approx(6 / 3)
    assert clock.slept >= (7 - 1) / 3 - 1e-9


def test_pacing_counts_time_that_already_passed():
    # given
    clock = FakeClock()
    pacer = Pacer(2, clock=clock.monotonic, sleep=clock.sleep)

    # when
    pacer.wait()
    clock.advance(0.2)
    pacer.wait()
    clock.advance(5)
    pacer.wait()

    # then
    assert clock.sleeps == [pytest.approx(0.3)]


def test_rps_zero_never_sleeps(clock):
    # given
    client = make_client(scripted(httpx.Response(200, json={})), clock, rps=0)

    # when
    for _ in range(20):
        client.request("GET", "/x", what="x", handle=json_ok)

    # then
    assert clock.sleeps == []
    assert client.stats.requests == 20


@pytest.mark.parametrize(
    "options",
    [{"rps": -1}, {"base_url": "ftp://api.example.test"}, {"base_url": "api.example.test"}, {"timeout": 0}],
)
def test_bad_settings_are_refused(clock, options):
    with pytest.raises(ValueError):
        make_client(scripted(httpx.Response(200)), clock, **options)


def test_bad_retry_policy_is_refused():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_redact_removes_plain_and_url_encoded_forms():
    text = f"a {TOKEN} b {quote_plus(TOKEN)} c"
    assert TOKEN not in redact(text, [TOKEN])
    assert quote_plus(TOKEN) not in redact(text, [TOKEN])


def _assert_no_token(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    rendered = "".join(traceback.format_exception(exc))
    for form in (TOKEN, quote_plus(TOKEN)):
        assert form not in str(exc)
        assert form not in repr(exc)
        assert form not in rendered
        assert form not in caplog.text


@pytest.mark.parametrize(
    "fault",
    [
        httpx.ConnectError(f"could not reach https://api.example.test/?access_token={quote_plus(TOKEN)}"),
        httpx.ReadError(f"reset while sending {TOKEN}"),
        httpx.UnsupportedProtocol(f"bad url with {TOKEN}"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_token_in_a_transport_error_never_reaches_messages_or_logs(clock, caplog, fault):
    # given
    caplog.set_level(logging.DEBUG)
    client = make_client(scripted(fault), clock)

    # when
    with pytest.raises(UnavailableError) as caught:
        client.request("POST", "/x", what="x", handle=json_ok, data={"access_token": TOKEN})

    # then
    _assert_no_token(caught.value, caplog)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert TOKEN not in repr(client)


def test_token_in_a_handler_error_is_redacted(clock, caplog):
    # given
    caplog.set_level(logging.DEBUG)

    def handle(response: httpx.Response) -> None:
        raise AuthError(f"server echoed {TOKEN}")

    client = make_client(scripted(httpx.Response(200)), clock)

    # when
    with pytest.raises(AuthError) as caught:
        client.request("GET", "/x", what="x", handle=handle)

    # then
    _assert_no_token(caught.value, caplog)
    assert client.stats.requests == 1


@pytest.mark.parametrize("backend_class", [VkBackend, MaxBackend])
@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"token": ""}, "token"), ({"hash_key": b""}, "hash key"), ({"page_size": 0}, "page_size")],
)
def test_a_backend_refuses_missing_or_bad_arguments(backend_class, overrides, message):
    options = {"token": "t", "hash_key": b"k"} | ({"chat_ids": ["1"]} if backend_class is MaxBackend else {})
    with pytest.raises(ValueError, match=message):
        backend_class(**(options | overrides))


def test_each_backend_takes_its_own_defaults():
    with VkBackend(token="t", hash_key=b"k") as vk, MaxBackend(token="t", hash_key=b"k", chat_ids=["2", 1, "2"]) as mx:
        assert (vk._http.base_url, vk._http.rps, vk.page_size) == ("https://api.vk.me", 3.0, 200)
        assert 501 in vk._http.retry_statuses
        assert (mx._http.base_url, mx._http.rps, mx.page_size) == ("https://platform-api2.max.ru", 30.0, 100)
        assert 501 not in mx._http.retry_statuses and 503 in mx._http.retry_statuses
        assert mx.chat_ids == ("2", "1") and mx.skipped_chats == {}
        assert vk.stats is vk._http.stats and mx.stats is mx._http.stats

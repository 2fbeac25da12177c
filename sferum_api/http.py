"""The HTTP client the vk and max backends share: pacing, bounded retries with full-jitter backoff, redaction.

One `HttpClient` (and one `httpx.Client`) per backend instance; not meant to be shared between threads.
A backend passes a response handler to `HttpClient.request`; the handler returns the parsed value, raises
`RetryableResponse` when the service asks to try again later, or raises a `SferumError` that ends the call.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from typing import Protocol
from typing import Self
from typing import TypeVar
from urllib.parse import quote
from urllib.parse import quote_plus
from urllib.parse import urlsplit

import httpx

from .deadline import DeadlineNetwork
from .deadline import deadline_transport
from .errors import DeadlineError
from .errors import SferumError
from .errors import UnavailableError
from .types import RequestStats

logger = logging.getLogger(__name__)

T = TypeVar("T")

REDACTED = "[redacted]"
USER_AGENT = "sferum-admin (school chat statistics)"
# HTTP statuses retried by default: rate limiting and any server error.
RETRY_STATUSES = frozenset({429, *range(500, 600)})


class RetryableResponse(Exception):
    """Raised by a response handler: the service asked to try again later (rate limit, server trouble)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with full jitter: before retry n, sleep uniform(0, min(cap, base * 2**(n-1)))."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1.")
        if self.backoff_base < 0 or self.backoff_cap < 0:
            raise ValueError("backoff_base and backoff_cap must not be negative.")

    def ceiling(self, retry: int) -> float:
        """Return the largest delay before retry number `retry` (1-based)."""
        return min(self.backoff_cap, self.backoff_base * 2 ** min(retry - 1, 62))

    def delay(self, retry: int, rng: random.Random) -> float:
        """Return a full-jitter delay before retry number `retry` (1-based)."""
        return rng.uniform(0.0, self.ceiling(retry))


class RequestPacer(Protocol):
    """Anything that spaces request starts: `wait()` before each request; `rps` for display.

    `Pacer` keeps the spacing in this process; a caller may inject one whose state is shared (chats injects a
    Redis one so that every worker syncing with one token keeps to one rate together).
    """

    rps: float

    def wait(self) -> None: ...


class Pacer:
    """Keep request starts at least 1/rps seconds apart; rps 0 turns pacing off."""

    def __init__(self, rps: float, *, clock: Callable[[], float], sleep: Callable[[float], None]):
        if rps < 0:
            raise ValueError("rps must not be negative.")
        self.rps = rps
        self.interval = 1.0 / rps if rps else 0.0
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Sleep until the next request may start, and note that it starts now."""
        if not self.interval:
            return
        now = self._clock()
        if self._last is not None:
            due = self._last + self.interval
            if now < due:
                self._sleep(due - now)
                now = max(self._clock(), due)
        self._last = now


def redact(text: str, secrets: Iterable[str]) -> str:
    """Return the text with every secret (and its URL-encoded forms) replaced."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, REDACTED)
    return text


def json_body(response: httpx.Response) -> Any:
    """Return the decoded JSON body; a body that is not JSON is a transient fault worth a retry."""
    try:
        return response.json()
    except ValueError:
        raise RetryableResponse(f"HTTP {response.status_code} with a body that is not JSON") from None


@cache
def _tls_context() -> ssl.SSLContext:
    """Return one verifying TLS context for every client (loading the CA bundle per client is slow)."""
    return httpx.create_ssl_context()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class HttpClient:
    """Send requests for one backend: paced, retried on transient faults, counted, never showing the token.

    `timeout` bounds each socket read; `deadline` (seconds, None for none) bounds a whole call, its retries
    included, however slowly the server answers; `stop_at` (a `time.monotonic()` value the caller may set,
    e.g. the end of a sync's own deadline) ends every call at that moment at the latest.
    """

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        stats: RequestStats,
        secrets: Iterable[str] = (),
        rps: float = 0.0,
        pacer: RequestPacer | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        retry_statuses: Iterable[int] = RETRY_STATUSES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("base_url must be an http:// or https:// URL.")
        if timeout <= 0 or connect_timeout <= 0 or (deadline is not None and deadline <= 0):
            raise ValueError("timeouts must be positive.")
        self.service = service
        self.deadline = deadline
        self.stop_at: float | None = None
        self._network = DeadlineNetwork()
        if transport is None:
            transport = deadline_transport(ssl_context=_tls_context(), network=self._network)
        self.base_url = base_url.rstrip("/")
        self.stats = stats
        self.retry = retry or RetryPolicy()
        self.retry_statuses = frozenset(retry_statuses)
        self._secrets = tuple(s for s in secrets if s)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._pacer: RequestPacer = pacer if pacer is not None else Pacer(rps, clock=clock, sleep=sleep)
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            verify=_tls_context(),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )

    def __repr__(self) -> str:
        return f"HttpClient(service={self.service!r}, base_url={self.redact(self.base_url)!r}, rps={self._pacer.rps})"

    @property
    def rps(self) -> float:
        return self._pacer.rps

    def redact(self, text: str) -> str:
        """Return the text with this client's secrets removed."""
        return redact(text, self._secrets)

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        handle: Callable[[httpx.Response], T],
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send the request until `handle` accepts a response, retrying transient faults; return its value.

        `what` names the call in logs and errors (no parameters, no token). Raise UnavailableError when the
        attempts run out or the request cannot be sent at all, DeadlineError (an UnavailableError) when the
        call's deadline or `stop_at` passes; errors from `handle` pass through, redacted.
        """
        ends = self._call_ends()
        self._network.ends = ends  # every socket operation of the call, retries included, ends by then
        try:
            return self._request(
                method, path, what=what, handle=handle, ends=ends, params=params, data=data, headers=headers
            )
        finally:
            self._network.ends = None

    def _call_ends(self) -> float | None:
        """Return the `time.monotonic()` moment the call must end by, or None."""
        if self.deadline is None:
            return self.stop_at
        own = time.monotonic() + self.deadline
        return own if self.stop_at is None else min(own, self.stop_at)

    def _past_deadline(self, what: str, reason: str) -> DeadlineError:
        last = f" (last: {reason})" if reason else ""
        limit = f"its {self.deadline:g} s deadline" if self.deadline is not None else "the caller's deadline"
        return DeadlineError(f"{self.service} {what}: no complete answer within {limit}{last}; try again later.")

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        handle: Callable[[httpx.Response], T],
        ends: float | None,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> T:
        policy = self.retry
        reason = ""
        retry_after: float | None = None
        for attempt in range(1, policy.max_attempts + 1):
            if attempt > 1:
                delay = policy.delay(attempt - 1, self._rng)
                if retry_after is not None:
                    delay = max(delay, min(retry_after, policy.backoff_cap))
                if ends is not None and time.monotonic() + delay >= ends:
                    raise self._past_deadline(what, reason)
                self.stats.retries += 1
                logger.warning(
                    "%s %s: %s; retry %d of %d in %.3f s",
                    self.service,
                    what,
                    reason,
                    attempt - 1,
                    policy.max_attempts - 1,
                    delay,
                )
                self._sleep(delay)
            self._pacer.wait()
            if ends is not None and time.monotonic() >= ends:
                raise self._past_deadline(what, reason)
            self.stats.requests += 1
            response, reason, fatal = self._send(method, path, params=params, data=data, headers=headers)
            if response is None and ends is not None and time.monotonic() >= ends:
                raise self._past_deadline(what, reason)
            if fatal:
                raise UnavailableError(f"{self.service} {what}: the request could not be sent ({fatal}).")
            retry_after = None
            if response is None:
                continue
            if response.status_code in self.retry_statuses:
                reason, retry_after = f"HTTP {response.status_code}", _retry_after(response)
                continue
            try:
                return handle(response)
            except RetryableResponse as exc:
                reason, retry_after = self.redact(exc.reason), exc.retry_after
            except SferumError as exc:
                exc.args = tuple(self.redact(a) if isinstance(a, str) else a for a in exc.args)
                if isinstance(getattr(exc, "reason", None), str):
                    exc.reason = self.redact(exc.reason)  # type: ignore[attr-defined]
                raise
        raise UnavailableError(
            f"{self.service} {what}: the service is unavailable after {policy.max_attempts} attempts "
            f"(last: {reason}); try again later."
        )

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> tuple[httpx.Response | None, str, str]:
        """Return (response, transient fault, fatal fault); exactly one of them is set."""
        try:
            response = self._client.request(method, path, params=params, data=data, headers=headers)
        except httpx.TimeoutException as exc:
            return None, f"timeout ({type(exc).__name__})", ""
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            return None, f"connection error ({type(exc).__name__}: {self.redact(str(exc))[:200]})", ""
        except httpx.HTTPError as exc:
            return None, "", f"{type(exc).__name__}: {self.redact(str(exc))[:200]}"
        return response, "", ""


class HttpBackend:
    """The part of the vk and max backends that is the same: argument checks, request stats, one HttpClient.

    A subclass sets `name` and the defaults below; arguments left as None take them.
    """

    name: str
    default_base_url: str
    default_rps: float
    default_page_size: int
    retry_statuses: frozenset[int] = RETRY_STATUSES

    def __init__(
        self,
        *,
        token: str,
        hash_key: bytes,
        base_url: str | None = None,
        rps: float | None = None,
        pacer: RequestPacer | None = None,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        deadline: float | None = None,
        retry: RetryPolicy | None = None,
        page_size: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        page_size = self.default_page_size if page_size is None else page_size
        if not token:
            raise ValueError("A token is required.")
        if not hash_key:
            raise ValueError("A hash key is required.")
        if page_size < 1:
            raise ValueError("page_size must be positive.")
        self.stats = RequestStats()
        self.page_size = page_size
        self._token = token
        self._hash_key = hash_key
        self._http = HttpClient(
            service=self.name,
            base_url=self.default_base_url if base_url is None else base_url,
            stats=self.stats,
            secrets=(token,),
            rps=self.default_rps if rps is None else rps,
            pacer=pacer,
            timeout=timeout,
            connect_timeout=connect_timeout,
            deadline=deadline,
            retry=retry,
            retry_statuses=self.retry_statuses,
            sleep=sleep,
            clock=clock,
            rng=rng,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._http.redact(self._http.base_url)!r}, rps={self._http.rps})"

    def stop_at(self, moment: float | None) -> None:
        """End every later call at this `time.monotonic()` moment at the latest (None: no such limit)."""
        self._http.stop_at = moment

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

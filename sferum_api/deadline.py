"""A total deadline for an HTTP call: every socket operation waits at most until the deadline.

httpx's timeouts bound each read on its own, so a server that sends one byte every few seconds keeps a
request alive for as long as it likes. `DeadlineNetwork` is an httpcore network backend that clips the
timeout of every connect, read and write to the time left before `ends` (a `time.monotonic()` value the
caller sets per call), so a call ends at its deadline whatever the server does: in the connect, in the
headers or in the body.
"""

from __future__ import annotations

import ssl
import time
import typing

import httpcore
import httpx


class DeadlineNetwork(httpcore.NetworkBackend):
    """httpcore's synchronous sockets, with each operation's timeout clipped to the deadline `ends`."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()
        self.ends: float | None = None  # time.monotonic() value; None: no deadline

    def timeout(self, timeout: float | None, error: type[Exception]) -> float | None:
        """Return the operation's timeout clipped to the time left; raise `error` when none is left."""
        if self.ends is None:
            return timeout
        left = self.ends - time.monotonic()
        if left <= 0:
            raise error("the call's total deadline passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(
            host,
            port,
            timeout=self.timeout(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return DeadlineStream(stream, self)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, timeout=self.timeout(timeout, httpcore.ConnectTimeout), socket_options=socket_options
        )
        return DeadlineStream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes wait no longer than its network's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, network: DeadlineNetwork) -> None:
        self._inner = inner
        self._network = network

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout=self._network.timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout=self._network.timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.start_tls(
            ssl_context,
            server_hostname=server_hostname,
            timeout=self._network.timeout(timeout, httpcore.ConnectTimeout),
        )
        return DeadlineStream(stream, self._network)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


def deadline_transport(*, ssl_context: ssl.SSLContext, network: DeadlineNetwork) -> httpx.HTTPTransport:
    """Return httpx's own transport (its request mapping and error translation) over the deadline network.

    httpx has no public argument for the network backend, so the transport's connection pool is replaced
    by an equal one built with it (with the same `httpx.Limits`, httpx's defaults).
    """
    limits = httpx.Limits()
    transport = httpx.HTTPTransport(verify=ssl_context, limits=limits)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=network,
    )
    return transport

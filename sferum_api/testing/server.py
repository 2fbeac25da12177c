"""A loopback HTTP server in a background thread, with per-test fault injection and request recording.

`VkServer` and `MaxServer` subclass `LoopbackServer` and speak their wire formats. Use a server as a context
manager (or through the pytest fixtures in `sferum_api/tests/conftest.py`): it binds 127.0.0.1 on a free port,
serves from a daemon thread, and on exit closes every connection and joins the thread.
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import struct
import threading
import traceback
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import Self
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

from ..types import Backend
from .data import MessageData
from .data import SchoolData

logger = logging.getLogger(__name__)

UNKNOWN_FIELD = "x_future_field"
FAULT_KINDS = frozenset({"error", "status", "slow", "drip", "drop", "reset"})


@dataclass
class RecordedRequest:
    """One request as the server saw it; `params` are the query and form parameters without the token."""

    endpoint: str  # vk: the method name; max: the route, e.g. "/chats/{chat_id}/members"
    http_method: str
    path: str
    params: dict[str, str]
    authorized: bool
    fault: str | None = None  # the injected fault that answered it, if any
    item_ids: tuple[Any, ...] = ()  # ids of the items served (chats, members, messages), for paging assertions


@dataclass
class Fault:
    """An injected fault: answer the next `times` matching requests with it instead of the normal response."""

    kind: str  # "error" (the service's error format), "status" (a bare HTTP status), "slow", "drip", "drop", "reset"
    times: int = 1
    endpoint: str | None = None  # None: any endpoint
    code: int = 0  # the service error code (vk) or HTTP status
    seconds: float = 0.0  # "slow": how long to wait before answering normally; "drip": the pause between bytes

    def matches(self, endpoint: str) -> bool:
        return self.times > 0 and (self.endpoint is None or self.endpoint == endpoint)


@dataclass
class _Insertion:
    chat_id: str
    message: MessageData
    after_pages: int
    pages_served: int = 0


@dataclass
class Reply:
    status: int
    payload: Any
    item_ids: tuple[Any, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    app: LoopbackServer

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = port

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("loopback server: connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SferumLoopback/1"
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed after each request) ...
    disable_nagle_algorithm = True  # ... and at once: no 40 ms delayed-ACK stalls on loopback
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.app._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.app._untrack(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except OSError:
            self.close_connection = True

    def do_GET(self) -> None:
        self.server.app._dispatch(self)

    def do_POST(self) -> None:
        self.server.app._dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _decorate(value: Any) -> Any:
    """Return the payload with an unknown field added to every JSON object in it."""
    if isinstance(value, dict):
        return {**{k: _decorate(v) for k, v in value.items()}, UNKNOWN_FIELD: {"nested": [1, "two", None]}}
    if isinstance(value, list):
        return [_decorate(v) for v in value]
    return value


def _json_bytes(payload: Any) -> bytes:
    """Return the payload as JSON in UTF-8; a lone surrogate goes out as a `\\udXXX` escape, as JSON allows."""
    text = json.dumps(payload, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, ensure_ascii=True).encode("ascii")


class LoopbackServer:
    """Serve a `SchoolData` over loopback HTTP; subclasses implement the wire format."""

    def __init__(self, *, token: str, data: SchoolData | None = None):
        self.token = token
        self.data = data if data is not None else SchoolData()
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of server bugs (answered with HTTP 500)
        self.page_limit: int | None = None  # serve at most this many items per page, whatever was asked
        self.unknown_fields = False  # add an unknown field to every JSON object served
        self.denied: dict[str, int] = {}  # chat id → the error code (vk) or HTTP status (max) it answers with
        self._faults: list[Fault] = []
        self._insertions: list[_Insertion] = []
        self._bodies: dict[str, list[Any]] = {}  # endpoint → bodies to serve instead of the data, in order
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_backend(
        cls,
        backend: Backend,
        *,
        token: str,
        since: datetime | None = None,
        max_messages_per_chat: int | None = None,
        **kwargs: Any,
    ) -> Self:
        """Return a server (not started) serving a snapshot of any Backend's chats, members and messages."""
        data = SchoolData.from_backend(backend, since=since, max_messages_per_chat=max_messages_per_chat)
        return cls(token=token, data=data, **kwargs)

    # -- lifecycle ------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("The server is not running.")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> Self:
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.app = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- fault injection ------------------------------------------------------------------------------

    def inject(
        self, kind: str, *, times: int = 1, endpoint: str | None = None, code: int = 0, seconds: float = 0.0
    ) -> Fault:
        """Answer the next `times` requests to `endpoint` (None: any) with a fault; faults apply in order."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(kind=kind, times=times, endpoint=endpoint, code=code, seconds=seconds)
        with self._lock:
            self._faults.append(fault)
        return fault

    def error(self, code: int, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Answer with the service's own error: a vk error code, or a max HTTP status with a JSON body."""
        return self.inject("error", times=times, endpoint=endpoint, code=code)

    def http_status(self, status: int, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Answer with a bare HTTP status and an HTML body, as a proxy in front of the service would."""
        return self.inject("status", times=times, endpoint=endpoint, code=status)

    def slow(self, seconds: float, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Wait `seconds` (or until the server stops) before answering normally."""
        return self.inject("slow", times=times, endpoint=endpoint, seconds=seconds)

    def drip(self, seconds: float, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Answer normally, but send the response (status line, headers, body) one byte every `seconds`.

        Every read of the client gets a byte well within its per-read timeout: only a total deadline ends it.
        """
        return self.inject("drip", times=times, endpoint=endpoint, seconds=seconds)

    def drop(self, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Read the request, then close the connection without a response."""
        return self.inject("drop", times=times, endpoint=endpoint)

    def reset(self, *, times: int = 1, endpoint: str | None = None) -> Fault:
        """Read the request, then reset the connection (TCP RST)."""
        return self.inject("reset", times=times, endpoint=endpoint)

    def deny_chat(self, chat_id: int | str, code: int) -> None:
        """Answer every request about this chat with an access error (vk error code / max HTTP status)."""
        with self._lock:
            self.denied[str(chat_id)] = code

    def insert_message_while_paging(self, chat_id: int | str, message: MessageData, *, after_pages: int = 1) -> None:
        """Add a new newest message to the chat right after its `after_pages`-th history page is served."""
        with self._lock:
            self._insertions.append(_Insertion(str(chat_id), message, after_pages))

    def serve_bodies(self, endpoint: str, *bodies: Any) -> None:
        """Answer the next requests to `endpoint` with these JSON bodies (HTTP 200), one each, then from the data."""
        with self._lock:
            self._bodies[endpoint] = list(bodies)

    def clear(self) -> None:
        """Forget recorded requests, pending faults, insertions, denied chats and bodies to serve."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self._insertions.clear()
            self._bodies.clear()
            self.denied.clear()

    # -- recorded requests ----------------------------------------------------------------------------

    def calls(self, endpoint: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if endpoint is None or r.endpoint == endpoint]

    def count(self, endpoint: str | None = None) -> int:
        return len(self.calls(endpoint))

    # -- for subclasses -------------------------------------------------------------------------------

    def _endpoint(self, http_method: str, path: str) -> str:
        raise NotImplementedError

    def _take_token(self, handler: BaseHTTPRequestHandler, params: dict[str, str]) -> str | None:
        """Return the token the request carries, removing it from params."""
        raise NotImplementedError

    def _auth_failure(self, endpoint: str, params: dict[str, str]) -> Reply:
        raise NotImplementedError

    def _service_error(self, code: int, endpoint: str, params: dict[str, str]) -> Reply:
        raise NotImplementedError

    def _route(self, endpoint: str, path: str, params: dict[str, str]) -> Reply:
        raise NotImplementedError

    def _page(self, items: list[Any], offset: int, count: int) -> list[Any]:
        size = count if self.page_limit is None else min(count, self.page_limit)
        return items[offset : offset + max(size, 0)]

    def _history_page_served(self, chat_id: str) -> None:
        """Apply pending insertions for a chat whose history page was just served (call under the lock)."""
        for insertion in list(self._insertions):
            if insertion.chat_id != chat_id:
                continue
            insertion.pages_served += 1
            if insertion.pages_served >= insertion.after_pages:
                chat = self.data.chat(chat_id)
                if chat is not None:
                    chat.messages.append(insertion.message)
                self._insertions.remove(insertion)

    # -- request handling (handler threads) -----------------------------------------------------------

    def _track(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        try:
            self._answer(handler)
        except OSError:  # the client went away (e.g. it timed out on a slow response)
            handler.close_connection = True

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        if body and "form-urlencoded" in (handler.headers.get("Content-Type") or ""):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        token = self._take_token(handler, params)
        endpoint = self._endpoint(handler.command, split.path)
        record = RecordedRequest(endpoint, handler.command, split.path, params, authorized=token == self.token)
        with self._lock:
            self.requests.append(record)
            fault = next((f for f in self._faults if f.matches(endpoint)), None)
            if fault is not None:
                fault.times -= 1
                record.fault = fault.kind
        if fault is not None and fault.kind in ("drop", "reset"):
            handler.close_connection = True
            if fault.kind == "reset":
                handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault is not None and fault.kind == "slow":
            if self._stopping.wait(fault.seconds):
                handler.close_connection = True
                return
        if fault is not None and fault.kind == "status":
            html = f"<html><body><h1>{fault.code}</h1></body></html>".encode()
            self._send(handler, Reply(fault.code, None), raw=html, content_type="text/html")
            return
        if fault is not None and fault.kind == "error":
            self._send(handler, self._service_error(fault.code, endpoint, params))
            return
        if not record.authorized:
            self._send(handler, self._auth_failure(endpoint, params))
            return
        try:
            with self._lock:
                canned = self._bodies.get(endpoint)
                if canned:
                    reply = Reply(200, canned.pop(0))
                else:
                    reply = self._route(endpoint, split.path, params)
        except Exception:
            self.errors.append(traceback.format_exc())
            logger.exception("loopback server: error answering %s", endpoint)
            reply = Reply(500, {"error": "server bug"})
        record.item_ids = reply.item_ids
        if fault is not None and fault.kind == "drip":
            self._drip(handler, reply, fault.seconds)
            return
        self._send(handler, reply)

    def _drip(self, handler: BaseHTTPRequestHandler, reply: Reply, seconds: float) -> None:
        """Send the reply one byte at a time, `seconds` apart, until done, the client leaves or the server stops."""
        handler.close_connection = True
        payload = _decorate(reply.payload) if self.unknown_fields else reply.payload
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        head = f"HTTP/1.1 {reply.status} {handler.responses.get(reply.status, ('',))[0]}\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\n"
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        raw = head.encode("latin-1") + body
        for index in range(len(raw)):
            handler.connection.sendall(raw[index : index + 1])
            if self._stopping.wait(seconds):
                return

    def _send(
        self,
        handler: BaseHTTPRequestHandler,
        reply: Reply,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        payload = _decorate(reply.payload) if self.unknown_fields else reply.payload
        body = raw if raw is not None else _json_bytes(payload)
        handler.send_response(reply.status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

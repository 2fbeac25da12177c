"""The contract every platform backend keeps, run against vk and max and their loopback servers.

Each test runs once per platform (the `platform` fixture); the wire's own words (endpoints, error codes, cursors)
come from `platforms.py`. What only one platform has is tested in `test_vk.py` and `test_max.py`.
"""

from __future__ import annotations

import logging
import socket
import traceback
from datetime import UTC
from datetime import datetime

import pytest

from sferum_api import Backend
from sferum_api.errors import AuthError
from sferum_api.errors import ChatAccessError
from sferum_api.errors import InvalidRequestError
from sferum_api.errors import UnavailableError
from sferum_api.http import RetryPolicy
from sferum_api.testing import MessageData
from sferum_api.text import text_digest

from .conftest import ATTEMPTS
from .conftest import HASH_KEY
from .platforms import ACCESS_DENIALS
from .platforms import BASE
from .platforms import RETRIED_ERRORS
from .platforms import Platform
from .platforms import by_platform

OPERATIONS = ["chats", "members"]


@pytest.fixture(params=["vk", "max"])
def platform(request) -> Platform:
    name = request.param
    return Platform(name, request.getfixturevalue(f"{name}_server"), request.getfixturevalue(f"make_{name}"))


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# -- data ----------------------------------------------------------------------------------------------


def test_backend_implements_the_protocol(platform):
    backend = platform.make()
    assert isinstance(backend, Backend)
    assert backend.name == platform.name


def test_list_chats_reads_the_group_chats_and_marks_channels(platform):
    # given
    backend = platform.make()

    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}

    # then
    assert set(chats) == {platform.parents, platform.class_chat, platform.channel}
    assert chats[platform.parents].title == "5А Родители"
    assert chats[platform.parents].owner_id == "201"
    assert chats[platform.parents].members_count == 5
    assert chats[platform.channel].is_channel
    assert not chats[platform.class_chat].is_channel and not chats[platform.parents].is_channel


def test_list_members_admins_names_and_join_dates(platform):
    # given
    backend = platform.make()

    # when
    members = {m.user_id: m for m in backend.list_members(platform.parents)}

    # then
    assert set(members) == {"201", "301", "302", "303"}  # the community (vk) or bot (max) 5 left out
    assert members["201"].is_admin and members["201"].is_owner
    assert not members["301"].is_admin and not members["301"].is_owner
    assert members["301"].profile.first_name == "Пётр"
    assert members["301"].profile.last_name == "Смирнов"
    assert members["301"].joined_at == datetime.fromtimestamp(BASE - 80 * 86400, tz=UTC)
    assert members["301"].joined_at.tzinfo is UTC


def test_list_members_pages_through_short_pages(platform):
    # given
    chat_id = platform.big_chat(members=450)
    platform.server.page_limit = 37
    backend = platform.make()

    # when
    members = backend.list_members(chat_id)

    # then
    assert len(members) == 450
    assert len({m.user_id for m in members}) == 450
    calls = platform.server.calls(platform.members_endpoint)
    assert len(calls) == 13  # ceil(450 / 37)
    assert [platform.page_position(r) for r in calls] == [platform.first_page_position()] + [
        37 * n for n in range(1, 13)
    ]


def test_iter_messages_newest_first_with_kinds_bots_and_counting(platform):
    # given
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(platform.parents))

    # then
    assert [platform.number(m) for m in messages] == list(range(1012, 1000, -1))
    assert [m.cursor for m in messages] == sorted((m.cursor for m in messages), reverse=True)
    by_number = {platform.number(m): m for m in messages}
    assert by_number[1003].kind == "document"
    assert by_number[1006].kind == "photo"
    assert not by_number[1008].counts  # a service event (vk) or a message without a sender (max)
    assert by_number[1010].from_bot and by_number[1010].author_id is None and not by_number[1010].counts
    assert by_number[1012].author_id == "301" and by_number[1012].counts
    assert by_number[1012].sent_at == datetime.fromtimestamp(BASE + 12 * 600, tz=UTC)
    length, _, digest = text_digest("Сообщение 12", key=HASH_KEY)
    assert (by_number[1012].text_length, by_number[1012].text_hash) == (length, digest)
    assert not hasattr(by_number[1012], "text")


def test_attachment_kinds(platform):
    # given
    attachments = ["document", "video", "link", "photo", "call", "sticker"]
    platform.server.data.chat(platform.class_chat).messages = [
        MessageData(id=n, date=BASE + n, from_id=401, attachments=(attachment,))
        for n, attachment in enumerate(attachments, start=1)
    ]
    backend = platform.make()

    # when
    kinds = {int(m.sent_at.timestamp()) - BASE: m.kind for m in backend.iter_messages(platform.class_chat)}

    # then
    assert kinds == {1: "document", 2: "video", 3: "link", 4: "photo", 5: "call", 6: "text"}  # a sticker is text


def test_a_message_carries_every_kind_of_its_attachments_once(platform):
    # given: two documents and a photo; a sticker alone; a link with an unknown attachment
    platform.server.data.chat(platform.class_chat).messages = [
        MessageData(id=1, date=BASE + 1, from_id=401, attachments=("document", "document", "photo")),
        MessageData(id=2, date=BASE + 2, from_id=401, attachments=("sticker",)),
        MessageData(id=3, date=BASE + 3, from_id=401, attachments=("wall", "link")),
        MessageData(id=4, date=BASE + 4, from_id=401, text="просто текст"),
    ]
    backend = platform.make()

    # when
    carried = {int(m.sent_at.timestamp()) - BASE: m.attachments for m in backend.iter_messages(platform.class_chat)}

    # then
    assert carried == {1: {"document", "photo"}, 2: set(), 3: {"link"}, 4: set()}


def test_iter_messages_pages_through_short_pages(platform):
    # given
    chat_id = platform.big_chat(messages=250)
    platform.server.page_limit = 40
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    assert [m.cursor for m in messages] == [platform.cursor(n) for n in range(250, 0, -1)]  # each once, in order
    assert len(platform.server.calls(platform.messages_endpoint)) > 250 // 40


def test_message_arriving_while_paging_is_yielded_once(platform):
    # given
    chat_id = platform.big_chat(messages=10)
    platform.server.page_limit = 4
    platform.server.insert_message_while_paging(chat_id, MessageData(id=10011, date=BASE + 60 * 11, from_id=201))
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    served = [i for r in platform.server.calls(platform.messages_endpoint) for i in r.item_ids]
    assert len(served) > len(set(served))  # a message really was on two pages
    assert [m.cursor for m in messages] == [platform.cursor(n) for n in range(10, 0, -1)]  # each once, none missed


def test_iter_messages_stops_at_the_cursor(platform):
    # given
    total = platform.page_size * 5 // 2
    chat_id = platform.big_chat(messages=total)
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(chat_id, after_cursor=platform.cursor(total - 50)))

    # then
    assert [m.cursor for m in messages] == [platform.cursor(n) for n in range(total, total - 50, -1)]
    assert platform.server.count(platform.messages_endpoint) == 1  # no paging past the cursor


def test_iter_messages_stops_before_since(platform):
    # given
    total, oldest = platform.page_size * 5 // 2, platform.page_size * 5 // 4
    chat_id = platform.big_chat(messages=total)
    since = datetime.fromtimestamp(BASE + 60 * oldest, tz=UTC)
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(chat_id, since=since))

    # then
    assert [m.cursor for m in messages] == [platform.cursor(n) for n in range(total, oldest - 1, -1)]
    assert platform.server.count(platform.messages_endpoint) == 2


def test_naive_since_is_refused(platform):
    with pytest.raises(ValueError):
        list(platform.make().iter_messages(platform.parents, since=datetime(2025, 11, 1)))


def test_unknown_fields_are_ignored(platform):
    # given
    plain = platform.make()
    parents = platform.parents
    expected = (list(plain.list_chats()), plain.list_members(parents), list(plain.iter_messages(parents)))
    platform.add_unknown_fields()
    backend = platform.make()

    # when
    result = (list(backend.list_chats()), backend.list_members(parents), list(backend.iter_messages(parents)))

    # then
    assert result == expected
    assert platform.server.calls(platform.messages_endpoint)[-1].params  # the decorated run went through the server


# -- faults: retried and succeeded ------------------------------------------------------------------


@pytest.mark.parametrize("platform, code", by_platform(RETRIED_ERRORS), indirect=["platform"])
def test_rate_limit_and_server_errors_are_retried(platform, clock, code):
    # given
    platform.server.error(code, times=2, endpoint=platform.members_endpoint)
    backend = platform.make()

    # when
    members = backend.list_members(platform.parents)

    # then
    assert len(members) == 4
    assert backend.stats.retries == 2
    assert platform.server.count(platform.members_endpoint) == 3
    assert len(clock.sleeps) == 2  # backoff, on the virtual clock


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_bare_http_errors_are_retried(platform, status):
    # given
    platform.server.http_status(status, times=1)
    backend = platform.make()

    # when
    messages = list(backend.iter_messages(platform.parents))

    # then
    assert len(messages) == 12
    assert backend.stats.retries == 1


def read(platform: Platform, backend: Backend, operation: str) -> tuple[list, str]:
    """Return what the operation read ("chats": the chat list; "members": the class chat's) and its endpoint."""
    if operation == "chats":
        return list(backend.list_chats()), platform.chats_endpoint
    return backend.list_members(platform.class_chat), platform.members_endpoint


@pytest.mark.parametrize("operation", OPERATIONS)
def test_slow_response_times_out_and_is_retried(platform, operation):
    # given
    platform.server.slow(2.0, times=1)
    backend = platform.make(timeout=0.2)

    # when
    items, endpoint = read(platform, backend, operation)

    # then
    assert len(items) == 3
    assert backend.stats.retries == 1
    requests = platform.chat_list_requests if operation == "chats" else 1
    assert platform.server.count(endpoint) == requests + 1


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_broken_connection_is_retried(platform, fault, operation):
    # given
    platform.server.inject(fault, times=2)
    backend = platform.make()

    # when
    items, _ = read(platform, backend, operation)

    # then
    assert len(items) == 3
    if operation == "members":
        assert {m.user_id for m in items} == {"201", "401", "402"}
    assert backend.stats.retries == 2


# -- faults: skipped -------------------------------------------------------------------------------


@pytest.mark.parametrize("platform, code", by_platform(ACCESS_DENIALS), indirect=["platform"])
def test_chat_without_access_is_skipped(platform, code):
    # given
    platform.server.deny_chat(platform.parents, code)
    backend = platform.make()

    # when
    with pytest.raises(ChatAccessError) as members_error:
        backend.list_members(platform.parents)
    with pytest.raises(ChatAccessError) as messages_error:
        list(backend.iter_messages(platform.parents))
    others = backend.list_members(platform.class_chat), list(backend.iter_messages(platform.class_chat))

    # then
    assert members_error.value.chat_id == messages_error.value.chat_id == platform.parents
    assert str(code) in members_error.value.reason
    assert len(others[0]) == 3 and len(others[1]) == 5
    assert backend.stats.retries == 0


# -- faults: failed cleanly -----------------------------------------------------------------------------


def test_wrong_token_fails_at_once(platform):
    # given
    backend = platform.make(token="wrong-token")

    # when
    with pytest.raises(AuthError) as caught:
        list(backend.list_chats())

    # then
    assert "reconnect" in str(caught.value)
    assert platform.server.count() == 1
    assert backend.stats.requests == 1 and backend.stats.retries == 0


def test_auth_error_mid_sync_fails_at_once(platform):
    # given
    platform.server.error(platform.codes["auth"], endpoint=platform.messages_endpoint)
    backend = platform.make()

    # when
    with pytest.raises(AuthError):
        list(backend.iter_messages(platform.parents))

    # then
    assert platform.server.count(platform.messages_endpoint) == 1


@pytest.mark.parametrize("answer", ["bare 503", "503 error"])
@pytest.mark.parametrize("operation", ["members", "messages"])
def test_persistent_server_trouble_gives_up_after_the_bounded_attempts(platform, clock, answer, operation):
    # given
    if answer == "bare 503":
        platform.server.http_status(503, times=100)
    else:
        platform.server.error(platform.codes["server_error"], times=100)
    backend = platform.make()

    # when
    with pytest.raises(UnavailableError) as caught:
        if operation == "members":
            backend.list_members(platform.parents)
        else:
            list(backend.iter_messages(platform.parents))

    # then
    endpoint = platform.members_endpoint if operation == "members" else platform.messages_endpoint
    assert platform.server.count(endpoint) == ATTEMPTS
    assert (backend.stats.requests, backend.stats.retries) == (ATTEMPTS, ATTEMPTS - 1)
    assert f"{ATTEMPTS} attempts" in str(caught.value)


def test_persistent_rate_limit_gives_up_after_the_bounded_attempts(platform):
    # given
    platform.server.error(platform.codes["rate_limit"], times=100)
    backend = platform.make()

    # when
    with pytest.raises(UnavailableError):
        list(backend.list_chats())

    # then
    assert platform.server.count() == ATTEMPTS


@pytest.mark.parametrize("operation", OPERATIONS)
def test_persistent_timeouts_give_up_after_the_bounded_attempts(platform, operation):
    # given
    platform.server.slow(2.0, times=100)
    retry = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_cap=0.001)
    backend = platform.make(timeout=0.2, retry=retry)

    # when
    with pytest.raises(UnavailableError) as caught:
        read(platform, backend, operation)

    # then
    assert backend.stats.requests == platform.server.count() == 2
    assert "timeout" in str(caught.value)


def test_connection_refused_gives_up_after_the_bounded_attempts(platform):
    # given
    backend = platform.make(base_url=closed_port_url())

    # when
    with pytest.raises(UnavailableError):
        list(backend.list_chats())

    # then
    assert backend.stats.requests == ATTEMPTS


def test_invalid_parameter_fails_with_method_and_parameters(platform):
    # given
    backend = platform.make(page_size=500)  # the servers allow at most 200 (vk) and 100 (max)

    # when
    with pytest.raises(InvalidRequestError) as caught:
        list(backend.iter_messages(platform.parents))

    # then
    message = str(caught.value)
    assert all(word in message for word in platform.invalid_request_words), message
    assert platform.token not in message
    assert platform.server.count() == 1


def test_unknown_error_code_fails_without_retry(platform):
    # given
    platform.server.error(platform.unknown_error)
    backend = platform.make()

    # when
    with pytest.raises(platform.unknown_error_raises):
        backend.list_members(platform.parents)

    # then
    assert platform.server.count() == 1


# -- pacing ----------------------------------------------------------------------------------------


def test_pacing_at_the_platform_rate(platform, clock):
    # given
    chat_id = platform.big_chat(members=100)
    platform.server.page_limit = 10
    backend = platform.make(rps=platform.rps)

    # when
    backend.list_members(chat_id)

    # then
    n = platform.server.count()
    assert n == 10
    assert clock.slept >= (n - 1) / platform.rps - 1e-9


def test_rps_zero_never_sleeps(platform, clock):
    # given
    chat_id = platform.big_chat(members=100)
    platform.server.page_limit = 10
    backend = platform.make(rps=0)

    # when
    backend.list_members(chat_id)

    # then
    assert platform.server.count() == 10
    assert clock.sleeps == []


# -- the token never shows ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "setup",
    ["auth", "access", "invalid", "unknown", "http_503", "rate_limit", "timeout", "drop", "reset", "refused"],
)
def test_token_never_in_errors_or_logs(platform, caplog, setup):
    # given
    caplog.set_level(logging.DEBUG)
    server, options = platform.server, {}
    if setup in ("auth", "unknown"):
        server.error(platform.codes[setup])
    elif setup == "access":
        server.deny_chat(platform.parents, platform.codes["access"])
    elif setup == "invalid":
        options["page_size"] = 1000
    elif setup == "http_503":
        server.http_status(503, times=100)
    elif setup == "rate_limit":
        server.error(platform.codes["rate_limit"], times=100)
    elif setup == "timeout":
        server.slow(2.0, times=100)
        options["timeout"] = 0.1
    elif setup in ("drop", "reset"):
        server.inject(setup, times=100)
    else:
        options["base_url"] = closed_port_url()
    backend = platform.make(**options)

    # when
    with pytest.raises((AuthError, ChatAccessError, InvalidRequestError, UnavailableError)) as caught:
        list(backend.iter_messages(platform.parents))

    # then
    exc = caught.value
    for text in (str(exc), repr(exc), "".join(traceback.format_exception(exc)), caplog.text, repr(backend)):
        assert platform.token not in text
    assert platform.token not in str(backend) and platform.token not in repr(backend._http)
    assert all("access_token" not in r.params for r in server.requests)


# -- snapshots -----------------------------------------------------------------------------------------


def test_from_backend_serves_the_same_school(platform):
    # given
    source = platform.make()
    parents = platform.parents

    # when
    with type(platform.server).from_backend(source, token="copy-token") as copy_server:
        copy = platform.make(base_url=copy_server.url, token="copy-token")
        chats = list(copy.list_chats())
        members = copy.list_members(parents)
        messages = list(copy.iter_messages(parents))

    # then
    assert chats == list(source.list_chats())
    assert members == source.list_members(parents)
    original = list(source.iter_messages(parents))
    assert [(m.sent_at, m.author_id, m.kind, m.from_bot, m.text_length) for m in messages] == [
        (m.sent_at, m.author_id, m.kind, m.from_bot, m.text_length) for m in original
    ]
    if platform.name == "vk":  # max's copy gives the messages mids of its own
        assert [m.message_id for m in messages] == [m.message_id for m in original]

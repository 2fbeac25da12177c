"""The max backend against its loopback server: data, marker/`to` paging, and every fault the contract names."""

from __future__ import annotations

import logging
import socket
import traceback
from datetime import UTC, datetime

import pytest

from sferum_api import Backend
from sferum_api.errors import AuthError, ChatAccessError, InvalidRequestError, UnavailableError
from sferum_api.http import RetryPolicy
from sferum_api.testing import ChatData, MaxServer, MemberData, MessageData
from sferum_api.testing.max_server import CHAT, MEMBERS, MESSAGES
from sferum_api.text import text_digest

from .conftest import ATTEMPTS, HASH_KEY, MAX_CHAT_IDS, MAX_TOKEN

PARENTS, CLASS, CHANNEL = (str(chat_id) for chat_id in MAX_CHAT_IDS)
BIG = "-70000000000099"
BASE = 1_763_366_400


def big_chat(server: MaxServer, *, members: int = 0, messages: int = 0) -> str:
    """Add a chat with many members and messages (one a minute, ids 10001..) and return its id."""
    chat = ChatData(chat_id=int(BIG), title="Большой чат", owner_id=201)
    for n in range(members):
        server.data.add_user(5000 + n, f"Имя{n}", f"Фамилия{n}")
        chat.members.append(MemberData(5000 + n, join_date=BASE + n))
    chat.messages = [
        MessageData(id=10000 + n, date=BASE + 60 * n, from_id=201, text=f"m{n}") for n in range(1, messages + 1)
    ]
    server.data.chats.append(chat)
    return BIG


def ms(seconds: int) -> int:
    return seconds * 1000


# -- data ----------------------------------------------------------------------------------------------


def test_backend_implements_the_protocol(make_max):
    backend = make_max()
    assert isinstance(backend, Backend)
    assert backend.name == "max"


def test_list_chats_reads_each_configured_chat(make_max, max_server):
    # given
    backend = make_max(chat_ids=[PARENTS, CLASS, CHANNEL, "301"])  # 301 is a personal dialog

    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}

    # then
    assert set(chats) == {PARENTS, CLASS, CHANNEL}
    assert chats[PARENTS].title == "5А Родители"
    assert chats[PARENTS].owner_id == "201"
    assert chats[PARENTS].members_count == 5
    assert chats[CHANNEL].is_channel and not chats[PARENTS].is_channel
    assert [r.path for r in max_server.calls(CHAT)] == [f"/chats/{c}" for c in (PARENTS, CLASS, CHANNEL, "301")]
    assert backend.skipped_chats == {}


def test_list_members_skips_bots_and_has_no_roles(make_max, max_server):
    # given
    max_server.data.users[302].is_bot = True
    backend = make_max()

    # when
    members = {m.user_id: m for m in backend.list_members(PARENTS)}

    # then
    assert set(members) == {"201", "301", "303"}  # bot 5 and 302 (is_bot) left out
    assert members["201"].is_admin and members["201"].is_owner
    assert not members["301"].is_admin
    assert all(m.profile.role_code is None for m in members.values())
    assert members["301"].profile.last_name == "Смирнов"
    assert members["301"].joined_at == datetime.fromtimestamp(BASE - 80 * 86400, tz=UTC)
    assert max_server.calls(MEMBERS)[0].params == {"count": "100"}


def test_list_members_follows_the_marker_through_short_pages(make_max, max_server):
    # given
    chat_id = big_chat(max_server, members=250)
    max_server.page_limit = 30
    backend = make_max()

    # when
    members = backend.list_members(chat_id)

    # then
    assert len({m.user_id for m in members}) == len(members) == 250
    calls = max_server.calls(MEMBERS)
    assert len(calls) == 9  # ceil(250 / 30)
    assert [r.params.get("marker") for r in calls] == [None, *(str(30 * n) for n in range(1, 9))]


def test_iter_messages_newest_first_with_kinds_bots_and_no_sender(make_max, max_server):
    # given
    backend = make_max()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    chat = max_server.data.chat(PARENTS)
    assert [m.message_id for m in messages] == [MaxServer.mid(chat, m) for m in chat.newest_first()]
    assert [m.cursor for m in messages] == [ms(BASE + n * 600) for n in range(12, 0, -1)]
    by_seq = {int(m.message_id[-16:], 16): m for m in messages}
    assert by_seq[1003].kind == "document"
    assert by_seq[1006].kind == "photo"
    assert by_seq[1008].author_id is None and not by_seq[1008].counts  # no sender: kept, never counted
    assert by_seq[1010].from_bot and by_seq[1010].author_id is None and not by_seq[1010].counts
    assert by_seq[1012].author_id == "301" and by_seq[1012].counts
    assert by_seq[1012].sent_at == datetime.fromtimestamp(BASE + 12 * 600, tz=UTC)
    assert (by_seq[1012].text_length, by_seq[1012].text_hash) == text_digest("Сообщение 12", key=HASH_KEY)[::2]


def test_attachment_kinds_and_forwards(make_max, max_server):
    # given
    chat = max_server.data.chat(CLASS)
    forward = {"link": {"type": "forward", "message": {"mid": "mid.x", "attachments": [{"type": "file"}]}}}
    reply = {"link": {"type": "reply", "message": {"mid": "mid.y", "attachments": [{"type": "video"}]}}}
    chat.messages = [
        MessageData(id=1, date=BASE + 1, from_id=401, attachments=("document",)),
        MessageData(id=2, date=BASE + 2, from_id=401, attachments=("video",)),
        MessageData(id=3, date=BASE + 3, from_id=401, attachments=("photo",)),
        MessageData(id=4, date=BASE + 4, from_id=401, attachments=("link",)),
        MessageData(id=5, date=BASE + 5, from_id=401, attachments=("call",)),
        MessageData(id=6, date=BASE + 6, from_id=401, attachments=("sticker",)),
        MessageData(id=7, date=BASE + 7, from_id=401, attachments=("inline_keyboard", "image")),
        MessageData(id=8, date=BASE + 8, from_id=401, extra=forward),
        MessageData(id=9, date=BASE + 9, from_id=401, text="ответ", extra=reply),
    ]
    backend = make_max()

    # when
    messages = {m.cursor // 1000 - BASE: m for m in backend.iter_messages(CLASS)}

    # then
    assert {n: m.kind for n, m in messages.items()} == {
        1: "document", 2: "video", 3: "photo", 4: "link", 5: "call", 6: "text", 7: "photo", 8: "document", 9: "text",
    }  # fmt: skip
    assert messages[8].author_id == "401" and messages[8].counts  # a forward counts for who forwarded it


def test_iter_messages_pages_older_with_to_and_dedupes_the_boundary(make_max, max_server):
    # given
    chat_id = big_chat(max_server, messages=250)
    max_server.page_limit = 40
    backend = make_max()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    assert [m.cursor for m in messages] == [ms(BASE + 60 * n) for n in range(250, 0, -1)]
    calls = max_server.calls(MESSAGES)
    served = [i for r in calls for i in r.item_ids]
    assert len(served) > len(set(served))  # `to` is inclusive: each page repeats the previous page's oldest
    assert calls[0].params == {"chat_id": BIG, "count": "100"}
    assert calls[1].params["to"] == str(ms(BASE + 60 * 211))
    assert len(calls) == 8  # 7 pages bring something new, the last only the repeat


def test_message_arriving_while_paging_is_not_yielded_twice(make_max, max_server):
    # given
    chat_id = big_chat(max_server, messages=10)
    max_server.page_limit = 4
    max_server.insert_message_while_paging(chat_id, MessageData(id=10011, date=BASE + 60 * 11, from_id=201))
    backend = make_max()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    assert [m.cursor for m in messages] == [ms(BASE + 60 * n) for n in range(10, 0, -1)]


def test_iter_messages_stops_at_the_cursor(make_max, max_server):
    # given
    chat_id = big_chat(max_server, messages=250)
    backend = make_max()

    # when
    messages = list(backend.iter_messages(chat_id, after_cursor=ms(BASE + 60 * 200)))

    # then
    assert [m.cursor for m in messages] == [ms(BASE + 60 * n) for n in range(250, 200, -1)]
    assert max_server.count(MESSAGES) == 1


def test_iter_messages_stops_before_since(make_max, max_server):
    # given
    chat_id = big_chat(max_server, messages=250)
    since = datetime.fromtimestamp(BASE + 60 * 120, tz=UTC)
    backend = make_max()

    # when
    messages = list(backend.iter_messages(chat_id, since=since))

    # then
    assert [m.cursor for m in messages] == [ms(BASE + 60 * n) for n in range(250, 119, -1)]
    assert max_server.count(MESSAGES) == 2


def test_unknown_fields_are_ignored(make_max, max_server):
    # given
    plain = make_max()
    expected = (list(plain.list_chats()), plain.list_members(PARENTS), list(plain.iter_messages(PARENTS)))
    max_server.unknown_fields = True
    max_server.data.chat(PARENTS).extra = {"pinned_message": {"body": {}}, "dialog_with_user": None}
    max_server.data.chat(PARENTS).messages[0].extra = {"stat": {"views": 3}, "reactions": []}
    backend = make_max()

    # when
    result = (list(backend.list_chats()), backend.list_members(PARENTS), list(backend.iter_messages(PARENTS)))

    # then
    assert result == expected


# -- faults: retried and succeeded ------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_rate_limit_and_server_errors_are_retried(make_max, max_server, clock, status):
    # given
    max_server.error(status, times=2, endpoint=MEMBERS)
    backend = make_max()

    # when
    members = backend.list_members(PARENTS)

    # then
    assert len(members) == 4
    assert backend.stats.retries == 2
    assert max_server.count(MEMBERS) == 3
    assert len(clock.sleeps) == 2


def test_bare_gateway_error_is_retried(make_max, max_server):
    # given
    max_server.http_status(502, times=1)
    backend = make_max()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    assert len(messages) == 12
    assert backend.stats.retries == 1


def test_slow_response_times_out_and_is_retried(make_max, max_server):
    # given
    max_server.slow(2.0, times=1)
    backend = make_max(timeout=0.2)

    # when
    members = backend.list_members(CLASS)

    # then
    assert len(members) == 3
    assert backend.stats.retries == 1


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_broken_connection_is_retried(make_max, max_server, fault):
    # given
    max_server.inject(fault, times=2)
    backend = make_max()

    # when
    chats = list(backend.list_chats())

    # then
    assert len(chats) == 3
    assert backend.stats.retries == 2


# -- faults: skipped -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404])
def test_chat_without_access_is_skipped(make_max, max_server, status, caplog):
    # given
    max_server.deny_chat(PARENTS, status)
    backend = make_max()

    # when
    chats = [chat.chat_id for chat in backend.list_chats()]
    with pytest.raises(ChatAccessError) as members_error:
        backend.list_members(PARENTS)
    with pytest.raises(ChatAccessError) as messages_error:
        list(backend.iter_messages(PARENTS))
    others = backend.list_members(CLASS), list(backend.iter_messages(CLASS))

    # then
    assert chats == [CLASS, CHANNEL]
    assert set(backend.skipped_chats) == {PARENTS}
    assert PARENTS in caplog.text
    assert members_error.value.chat_id == messages_error.value.chat_id == PARENTS
    assert str(status) in members_error.value.reason
    assert len(others[0]) == 3 and len(others[1]) == 5
    assert backend.stats.retries == 0


def test_chat_the_bot_left_is_skipped(make_max, max_server):
    # given
    max_server.data.chat(CLASS).status = "removed"
    backend = make_max()

    # when
    chats = [chat.chat_id for chat in backend.list_chats()]

    # then
    assert chats == [PARENTS, CHANNEL]
    assert backend.skipped_chats == {CLASS: "chat status removed"}


# -- faults: failed cleanly -----------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["wrong-token", f"Bearer {MAX_TOKEN}"])
def test_wrong_token_fails_at_once(make_max, max_server, token):
    # given
    backend = make_max(token=token)

    # when
    with pytest.raises(AuthError) as caught:
        list(backend.list_chats())

    # then
    assert "reconnect" in str(caught.value)
    assert max_server.count() == 1
    assert backend.stats.requests == 1 and backend.stats.retries == 0


def test_401_mid_sync_fails_at_once(make_max, max_server):
    # given
    max_server.error(401, endpoint=MESSAGES)
    backend = make_max()

    # when
    with pytest.raises(AuthError):
        list(backend.iter_messages(PARENTS))

    # then
    assert max_server.count(MESSAGES) == 1


def test_persistent_server_trouble_gives_up_after_the_bounded_attempts(make_max, max_server):
    # given
    max_server.error(503, times=100)
    backend = make_max()

    # when
    with pytest.raises(UnavailableError) as caught:
        list(backend.iter_messages(PARENTS))

    # then
    assert max_server.count(MESSAGES) == ATTEMPTS
    assert (backend.stats.requests, backend.stats.retries) == (ATTEMPTS, ATTEMPTS - 1)
    assert f"{ATTEMPTS} attempts" in str(caught.value)


def test_persistent_timeouts_give_up_after_the_bounded_attempts(make_max, max_server):
    # given
    max_server.slow(2.0, times=100)
    backend = make_max(timeout=0.2, retry=RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_cap=0.001))

    # when
    with pytest.raises(UnavailableError) as caught:
        backend.list_members(PARENTS)

    # then
    assert max_server.count() == 2
    assert "timeout" in str(caught.value)


def test_other_client_errors_fail_with_the_parameters(make_max, max_server):
    # given
    backend = make_max(page_size=500)  # the server allows at most 100

    # when
    with pytest.raises(InvalidRequestError) as caught:
        list(backend.iter_messages(PARENTS))

    # then
    message = str(caught.value)
    assert "GET /messages" in message and "'count': 500" in message and "proto.payload" in message
    assert MAX_TOKEN not in message
    assert max_server.count() == 1


def test_unlisted_server_error_is_not_retried(make_max, max_server):
    # given
    max_server.error(501)
    backend = make_max()

    # when
    with pytest.raises(UnavailableError):
        backend.list_members(PARENTS)

    # then
    assert max_server.count() == 1


# -- pacing ----------------------------------------------------------------------------------------


def test_pacing_at_thirty_requests_per_second(make_max, max_server, clock):
    # given
    chat_id = big_chat(max_server, members=100)
    max_server.page_limit = 10
    backend = make_max(rps=30)

    # when
    backend.list_members(chat_id)

    # then
    n = max_server.count()
    assert n == 10
    assert clock.slept >= (n - 1) / 30 - 1e-9


def test_rps_zero_never_sleeps(make_max, max_server, clock):
    # given
    chat_id = big_chat(max_server, members=100)
    max_server.page_limit = 10
    backend = make_max(rps=0)

    # when
    backend.list_members(chat_id)

    # then
    assert max_server.count() == 10
    assert clock.sleeps == []


# -- the token never shows ------------------------------------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("setup", ["auth", "access", "invalid", "http_503", "timeout", "drop", "reset", "refused"])
def test_token_never_in_errors_or_logs(make_max, max_server, caplog, setup):
    # given
    caplog.set_level(logging.DEBUG)
    options = {}
    if setup == "auth":
        max_server.error(401)
    elif setup == "access":
        max_server.deny_chat(PARENTS, 403)
    elif setup == "invalid":
        options["page_size"] = 1000
    elif setup == "http_503":
        max_server.http_status(503, times=100)
    elif setup == "timeout":
        max_server.slow(2.0, times=100)
        options["timeout"] = 0.1
    elif setup in ("drop", "reset"):
        max_server.inject(setup, times=100)
    else:
        options["base_url"] = _closed_port_url()
    backend = make_max(**options)

    # when
    with pytest.raises((AuthError, ChatAccessError, InvalidRequestError, UnavailableError)) as caught:
        list(backend.iter_messages(PARENTS))

    # then
    exc = caught.value
    for text in (str(exc), repr(exc), "".join(traceback.format_exception(exc)), caplog.text, repr(backend)):
        assert MAX_TOKEN not in text
    assert MAX_TOKEN not in str(backend) and MAX_TOKEN not in repr(backend._http)

"""The vk backend against its loopback server: data, paging, and every fault the wire contract names."""

from __future__ import annotations

import logging
import socket
import traceback
from datetime import UTC, datetime

import pytest

from sferum_api import Backend
from sferum_api.errors import AuthError, ChatAccessError, InvalidRequestError, UnavailableError
from sferum_api.http import RetryPolicy
from sferum_api.testing import ChatData, MemberData, MessageData, VkServer
from sferum_api.testing.vk_server import GET_CONVERSATIONS, GET_HISTORY, GET_MEMBERS
from sferum_api.text import text_digest

from .conftest import ATTEMPTS, HASH_KEY, VK_TOKEN

PARENTS, CLASS, CHANNEL = "2000000001", "2000000002", "2000000003"
BASE = 1_763_366_400


def big_chat(server: VkServer, *, members: int = 0, messages: int = 0) -> str:
    """Add a chat with many members and messages (ids 10001.., one a minute) and return its id."""
    chat = ChatData(chat_id=2000000099, title="Большой чат", owner_id=201)
    for n in range(members):
        server.data.add_user(5000 + n, f"Имя{n}", f"Фамилия{n}", role_code="parent")
        chat.members.append(MemberData(5000 + n, join_date=BASE + n))
    chat.messages = [
        MessageData(id=10000 + n, date=BASE + 60 * n, from_id=201, text=f"m{n}") for n in range(1, messages + 1)
    ]
    server.data.chats.append(chat)
    return str(chat.chat_id)


# -- data ----------------------------------------------------------------------------------------------


def test_backend_implements_the_protocol(make_vk):
    backend = make_vk()
    assert isinstance(backend, Backend)
    assert backend.name == "vk"


def test_list_chats_skips_personal_dialogs_and_marks_channels(make_vk, vk_server):
    # given
    backend = make_vk()

    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}

    # then
    assert set(chats) == {PARENTS, CLASS, CHANNEL}
    assert chats[PARENTS].title == "5А Родители"
    assert chats[PARENTS].owner_id == "201"
    assert chats[PARENTS].admin_ids == ("201",)
    assert chats[PARENTS].members_count == 5
    assert chats[CHANNEL].is_channel and not chats[CLASS].is_channel
    params = vk_server.calls(GET_CONVERSATIONS)[0].params
    assert params | {"offset": "0"} == {"offset": "0", "count": "200", "extended": "1", "filter": "all", "v": "5.199"}


def test_list_chats_pages_through_short_pages(make_vk, vk_server):
    # given
    vk_server.page_limit = 1
    backend = make_vk()

    # when
    chats = list(backend.list_chats())

    # then
    assert len(chats) == 3
    # more than one page: a second pass checks that no chat moved past the pages while they were read
    assert [r.params["offset"] for r in vk_server.calls(GET_CONVERSATIONS)] == ["0", "1", "2", "3"] * 2


def test_list_members_roles_pending_accounts_and_communities(make_vk, vk_server):
    # given
    backend = make_vk()

    # when
    members = {m.user_id: m for m in backend.list_members(PARENTS)}

    # then
    assert set(members) == {"201", "301", "302", "303"}  # community -5 left out
    assert members["201"].profile.role_code == "teacher"
    assert members["201"].is_admin and members["201"].is_owner
    assert members["301"].profile.role_code == "parent"
    assert not members["301"].is_admin and not members["301"].is_owner
    assert members["303"].profile.role_code is None  # no educational profile: pending
    assert members["301"].profile.first_name == "Пётр"
    assert members["301"].joined_at == datetime.fromtimestamp(BASE - 80 * 86400, tz=UTC)
    assert members["301"].joined_at.tzinfo is UTC
    params = vk_server.calls(GET_MEMBERS)[0].params
    assert params["fields"] == "educational_profile" and params["extended"] == "1" and params["count"] == "200"
    assert backend.stats.unknown_role_codes == set()


def test_unknown_role_code_maps_to_no_role_and_is_recorded(make_vk, vk_server, caplog):
    # given
    caplog.set_level(logging.INFO, logger="sferum_api")
    vk_server.data.users[302].role_code = "headmaster"
    backend = make_vk()

    # when
    members = {m.user_id: m for m in backend.list_members(PARENTS)}

    # then
    assert members["302"].profile.role_code is None
    assert backend.stats.unknown_role_codes == {"headmaster"}
    assert "headmaster" in caplog.text
    assert "Анна" not in caplog.text  # no names in the log


def test_list_members_pages_through_short_pages(make_vk, vk_server):
    # given
    chat_id = big_chat(vk_server, members=450)
    vk_server.page_limit = 37
    backend = make_vk()

    # when
    members = backend.list_members(chat_id)

    # then
    assert len(members) == 450
    assert len({m.user_id for m in members}) == 450
    calls = vk_server.calls(GET_MEMBERS)
    assert len(calls) == 13  # ceil(450 / 37)
    assert [int(r.params["offset"]) for r in calls] == [37 * n for n in range(13)]


def test_iter_messages_newest_first_with_kinds_bots_and_service_events(make_vk):
    # given
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    assert [m.cursor for m in messages] == list(range(1012, 1000, -1))
    by_id = {m.message_id: m for m in messages}
    assert by_id["1003"].kind == "document"
    assert by_id["1006"].kind == "photo"
    assert by_id["1008"].kind == "service" and not by_id["1008"].counts
    assert by_id["1010"].from_bot and by_id["1010"].author_id is None and not by_id["1010"].counts
    assert by_id["1012"].author_id == "301" and by_id["1012"].counts
    assert by_id["1012"].sent_at == datetime.fromtimestamp(BASE + 12 * 600, tz=UTC)
    assert (by_id["1012"].text_length, by_id["1012"].emoji_only, by_id["1012"].text_hash) == text_digest(
        "Сообщение 12", key=HASH_KEY
    )
    assert not hasattr(by_id["1012"], "text")


def test_attachment_kinds_and_calls(make_vk, vk_server):
    # given
    chat = vk_server.data.chat(CLASS)
    chat.messages = [
        MessageData(id=1, date=BASE + 1, from_id=401, attachments=("document",)),
        MessageData(id=2, date=BASE + 2, from_id=401, attachments=("video",)),
        MessageData(id=3, date=BASE + 3, from_id=401, attachments=("link",)),
        MessageData(id=4, date=BASE + 4, from_id=401, attachments=("photo",)),
        MessageData(id=5, date=BASE + 5, from_id=401, attachments=("call",)),
        MessageData(id=6, date=BASE + 6, from_id=401, attachments=("group_call_in_progress",)),
        MessageData(id=7, date=BASE + 7, from_id=401, attachments=("sticker",)),
        MessageData(id=8, date=BASE + 8, from_id=401, attachments=("sticker", "doc")),
        MessageData(id=9, date=BASE + 9, from_id=401, action="call"),
        MessageData(id=10, date=BASE + 10, from_id=401, action="chat_kick_user"),
    ]
    backend = make_vk()

    # when
    kinds = {int(m.message_id): m.kind for m in backend.iter_messages(CLASS)}

    # then
    assert kinds == {
        1: "document", 2: "video", 3: "link", 4: "photo", 5: "call", 6: "call",
        7: "text", 8: "document", 9: "call", 10: "service",
    }  # fmt: skip


def test_iter_messages_pages_through_short_pages(make_vk, vk_server):
    # given
    chat_id = big_chat(vk_server, messages=500)
    vk_server.page_limit = 70
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    assert [m.cursor for m in messages] == list(range(10500, 10000, -1))
    calls = vk_server.calls(GET_HISTORY)
    assert len(calls) == 8  # ceil(500 / 70)
    assert all(r.params["count"] == "200" and r.params["rev"] == "0" for r in calls)
    assert [int(r.params["offset"]) for r in calls] == [70 * n for n in range(8)]


def test_message_arriving_while_paging_is_yielded_once(make_vk, vk_server):
    # given
    chat_id = big_chat(vk_server, messages=10)
    vk_server.page_limit = 4
    vk_server.insert_message_while_paging(chat_id, MessageData(id=10011, date=BASE + 60 * 11, from_id=201))
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    served = [i for r in vk_server.calls(GET_HISTORY) for i in r.item_ids]
    assert len(served) > len(set(served))  # one message really was on two pages
    assert [m.cursor for m in messages] == list(range(10010, 10000, -1))  # each once, none missed


def test_iter_messages_stops_at_the_cursor(make_vk, vk_server):
    # given
    chat_id = big_chat(vk_server, messages=500)
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(chat_id, after_cursor=10450))

    # then
    assert [m.cursor for m in messages] == list(range(10500, 10450, -1))
    assert vk_server.count(GET_HISTORY) == 1  # no paging past the cursor


def test_iter_messages_stops_before_since(make_vk, vk_server):
    # given
    chat_id = big_chat(vk_server, messages=500)
    since = datetime.fromtimestamp(BASE + 60 * 250, tz=UTC)
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(chat_id, since=since))

    # then
    assert [m.cursor for m in messages] == list(range(10500, 10249, -1))
    assert vk_server.count(GET_HISTORY) == 2


def test_naive_since_is_refused(make_vk):
    with pytest.raises(ValueError):
        list(make_vk().iter_messages(PARENTS, since=datetime(2025, 11, 1)))


def test_unknown_fields_are_ignored(make_vk, vk_server):
    # given
    plain = make_vk()
    expected = (list(plain.list_chats()), plain.list_members(PARENTS), list(plain.iter_messages(PARENTS)))
    vk_server.unknown_fields = True
    vk_server.data.users[301].extra = {"educational_profile": {"edu_roles": {"main_role_code": "parent", "x": 1}}}
    vk_server.data.chat(PARENTS).members[1].extra = {"is_restricted_to_write": False}
    vk_server.data.chat(PARENTS).messages[0].extra = {"reactions": [{"id": 1}], "format_data": {}}
    backend = make_vk()

    # when
    result = (list(backend.list_chats()), backend.list_members(PARENTS), list(backend.iter_messages(PARENTS)))

    # then
    assert result == expected
    assert vk_server.calls(GET_HISTORY)[-1].params  # the decorated run really went through the server


# -- faults: retried and succeeded ------------------------------------------------------------------


@pytest.mark.parametrize("code", [6, 9, 29, 10])
def test_rate_limit_and_server_errors_are_retried(make_vk, vk_server, clock, code):
    # given
    vk_server.error(code, times=2, endpoint=GET_MEMBERS)
    backend = make_vk()

    # when
    members = backend.list_members(PARENTS)

    # then
    assert len(members) == 4
    assert backend.stats.retries == 2
    assert vk_server.count(GET_MEMBERS) == 3
    assert len(clock.sleeps) == 2  # backoff, on the virtual clock


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_http_errors_are_retried(make_vk, vk_server, status):
    # given
    vk_server.http_status(status, times=1)
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    assert len(messages) == 12
    assert backend.stats.retries == 1


def test_slow_response_times_out_and_is_retried(make_vk, vk_server):
    # given
    vk_server.slow(2.0, times=1)
    backend = make_vk(timeout=0.2)

    # when
    chats = list(backend.list_chats())

    # then
    assert len(chats) == 3
    assert backend.stats.retries == 1
    assert vk_server.count(GET_CONVERSATIONS) == 2


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_broken_connection_is_retried(make_vk, vk_server, fault):
    # given
    vk_server.inject(fault, times=2)
    backend = make_vk()

    # when
    members = backend.list_members(CLASS)

    # then
    assert {m.user_id for m in members} == {"201", "401", "402"}
    assert backend.stats.retries == 2


# -- faults: skipped -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [7, 15, 917, 927, 945, 946])
def test_chat_without_access_is_skipped(make_vk, vk_server, code):
    # given
    vk_server.deny_chat(PARENTS, code)
    backend = make_vk()

    # when
    with pytest.raises(ChatAccessError) as members_error:
        backend.list_members(PARENTS)
    with pytest.raises(ChatAccessError) as messages_error:
        list(backend.iter_messages(PARENTS))
    others = backend.list_members(CLASS), list(backend.iter_messages(CLASS))

    # then
    assert members_error.value.chat_id == PARENTS
    assert members_error.value.reason == f"no access ({code})"
    assert messages_error.value.chat_id == PARENTS
    assert len(others[0]) == 3 and len(others[1]) == 5
    assert backend.stats.retries == 0


def test_access_error_on_the_chat_list_stops_the_sync(make_vk, vk_server):
    # given
    vk_server.error(15, endpoint=GET_CONVERSATIONS)
    backend = make_vk()

    # when
    with pytest.raises(AuthError):
        list(backend.list_chats())

    # then
    assert backend.stats.requests == 1


# -- faults: failed cleanly -----------------------------------------------------------------------------


def test_wrong_token_fails_at_once(make_vk, vk_server):
    # given
    backend = make_vk(token="wrong-token")

    # when
    with pytest.raises(AuthError) as caught:
        list(backend.list_chats())

    # then
    assert "reconnect" in str(caught.value)
    assert vk_server.count() == 1
    assert backend.stats.requests == 1 and backend.stats.retries == 0


def test_error_5_mid_sync_fails_at_once(make_vk, vk_server):
    # given
    vk_server.error(5, endpoint=GET_HISTORY)
    backend = make_vk()

    # when
    with pytest.raises(AuthError):
        list(backend.iter_messages(PARENTS))

    # then
    assert vk_server.count(GET_HISTORY) == 1


def test_persistent_server_trouble_gives_up_after_the_bounded_attempts(make_vk, vk_server, clock):
    # given
    vk_server.http_status(503, times=100)
    backend = make_vk()

    # when
    with pytest.raises(UnavailableError) as caught:
        backend.list_members(PARENTS)

    # then
    assert vk_server.count(GET_MEMBERS) == ATTEMPTS
    assert backend.stats.requests == ATTEMPTS
    assert backend.stats.retries == ATTEMPTS - 1
    assert f"{ATTEMPTS} attempts" in str(caught.value)


def test_persistent_rate_limit_gives_up_after_the_bounded_attempts(make_vk, vk_server):
    # given
    vk_server.error(6, times=100)
    backend = make_vk()

    # when
    with pytest.raises(UnavailableError):
        list(backend.list_chats())

    # then
    assert vk_server.count() == ATTEMPTS


def test_persistent_timeouts_give_up_after_the_bounded_attempts(make_vk, vk_server):
    # given
    vk_server.slow(2.0, times=100)
    backend = make_vk(timeout=0.2, retry=RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_cap=0.001))

    # when
    with pytest.raises(UnavailableError) as caught:
        list(backend.list_chats())

    # then
    assert backend.stats.requests == 2
    assert "timeout" in str(caught.value)


def test_connection_refused_gives_up_after_the_bounded_attempts(make_vk):
    # given
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = make_vk(base_url=f"http://127.0.0.1:{port}")

    # when
    with pytest.raises(UnavailableError):
        list(backend.list_chats())

    # then
    assert backend.stats.requests == ATTEMPTS


def test_invalid_parameter_fails_with_method_and_parameters(make_vk, vk_server):
    # given
    backend = make_vk(page_size=500)  # the server allows at most 200

    # when
    with pytest.raises(InvalidRequestError) as caught:
        list(backend.iter_messages(PARENTS))

    # then
    message = str(caught.value)
    assert "messages.getHistory" in message and "'peer_id': '2000000001'" in message and "'count': 500" in message
    assert VK_TOKEN not in message
    assert vk_server.count() == 1


def test_unknown_error_code_fails_without_retry(make_vk, vk_server):
    # given
    vk_server.error(18)
    backend = make_vk()

    # when
    with pytest.raises(InvalidRequestError):
        backend.list_members(PARENTS)

    # then
    assert vk_server.count() == 1


# -- pacing ----------------------------------------------------------------------------------------


def test_pacing_at_three_requests_per_second(make_vk, vk_server, clock):
    # given
    chat_id = big_chat(vk_server, messages=50)
    vk_server.page_limit = 10
    backend = make_vk(rps=3)

    # when
    list(backend.iter_messages(chat_id))

    # then
    n = vk_server.count()
    assert n == 5
    assert clock.slept >= (n - 1) / 3 - 1e-9


def test_rps_zero_never_sleeps(make_vk, vk_server, clock):
    # given
    vk_server.page_limit = 1
    backend = make_vk(rps=0)

    # when
    list(backend.list_chats())

    # then
    assert vk_server.count() == 8  # two passes of four pages
    assert clock.sleeps == []


# -- the token never shows ------------------------------------------------------------------------------


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(
    "setup",
    ["auth", "access", "invalid", "unknown", "http_503", "rate_limit", "timeout", "drop", "reset", "refused"],
)
def test_token_never_in_errors_or_logs(make_vk, vk_server, caplog, setup):
    # given
    caplog.set_level(logging.DEBUG)
    options = {}
    if setup == "auth":
        vk_server.error(5)
    elif setup == "access":
        vk_server.deny_chat(PARENTS, 917)
    elif setup == "invalid":
        options["page_size"] = 1000
    elif setup == "unknown":
        vk_server.error(1)
    elif setup == "http_503":
        vk_server.http_status(503, times=100)
    elif setup == "rate_limit":
        vk_server.error(29, times=100)
    elif setup == "timeout":
        vk_server.slow(2.0, times=100)
        options["timeout"] = 0.1
    elif setup in ("drop", "reset"):
        vk_server.inject(setup, times=100)
    else:
        options["base_url"] = _closed_port_url()
    backend = make_vk(**options)

    # when
    with pytest.raises((AuthError, ChatAccessError, InvalidRequestError, UnavailableError)) as caught:
        list(backend.iter_messages(PARENTS))

    # then
    exc = caught.value
    for text in (str(exc), repr(exc), "".join(traceback.format_exception(exc)), caplog.text, repr(backend)):
        assert VK_TOKEN not in text
    assert VK_TOKEN not in str(backend) and VK_TOKEN not in repr(backend._http)
    assert all("access_token" not in r.params for r in vk_server.requests)


# -- snapshots -----------------------------------------------------------------------------------------


def test_from_backend_serves_the_same_school(make_vk):
    # given
    source = make_vk()

    # when
    with VkServer.from_backend(source, token="copy-token") as copy_server:
        copy = make_vk(base_url=copy_server.url, token="copy-token")
        chats = list(copy.list_chats())
        members = copy.list_members(PARENTS)
        messages = list(copy.iter_messages(PARENTS))

    # then
    assert chats == list(source.list_chats())
    assert members == source.list_members(PARENTS)
    original = list(source.iter_messages(PARENTS))
    assert [(m.message_id, m.sent_at, m.author_id, m.kind, m.from_bot, m.text_length) for m in messages] == [
        (m.message_id, m.sent_at, m.author_id, m.kind, m.from_bot, m.text_length) for m in original
    ]

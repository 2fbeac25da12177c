"""Malformed items on the wire: typed readers, skipped and counted items, cursors past them, chats by id."""

from __future__ import annotations

import logging
from datetime import UTC
from datetime import datetime

import pytest

from sferum_api.errors import InvalidRequestError
from sferum_api.testing import MessageData
from sferum_api.testing.max_server import MESSAGES
from sferum_api.testing.vk_server import GET_BY_ID
from sferum_api.testing.vk_server import GET_CONVERSATIONS
from sferum_api.testing.vk_server import GET_HISTORY
from sferum_api.testing.vk_server import GET_MEMBERS
from sferum_api.wire import Malformed
from sferum_api.wire import clean_text
from sferum_api.wire import read_int
from sferum_api.wire import read_key
from sferum_api.wire import read_millis
from sferum_api.wire import read_seconds

from .conftest import MAX_CHAT_IDS

PARENTS, CLASS, CHANNEL = "2000000001", "2000000002", "2000000003"
BASE = 1_763_366_400


def test_clean_text_replaces_lone_surrogates_joins_pairs_and_drops_nul():
    assert clean_text("a\ud800b") == "a\ufffdb"
    assert clean_text("\ud83d\ude00") == "😀"
    assert clean_text("Иван\x00ов") == "Иванов"
    assert clean_text(None) == "" and clean_text(5) == ""


@pytest.mark.parametrize(
    ("value", "problem"),
    [(None, "missing"), ("5", "wrong type"), (True, "wrong type"), (1.5, "wrong type"), (2**63, "out of range")],
)
def test_read_int_names_the_field_and_the_problem(value, problem):
    with pytest.raises(Malformed) as caught:
        read_int(value, what="message", field="id")
    assert caught.value.reason == f"message.id: {problem}"


def test_timestamps_must_be_sane_seconds_or_milliseconds():
    assert read_seconds(BASE, what="m", field="date") == datetime.fromtimestamp(BASE, tz=UTC)
    assert read_millis(BASE * 1000, what="m", field="t") == datetime.fromtimestamp(BASE, tz=UTC)
    for wrong in (BASE * 1000, 2**63 - 1, -1, 0):
        with pytest.raises(Malformed):
            read_seconds(wrong, what="m", field="date")
    with pytest.raises(Malformed):
        read_millis(BASE, what="m", field="t")  # seconds where milliseconds are expected


def test_a_key_is_a_short_clean_string():
    assert read_key("mid.1", what="m", field="mid") == "mid.1"
    for wrong in ("", "x" * 65, "mid\ud800", 5):
        with pytest.raises(Malformed):
            read_key(wrong, what="m", field="mid")


def test_vk_skips_unreadable_messages_counts_them_and_moves_the_cursor_past_them(make_vk, vk_server, caplog):
    # given: the newest message has its date in milliseconds, the next one has no id, a text has a lone surrogate
    chat = vk_server.data.chat(CLASS)
    chat.messages.append(MessageData(id=9001, date=BASE, from_id=201, text="ok", extra={"date": BASE * 1000}))
    chat.messages.append(MessageData(id=9000, date=BASE - 1, from_id=201, text="x", extra={"id": "nine"}))
    chat.messages.append(MessageData(id=8999, date=BASE - 2, from_id=201, text="secret \ud800 text"))
    backend = make_vk()

    # when
    with caplog.at_level(logging.WARNING):
        messages = list(backend.iter_messages(CLASS))

    # then
    ids = [m.message_id for m in messages]
    assert "9001" not in ids and "8999" in ids
    assert backend.stats.skipped_items == {"message.date: out of range": 1, "message.id: wrong type": 1}
    assert backend.stats.skipped_cursors == {CLASS: 9001}
    assert "secret" not in caplog.text and "message.date: out of range" in caplog.text


def test_vk_members_with_unreadable_ids_are_skipped_and_names_are_cleaned(make_vk, vk_server):
    # given
    vk_server.data.users[201].first_name = "Мар\udc00ия"
    vk_server.data.chat(PARENTS).members[0].extra = {"join_date": 2**62}
    vk_server.data.chat(PARENTS).members[1].extra = {"member_id": None}
    backend = make_vk()

    # when
    members = backend.list_members(PARENTS)

    # then
    assert backend.stats.skipped_items == {"member.member_id: missing": 1}
    by_id = {m.user_id: m for m in members}
    assert by_id["201"].profile.first_name == "Мар\ufffdия" and by_id["201"].joined_at is None


def test_vk_stops_paging_a_server_that_ignores_the_offset(make_vk, vk_server):
    # given: every history page is the same, and the count never ends
    page = {"response": {"count": 2**62, "items": [{"id": 5, "date": BASE, "from_id": 201, "text": ""}]}}
    vk_server.serve_bodies(GET_HISTORY, *[page] * 50)
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(CLASS))

    # then
    assert [m.message_id for m in messages] == ["5"]
    assert vk_server.count(GET_HISTORY) == 4  # the first page and three that brought nothing new


def conversation(peer_id: str, title: str, state: str = "in") -> dict:
    return {"peer": {"id": int(peer_id), "type": "chat"}, "chat_settings": {"title": title, "state": state}}


def test_vk_lists_again_when_a_chat_moved_past_the_pages(make_vk, vk_server):
    # given: while the client pages, the class chat jumps to the top, so the second page repeats the first
    vk_server.page_limit = 1
    first = {"response": {"count": 3, "items": [conversation(PARENTS, "5А Родители")]}}
    channel = {"response": {"count": 3, "items": [conversation(CHANNEL, "Новости")]}}
    vk_server.serve_bodies(GET_CONVERSATIONS, first, first, channel)
    backend = make_vk()

    # when
    chats = [chat.chat_id for chat in backend.list_chats()]

    # then
    assert sorted(chats) == [PARENTS, CLASS, CHANNEL]


def test_vk_fetches_chats_by_id_and_leaves_out_gone_ones(make_vk, vk_server):
    # given
    vk_server.data.chat(CHANNEL).status = "removed"
    backend = make_vk()

    # when
    found = backend.chats_by_id([PARENTS, CHANNEL, "2000000077"])

    # then
    assert [chat.chat_id for chat in found] == [PARENTS]
    assert vk_server.calls(GET_BY_ID)[0].params["peer_ids"] == f"{PARENTS},{CHANNEL},2000000077"


def test_vk_chats_by_id_asks_one_by_one_when_one_chat_refuses(make_vk, vk_server):
    # given
    vk_server.deny_chat(CLASS, 917)
    backend = make_vk()

    # when
    found = backend.chats_by_id([PARENTS, CLASS])

    # then
    assert [chat.chat_id for chat in found] == [PARENTS]
    assert vk_server.count(GET_BY_ID) == 3
    assert not vk_server.count(GET_MEMBERS)


def test_max_skips_messages_without_a_readable_id_and_moves_the_cursor_past_them(make_max, max_server):
    # given
    chat_id = str(MAX_CHAT_IDS[0])
    chat = max_server.data.chat(chat_id)
    chat.messages.append(MessageData(id=9001, date=BASE + 10**6, from_id=201, extra={"body": {"mid": 7}}))
    chat.messages.append(MessageData(id=9000, date=BASE + 10**6 - 1, from_id=201, extra={"timestamp": 2**63 - 1}))
    backend = make_max()

    # when
    messages = list(backend.iter_messages(chat_id))

    # then
    assert messages and all(m.sent_at.year < 2100 for m in messages)
    assert backend.stats.skipped_items == {"message.body.mid: wrong type": 1, "message.timestamp: out of range": 1}
    assert backend.stats.skipped_cursors == {chat_id: (BASE + 10**6) * 1000}
    assert max_server.count(MESSAGES) >= 1


def test_max_fetches_chats_by_id(make_max, max_server):
    # given
    max_server.deny_chat(MAX_CHAT_IDS[1], 403)
    backend = make_max()

    # when
    found = backend.chats_by_id([str(MAX_CHAT_IDS[0]), str(MAX_CHAT_IDS[1])])

    # then
    assert [chat.chat_id for chat in found] == [str(MAX_CHAT_IDS[0])]


def test_an_error_message_with_a_lone_surrogate_comes_back_clean(make_vk, vk_server):
    # given
    vk_server.serve_bodies(GET_HISTORY, {"error": {"error_code": 100, "error_msg": "bad \ud800 param"}})
    backend = make_vk()

    # when
    with pytest.raises(InvalidRequestError) as caught:
        list(backend.iter_messages(CLASS))

    # then
    str(caught.value).encode("utf-8")

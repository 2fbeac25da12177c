"""What only the vk backend has: role codes, conversation paging, offsets, message ids as cursors, error codes.

The behaviours both backends share (paging, retries, token and access errors, cursors, the token never shown)
are in `test_backend_contract.py`, run against vk and max alike.
"""

from __future__ import annotations

import logging

import pytest

from sferum_api.errors import AuthError
from sferum_api.errors import ChatAccessError
from sferum_api.testing import MessageData
from sferum_api.testing.vk_server import GET_CONVERSATIONS
from sferum_api.testing.vk_server import GET_HISTORY
from sferum_api.testing.vk_server import GET_MEMBERS
from sferum_api.text import text_digest

from .conftest import HASH_KEY
from .platforms import Platform

PARENTS, CLASS, CHANNEL = "2000000001", "2000000002", "2000000003"
BASE = 1_763_366_400


# -- data ----------------------------------------------------------------------------------------------


def test_list_chats_asks_for_every_conversation_and_reads_the_admins(make_vk, vk_server):
    # given
    backend = make_vk()

    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}

    # then
    assert chats[PARENTS].admin_ids == ("201",)
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


def test_list_members_role_codes_and_pending_accounts(make_vk, vk_server):
    # given
    backend = make_vk()

    # when
    members = {m.user_id: m for m in backend.list_members(PARENTS)}

    # then
    assert members["201"].profile.role_code == "teacher"
    assert members["301"].profile.role_code == "parent"
    assert members["303"].profile.role_code is None  # no educational profile: pending
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


def test_message_ids_are_the_cursors_and_service_events_never_count(make_vk):
    # given
    backend = make_vk()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    assert [m.cursor for m in messages] == list(range(1012, 1000, -1))
    by_id = {m.message_id: m for m in messages}
    assert by_id["1008"].kind == "service" and not by_id["1008"].counts
    assert (by_id["1012"].text_length, by_id["1012"].emoji_only, by_id["1012"].text_hash) == text_digest(
        "Сообщение 12", key=HASH_KEY
    )


def test_calls_stickers_and_service_events(make_vk, vk_server):
    # given: the kinds only vk has (the kinds both platforms share are in the contract)
    vk_server.data.chat(CLASS).messages = [
        MessageData(id=1, date=BASE + 1, from_id=401, attachments=("group_call_in_progress",)),
        MessageData(id=2, date=BASE + 2, from_id=401, attachments=("sticker", "doc")),
        MessageData(id=3, date=BASE + 3, from_id=401, action="call"),
        MessageData(id=4, date=BASE + 4, from_id=401, action="chat_kick_user"),
    ]
    backend = make_vk()

    # when
    kinds = {int(m.message_id): m.kind for m in backend.iter_messages(CLASS)}

    # then
    assert kinds == {1: "call", 2: "document", 3: "call", 4: "service"}


def test_calls_carry_the_duration_and_participants_the_platform_reports_and_nothing_else(make_vk, vk_server):
    # given: a finished call with its duration, a group call with its participants, a call action, and odd values
    def call(number: int, attachment: dict) -> MessageData:
        return MessageData(id=number, date=BASE + number, from_id=401, extra={"attachments": [attachment]})

    vk_server.data.chat(CLASS).messages = [
        call(1, {"type": "call", "call": {"initiator_id": 401, "state": "reached", "duration": 2520, "video": True}}),
        call(2, {"type": "group_call_in_progress", "group_call_in_progress": {"participants": {"count": 24}}}),
        MessageData(id=3, date=BASE + 3, from_id=401, action="group_call_in_progress"),
        call(4, {"type": "call", "call": {"duration": -5}}),
        call(5, {"type": "call", "call": {"duration": "2520"}}),
        call(6, {"type": "group_call_in_progress", "group_call_in_progress": {"participants": [1, 2]}}),
        call(7, {"type": "call", "call": None}),
        MessageData(id=8, date=BASE + 8, from_id=401, attachments=("doc", "photo", "doc")),
    ]
    backend = make_vk()

    # when
    by_id = {int(m.message_id): m for m in backend.iter_messages(CLASS)}

    # then
    details = {number: (m.call_duration, m.call_participants) for number, m in by_id.items()}
    assert details == {
        1: (2520, None),
        2: (None, 24),
        3: (None, None),
        4: (None, None),
        5: (None, None),
        6: (None, None),
        7: (None, None),
        8: (None, None),
    }
    assert all(by_id[number].attachments == {"call"} for number in range(1, 8))
    assert by_id[8].attachments == {"document", "photo"}


def test_iter_messages_pages_by_offset(make_vk, vk_server):
    # given
    chat_id = Platform("vk", vk_server, make_vk).big_chat(messages=500)
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


# -- faults --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [7, 15, 917, 927, 945, 946])
def test_chat_access_error_names_the_code(make_vk, vk_server, code):
    # given
    vk_server.deny_chat(PARENTS, code)
    backend = make_vk()

    # when
    with pytest.raises(ChatAccessError) as caught:
        backend.list_members(PARENTS)

    # then
    assert caught.value.reason == f"no access ({code})"


def test_access_error_on_the_chat_list_stops_the_sync(make_vk, vk_server):
    # given
    vk_server.error(15, endpoint=GET_CONVERSATIONS)
    backend = make_vk()

    # when
    with pytest.raises(AuthError):
        list(backend.list_chats())

    # then
    assert backend.stats.requests == 1

"""What only the max backend has: configured chat ids, bots among members, mids and millisecond cursors,
`to` paging, forwards, and its HTTP statuses.

The behaviours both backends share (paging, retries, token and access errors, cursors, the token never shown)
are in `test_backend_contract.py`, run against vk and max alike.
"""

from __future__ import annotations

import pytest

from sferum_api.errors import AuthError
from sferum_api.testing import MaxServer
from sferum_api.testing import MessageData
from sferum_api.testing.max_server import CHAT
from sferum_api.testing.max_server import MEMBERS
from sferum_api.testing.max_server import MESSAGES
from sferum_api.text import text_digest

from .conftest import HASH_KEY
from .conftest import MAX_CHAT_IDS
from .conftest import MAX_TOKEN
from .platforms import BIG_MAX
from .platforms import Platform

PARENTS, CLASS, CHANNEL = (str(chat_id) for chat_id in MAX_CHAT_IDS)
BIG = str(BIG_MAX)
BASE = 1_763_366_400


def ms(seconds: int) -> int:
    return seconds * 1000


# -- data ----------------------------------------------------------------------------------------------


def test_list_chats_reads_each_configured_chat(make_max, max_server):
    # given
    backend = make_max(chat_ids=[PARENTS, CLASS, CHANNEL, "301"])  # 301 is a personal dialog

    # when
    chats = {chat.chat_id: chat for chat in backend.list_chats()}

    # then
    assert set(chats) == {PARENTS, CLASS, CHANNEL}
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
    assert all(m.profile.role_code is None for m in members.values())
    assert max_server.calls(MEMBERS)[0].params == {"count": "100"}


def test_message_ids_are_mids_and_cursors_are_milliseconds(make_max, max_server):
    # given
    backend = make_max()

    # when
    messages = list(backend.iter_messages(PARENTS))

    # then
    chat = max_server.data.chat(PARENTS)
    assert [m.message_id for m in messages] == [MaxServer.mid(chat, m) for m in chat.newest_first()]
    assert [m.cursor for m in messages] == [ms(BASE + n * 600) for n in range(12, 0, -1)]
    by_seq = {int(m.message_id[-16:], 16): m for m in messages}
    assert by_seq[1008].author_id is None and not by_seq[1008].counts  # no sender: kept, never counted
    assert (by_seq[1012].text_length, by_seq[1012].text_hash) == text_digest("Сообщение 12", key=HASH_KEY)[::2]


def test_keyboards_forwards_and_replies(make_max, max_server):
    # given: the kinds only max has (the kinds both platforms share are in the contract)
    forward = {"link": {"type": "forward", "message": {"mid": "mid.x", "attachments": [{"type": "file"}]}}}
    reply = {"link": {"type": "reply", "message": {"mid": "mid.y", "attachments": [{"type": "video"}]}}}
    max_server.data.chat(CLASS).messages = [
        MessageData(id=7, date=BASE + 7, from_id=401, attachments=("inline_keyboard", "image")),
        MessageData(id=8, date=BASE + 8, from_id=401, extra=forward),
        MessageData(id=9, date=BASE + 9, from_id=401, text="ответ", extra=reply),
    ]
    backend = make_max()

    # when
    messages = {m.cursor // 1000 - BASE: m for m in backend.iter_messages(CLASS)}

    # then
    assert {n: m.kind for n, m in messages.items()} == {7: "photo", 8: "document", 9: "text"}
    assert {n: m.attachments for n, m in messages.items()} == {7: {"photo"}, 8: {"document"}, 9: set()}
    assert messages[8].author_id == "401" and messages[8].counts  # a forward counts for who forwarded it


def test_iter_messages_pages_older_with_to_and_dedupes_the_boundary(make_max, max_server):
    # given
    chat_id = Platform("max", max_server, make_max).big_chat(messages=250)
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


# -- faults --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 404])
def test_chat_without_access_is_left_out_of_the_chat_list(make_max, max_server, status, caplog):
    # given
    max_server.deny_chat(PARENTS, status)
    backend = make_max()

    # when
    chats = [chat.chat_id for chat in backend.list_chats()]

    # then
    assert chats == [CLASS, CHANNEL]
    assert set(backend.skipped_chats) == {PARENTS}
    assert PARENTS in caplog.text


def test_chat_the_bot_left_is_skipped(make_max, max_server):
    # given
    max_server.data.chat(CLASS).status = "removed"
    backend = make_max()

    # when
    chats = [chat.chat_id for chat in backend.list_chats()]

    # then
    assert chats == [PARENTS, CHANNEL]
    assert backend.skipped_chats == {CLASS: "chat status removed"}


def test_bearer_prefixed_token_fails_at_once(make_max, max_server):
    # given
    backend = make_max(token=f"Bearer {MAX_TOKEN}")

    # when
    with pytest.raises(AuthError) as caught:
        list(backend.list_chats())

    # then
    assert "reconnect" in str(caught.value)
    assert max_server.count() == 1
    assert backend.stats.requests == 1 and backend.stats.retries == 0

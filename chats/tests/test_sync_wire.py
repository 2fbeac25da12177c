"""Malformed platform data and chats that go away, through the loopback vk and max servers and the sync log."""

from __future__ import annotations

import io
import json
from datetime import UTC
from datetime import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from chats.integrations import integration_connect
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from chats.services import school_sync_run
from classes.tests.factories import SchoolFactory
from classes.tests.scenario import school_admin
from sferum_api.testing import MaxServer
from sferum_api.testing import MessageData
from sferum_api.testing import VkServer
from sferum_api.testing import sample_school
from sferum_api.testing.vk_server import GET_BY_ID

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
TOKEN = "vk1.a.wire-token-0001"
PARENTS, CLASS, CHANNEL = "2000000001", "2000000002", "2000000003"
MAX_IDS = ("-70000000000001", "-70000000000002", "-70000000000003")
NEWEST = 1_763_366_400 + 10_000

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def vk():
    school = SchoolFactory(code="WIRE")
    with VkServer(token=TOKEN, data=sample_school()) as server:
        integration_connect(school=school, backend="vk", base_url=server.url, token=TOKEN, rps=0)
        yield school, server


@pytest.fixture
def max_():
    school = SchoolFactory(code="WIREMAX")
    data = sample_school(chat_ids=tuple(int(c) for c in MAX_IDS))
    with MaxServer(token=TOKEN, data=data) as server:
        integration_connect(school=school, backend="max", base_url=server.url, token=TOKEN, chat_ids=MAX_IDS, rps=0)
        yield school, server


def sync_json(school) -> dict:
    out = io.StringIO()
    try:
        call_command("sferum_sync", "--school", school.code, "--json", stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return json.loads(out.getvalue())


def test_a_vk_message_with_a_bad_date_is_skipped_counted_and_passed_for_good(vk):
    # given: the newest message's date is in milliseconds, another text has a lone surrogate
    school, server = vk
    chat = server.data.chat(CLASS)
    chat.messages.append(MessageData(id=2999, date=NEWEST, from_id=201, extra={"date": NEWEST * 1000}))
    chat.messages.append(MessageData(id=2998, date=NEWEST - 1, from_id=401, text="секрет \ud800"))

    # when
    first = sync_json(school)
    second = sync_json(school)

    # then
    assert first["status"] == "ok", first["error"]
    assert first["skipped_items"] == {"count": 1, "reasons": {"message.date: out of range": 1}}
    assert Chat.objects.get(platform_id=CLASS).cursor == 2999
    assert Message.objects.filter(chat__platform_id=CLASS, platform_id="2998").exists()
    assert second["status"] == "ok" and second["skipped_items"]["count"] == 0


def test_a_max_member_without_a_readable_id_is_skipped_and_the_sync_goes_on(max_):
    # given
    school, server = max_
    server.data.chat(MAX_IDS[0]).members[1].extra = {"user_id": "301"}
    server.data.users[302].first_name = "Ан\udc00на"

    # when
    data = sync_json(school)

    # then
    assert data["status"] == "ok", data["error"]
    assert data["skipped_items"] == {"count": 1, "reasons": {"member.user_id: wrong type": 1}}
    assert "\ufffd" in ChatMembership.objects.filter(account__platform_user_id="302").get().account.first_name


def test_a_vk_chat_no_longer_listed_is_fetched_by_id_and_kept(vk):
    # given: a first sync; then the listing misses the class chat, though it still exists
    school, server = vk
    school_sync_run(school=school)
    server.serve_bodies(
        "messages.getConversations",
        {"response": {"count": 1, "items": [{"conversation": {"peer": {"id": int(PARENTS), "type": "chat"}}}]}},
    )

    # when
    run, result = school_sync_run(school=school)

    # then
    assert run.status == "ok"
    assert server.calls(GET_BY_ID)[0].params["peer_ids"] == ",".join(sorted([CLASS, CHANNEL]))
    assert result.chats_gone == [] and result.members_removed == 0


def test_a_vk_chat_gone_ends_its_memberships_under_the_safety_hold(vk, client):
    # given: after a first sync, the class chat disappears from the platform
    school, server = vk
    school_sync_run(school=school)
    server.data.chats.remove(server.data.chat(CLASS))

    # when: held at first (3 of 8 memberships would end)
    held, held_result = school_sync_run(school=school)

    # then
    assert held.status == "held" and held_result.held_removals == 3
    assert ChatMembership.objects.filter(chat__platform_id=CLASS, left_at__isnull=True).count() == 3

    # when: confirmed
    confirmed, result = school_sync_run(school=school, confirm_removals=True)

    # then
    assert confirmed.status == "ok"
    assert result.chats_gone == [{"chat": CLASS, "title": "5А класс", "reason": "no longer listed"}]
    assert not ChatMembership.objects.filter(chat__platform_id=CLASS, left_at__isnull=True).exists()
    assert confirmed.counts["chats"]["gone"] == result.chats_gone
    # and the sync log says which chats went away
    client.force_login(school_admin(school))
    page = client.get(reverse("sync-list", kwargs={"school_id": school.pk})).content.decode()
    assert "5А класс" in page and "no longer listed" in page


def test_a_chat_that_lost_access_goes_away_and_the_log_shows_skipped_items(vk, client, settings):
    # given: a hold share that lets one removal of eight through
    settings.SYNC_HOLD_REMOVAL_SHARE = 0.5
    school, server = vk
    school_sync_run(school=school)
    server.deny_chat(CHANNEL, 917)
    server.data.chat(PARENTS).messages.append(MessageData(id=1999, date=NEWEST, from_id=201, extra={"id": None}))

    # when
    run, result = school_sync_run(school=school)

    # then: the channel's one membership ends (few removals: no hold)
    assert run.status == "ok", run.held_reason
    assert result.chats_gone == [{"chat": CHANNEL, "title": "Новости школы", "reason": "no access (917)"}]
    assert not ChatMembership.objects.filter(chat__platform_id=CHANNEL, left_at__isnull=True).exists()
    assert run.counts["skipped_items"] == {"count": 1, "reasons": {"message.id: missing": 1}}
    client.force_login(school_admin(school))
    page = client.get(reverse("sync-list", kwargs={"school_id": school.pk})).content.decode()
    assert "message.id: missing" in page and "Новости школы" in page


def test_a_max_chat_dropped_from_the_school_list_goes_away(max_, settings):
    # given
    settings.SYNC_HOLD_REMOVAL_SHARE = 0.5
    school, server = max_
    school_sync_run(school=school)
    server.deny_chat(MAX_IDS[2], 404)

    # when
    run, result = school_sync_run(school=school)

    # then
    assert run.status == "ok", run.held_reason
    assert result.chats_gone == [
        {"chat": MAX_IDS[2], "title": "Новости школы", "reason": "chat not found (404, not.found)"}
    ]
    assert not ChatMembership.objects.filter(chat__platform_id=MAX_IDS[2], left_at__isnull=True).exists()


def test_the_plain_sferum_sync_output_names_skipped_items(vk):
    # given
    school, server = vk
    server.data.chat(CLASS).messages.append(MessageData(id=2999, date=NEWEST, from_id=201, extra={"date": -1}))
    out = io.StringIO()

    # when
    call_command("sferum_sync", "--school", school.code, stdout=out)

    # then
    assert "Skipped 1 unreadable items: message.date: out of range (1)." in out.getvalue()


@pytest.mark.parametrize("platform", ["vk", "max_"])
def test_the_sync_stores_every_kind_a_message_carries_and_a_calls_reported_duration(platform, request):
    # given: two documents and a photo in one message; a call with its duration (vk's call attachment)
    school, server = request.getfixturevalue(platform)
    chat_id = CLASS if platform == "vk" else MAX_IDS[1]
    chat = server.data.chat(int(chat_id))
    chat.messages.append(
        MessageData(id=2990, date=NEWEST - 10, from_id=401, attachments=("document", "document", "photo"))
    )
    call = {"type": "call", "call": {"initiator_id": 401, "state": "reached", "duration": 1800}}
    chat.messages.append(MessageData(id=2991, date=NEWEST - 5, from_id=401))
    if platform == "vk":
        chat.messages[-1].extra = {"attachments": [call]}
    else:
        chat.messages[-1].attachments = ("call",)

    # when
    report = sync_json(school)

    # then
    assert report["status"] == "ok", report["error"]
    stored = {m.sent_at.timestamp(): m for m in Message.objects.filter(chat__school=school, chat__platform_id=chat_id)}
    material = stored[NEWEST - 10]
    assert (material.kind, material.attachments) == ("document", 1 | 8)
    called = stored[NEWEST - 5]
    assert (called.kind, called.attachments) == ("call", 16)
    assert called.call_duration == (1800 if platform == "vk" else None)  # max reports no duration: none guessed
    assert called.call_participants is None

"""The sync service: chats, accounts, memberships and messages from a backend, idempotent and set-based."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.models import SferumAccount
from chats.models import Chat
from chats.models import ChatMembership
from chats.models import Message
from chats.sync import school_sync
from chats.tests.fakes import JOINED
from chats.tests.fakes import FakeBackend
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from sferum_api import AuthError
from sferum_api import ChatAccessError
from sferum_api import ChatInfo
from sferum_api import InvalidRequestError
from sferum_api import Member
from sferum_api import Profile
from sferum_api import UnavailableError

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def school():
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    SchoolClassFactory(school=school, year=year, grade=5, letter="А")
    return school


@pytest.fixture
def backend() -> FakeBackend:
    backend = FakeBackend()
    backend.chat("2000000001", "5А класс")
    backend.chat("2000000002", "5 «А» Родители")
    backend.chat("2000000003", "Педагоги СОШ")
    backend.member("2000000001", "100", "Иванова", "Мария", "teacher", is_admin=True, is_owner=True)
    backend.member("2000000001", "301", "Смирнов", "Пётр", "student")
    backend.member("2000000001", "302", "Орлова", "Анна", None)
    backend.member("2000000002", "100", "Иванова", "Мария", "teacher", is_owner=True)
    backend.member("2000000002", "501", "Смирнова", "Ольга", "parent")
    backend.member("2000000003", "100", "Иванова", "Мария", "teacher")
    backend.member("2000000003", "101", "Петров", "Олег", "methodist")
    for message_id, author in ((11, "100"), (12, "301"), (13, "100")):
        backend.post("2000000001", message_id, author)
    backend.post("2000000002", 21, "100")
    backend.post("2000000002", 22, "501", kind="service")
    return backend


def test_a_first_sync_writes_chats_accounts_memberships_and_messages(school, backend):
    # when
    result = school_sync(school=school, backend=backend)
    # then
    assert result.status == "ok", result.error
    students_chat = Chat.objects.get(school=school, platform_id="2000000001")
    assert (students_chat.kind, students_chat.school_class.name, students_chat.title) == ("class", "5А", "5А класс")
    parents_chat = Chat.objects.get(school=school, platform_id="2000000002")
    assert (parents_chat.kind, parents_chat.school_class.name) == ("parents", "5А")
    assert Chat.objects.get(school=school, platform_id="2000000003").kind == "staff"
    accounts = {a.platform_user_id: a for a in SferumAccount.objects.filter(school=school)}
    assert {uid: (a.role_code, a.status) for uid, a in accounts.items()} == {
        "100": ("teacher", "active"),
        "301": ("student", "active"),
        "302": ("", "pending"),
        "501": ("parent", "active"),
        "101": ("", "pending"),  # an unknown role code is no role
    }
    assert backend.stats.unknown_role_codes == {"methodist"}
    assert result.unknown_role_codes == ["methodist"]
    teacher_seat = ChatMembership.objects.get(chat=students_chat, account=accounts["100"])
    assert teacher_seat.is_admin and teacher_seat.joined_at == JOINED and teacher_seat.left_at is None
    assert not ChatMembership.objects.get(chat=students_chat, account=accounts["301"]).is_admin
    assert Message.objects.filter(chat__school=school).count() == 5
    message = Message.objects.get(chat=students_chat, platform_id="12")
    assert (message.author, message.text_hash, message.kind) == (accounts["301"], "hash12", "text")
    assert Message.objects.get(chat=parents_chat, platform_id="22").kind == "service"
    students_chat.refresh_from_db()
    assert (students_chat.cursor, students_chat.last_synced_at) == (13, NOW)
    assert result.to_json("SCH", "simulator") == {
        "school": "SCH",
        "status": "ok",
        "backend": "simulator",
        "chats": {"seen": 3, "added": 3, "skipped": [], "gone": []},
        "members": {"added": 7, "removed": 0},
        "accounts": {"linked": 0, "unlinked": 5, "ambiguous": 0},
        "messages": {"added": 5, "duplicates": 0},
        "skipped_items": {"count": 0, "reasons": {}},
        "requests": 7,
        "retries": 0,
        "error": None,
    }


def test_a_second_sync_over_unchanged_data_adds_nothing(school, backend):
    # given
    school_sync(school=school, backend=backend)
    counts = (
        Chat.objects.count(),
        SferumAccount.objects.count(),
        ChatMembership.objects.count(),
        Message.objects.count(),
    )
    # when
    result = school_sync(school=school, backend=backend)
    # then
    assert (result.chats_added, result.members_added, result.members_removed) == (0, 0, 0)
    assert (result.messages_added, result.messages_duplicates) == (0, 0)
    assert counts == (
        Chat.objects.count(),
        SferumAccount.objects.count(),
        ChatMembership.objects.count(),
        Message.objects.count(),
    )
    assert ("2000000001", 13, None) in backend.reads  # read from the cursor on


def test_a_message_seen_twice_is_stored_once(school, backend):
    backend.served_twice.add("2000000001")
    result = school_sync(school=school, backend=backend)
    assert (result.messages_added, result.messages_duplicates) == (5, 1)
    assert Message.objects.filter(chat__platform_id="2000000001").count() == 3


def test_messages_stored_before_count_as_duplicates(school, backend):
    # given: a first sync, then the cursor is lost
    school_sync(school=school, backend=backend)
    Chat.objects.update(cursor=None)
    # when
    result = school_sync(school=school, backend=backend)
    # then
    assert (result.messages_added, result.messages_duplicates) == (0, 5)
    assert Message.objects.count() == 5


def test_a_chat_without_access_is_skipped_and_the_others_are_synced(school, backend):
    # given
    backend.errors[("members", "2000000002")] = ChatAccessError("2000000002", "no access (917)")
    backend.errors[("messages", "2000000003")] = ChatAccessError("2000000003", "chat gone (927)")
    backend.post("2000000003", 31, "100")
    # when
    result = school_sync(school=school, backend=backend)
    # then
    assert result.status == "ok"
    assert result.chats_skipped == [
        {"chat": "2000000002", "reason": "no access (917)"},
        {"chat": "2000000003", "reason": "chat gone (927)"},
    ]
    assert result.chats_seen == 3
    assert not ChatMembership.objects.filter(chat__platform_id__in=["2000000002", "2000000003"]).exists()
    assert not Message.objects.filter(chat__platform_id__in=["2000000002", "2000000003"]).exists()
    assert Message.objects.filter(chat__platform_id="2000000001").count() == 3
    assert Chat.objects.get(platform_id="2000000003").cursor is None


def test_a_member_who_leaves_keeps_the_row_and_a_returning_member_gets_a_new_one(school, backend, clock):
    # given
    school_sync(school=school, backend=backend)
    student = SferumAccount.objects.get(platform_user_id="301")
    # when: the student leaves the chat
    backend.members["2000000001"] = [m for m in backend.members["2000000001"] if m.user_id != "301"]
    clock.move_to(NOW + timedelta(days=1), tick=False)
    left = school_sync(school=school, backend=backend, confirm_removals=True)  # a small school: 1 is > 10%
    # then
    seat = ChatMembership.objects.get(chat__platform_id="2000000001", account=student)
    assert seat.left_at == NOW + timedelta(days=1)
    assert (left.members_added, left.members_removed) == (0, 1)
    # when: the student comes back
    backend.member("2000000001", "301", "Смирнов", "Пётр", "student", joined_at=NOW + timedelta(days=2))
    clock.move_to(NOW + timedelta(days=3), tick=False)
    back = school_sync(school=school, backend=backend)
    # then
    seats = ChatMembership.objects.filter(chat__platform_id="2000000001", account=student).order_by("joined_at")
    assert [(s.joined_at, s.left_at) for s in seats] == [
        (JOINED, NOW + timedelta(days=1)),
        (NOW + timedelta(days=2), None),
    ]
    assert (back.members_added, back.members_removed) == (1, 0)


def test_admin_flags_follow_the_platform(school, backend):
    school_sync(school=school, backend=backend)
    backend.members["2000000001"][1] = Member(profile=backend.members["2000000001"][1].profile, is_admin=True)
    school_sync(school=school, backend=backend)
    assert ChatMembership.objects.get(chat__platform_id="2000000001", account__platform_user_id="301").is_admin


def test_the_cursor_moves_only_with_the_messages_and_a_token_error_fails_cleanly(school, backend):
    # given: the token expires while the parents' chat is read
    backend.errors[("messages", "2000000002")] = AuthError("token expired")
    # when
    failed = school_sync(school=school, backend=backend)
    # then: the students' chat is complete, the parents' chat has nothing of this run
    assert failed.status == "failed"
    assert "reconnect" in failed.error
    assert Chat.objects.get(platform_id="2000000001").cursor == 13
    parents_chat = Chat.objects.get(platform_id="2000000002")
    assert (parents_chat.cursor, parents_chat.last_synced_at) == (None, None)
    assert not Message.objects.filter(chat=parents_chat).exists()
    assert not ChatMembership.objects.filter(chat=parents_chat).exists()
    # when: the school reconnects and new messages arrived
    del backend.errors[("messages", "2000000002")]
    backend.post("2000000001", 14, "301")
    again = school_sync(school=school, backend=backend)
    # then
    assert again.status == "ok"
    assert (again.messages_added, again.messages_duplicates) == (3, 0)
    assert Chat.objects.get(platform_id="2000000002").cursor == 22
    assert Chat.objects.get(platform_id="2000000001").cursor == 14


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (UnavailableError("HTTP 503 after 5 attempts"), "unavailable"),
        (InvalidRequestError("messages.getHistory peer_id=1: invalid parameter"), "bug"),
    ],
)
def test_server_trouble_and_bad_requests_fail_the_sync(school, backend, error, words):
    backend.errors[("members", "2000000001")] = error
    result = school_sync(school=school, backend=backend)
    assert result.status == "failed"
    assert words in result.error
    assert str(error) in result.error
    assert not ChatMembership.objects.exists()
    assert result.to_json("S", "vk")["error"] == result.error


def test_since_stops_the_history_at_that_day(school, backend):
    backend.post("2000000001", 5, "100", sent_at=datetime(2026, 10, 1, 9, tzinfo=UTC))
    backend.messages["2000000001"].insert(0, backend.messages["2000000001"].pop())  # the oldest
    result = school_sync(school=school, backend=backend, since=date(2026, 11, 1))
    assert result.messages_added == 5
    assert not Message.objects.filter(platform_id="5").exists()
    assert backend.reads[0][2] == datetime(2026, 11, 1, tzinfo=school.tz)


def test_a_blocked_account_stays_blocked_and_roles_follow_the_platform(school, backend):
    # given
    school_sync(school=school, backend=backend)
    SferumAccount.objects.filter(platform_user_id="301").update(status=SferumAccount.Status.BLOCKED)
    # when: 302 confirms the student role, 301 shows no role any more
    members = backend.members["2000000001"]
    members[1] = Member(profile=Profile("301", "Пётр", "Смирнов", None), joined_at=JOINED)
    members[2] = Member(profile=Profile("302", "Анна", "Орлова", "student"), joined_at=JOINED)
    school_sync(school=school, backend=backend)
    # then
    accounts = {a.platform_user_id: a for a in SferumAccount.objects.all()}
    assert (accounts["301"].role_code, accounts["301"].status) == ("", "blocked")
    assert (accounts["302"].role_code, accounts["302"].status) == ("student", "active")


def test_a_confirmed_mapping_wins_over_a_new_title(school, backend):
    # given
    school_sync(school=school, backend=backend)
    Chat.objects.filter(platform_id="2000000002").update(mapping_confirmed=True)
    backend.chat("2000000001", "Наш чат")
    backend.chats["2000000002"] = ChatInfo(chat_id="2000000002", title="Чат класса")
    # when
    school_sync(school=school, backend=backend)
    # then
    unconfirmed = Chat.objects.get(platform_id="2000000001")
    confirmed = Chat.objects.get(platform_id="2000000002")
    assert (unconfirmed.title, unconfirmed.kind, unconfirmed.school_class) == ("Наш чат", "other", None)
    assert (confirmed.title, confirmed.kind, confirmed.school_class.name) == ("Чат класса", "parents", "5А")


def test_authors_who_left_get_a_pending_account_and_bots_none(school, backend):
    backend.post("2000000001", 14, "999")  # no longer a member
    backend.post("2000000001", 15, None, from_bot=True)
    school_sync(school=school, backend=backend)
    ghost = SferumAccount.objects.get(platform_user_id="999")
    assert (ghost.status, ghost.last_name) == ("pending", "")
    assert Message.objects.get(platform_id="14").author == ghost
    bot = Message.objects.get(platform_id="15")
    assert (bot.author, bot.from_bot) == (None, True)


def test_the_number_of_queries_does_not_grow_with_members_or_messages(school):
    def sync_queries(members: int, messages: int) -> int:
        backend = FakeBackend()
        backend.chat(f"20000{members}", "5А класс")
        for n in range(members):
            backend.member(f"20000{members}", f"{members}-{n}", "Ученик", f"Имя{n}", "student")
        for n in range(messages):
            backend.post(f"20000{members}", n + 1, f"{members}-{n % members}")
        with CaptureQueriesContext(connection) as queries:
            result = school_sync(school=school, backend=backend)
        assert result.status == "ok"
        return len(queries)

    assert sync_queries(members=2, messages=3) == sync_queries(members=40, messages=60)

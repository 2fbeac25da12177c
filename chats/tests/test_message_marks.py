"""The weekly marks stored with the messages (chats.message_marks): the same whatever order messages arrive in."""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from activation.tests.factories import SferumAccountFactory
from chats.message_marks import message_marks_refresh
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.models import School
from classes.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

TUESDAY_9_UTC = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def marks(*messages: Message) -> list[tuple[bool | None, bool | None]]:
    stored = Message.objects.in_bulk([m.pk for m in messages])
    return [(stored[m.pk].burst_mark, stored[m.pk].duplicate_mark) for m in messages]


def test_a_burst_completed_by_a_later_sync_marks_the_messages_stored_before():
    # given: two messages a minute apart, stored and marked (no burst yet)
    chat = ChatFactory()
    author = SferumAccountFactory(school=chat.school)
    first = MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC)
    second = MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(minutes=1))
    message_marks_refresh()
    assert marks(first, second) == [(False, False), (False, False)]
    # when: a third arrives later, in another chat of the school, a minute after the second
    other_chat = ChatFactory(school=chat.school)
    third = MessageFactory(chat=other_chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(minutes=2))
    message_marks_refresh(school_ids=[chat.school_id])
    # then: all three are in a burst
    assert marks(first, second, third) == [(True, False)] * 3


def test_a_copy_stored_later_marks_the_first_copy_a_near_duplicate():
    # given
    chat = ChatFactory()
    author = SferumAccountFactory(school=chat.school)
    first = MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC, text_hash="a" * 64)
    message_marks_refresh()
    # when: the same text two days later in the same week, and an empty text hash twice (no text: no copy)
    copy = MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(days=2), text_hash="a" * 64)
    blank = [MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(hours=h)) for h in (3, 6)]
    written = message_marks_refresh()
    # then: both copies, and only rows whose marks changed or were missing were written
    assert marks(first, copy, *blank) == [(False, True), (False, True), (False, False), (False, False)]
    assert written == 4
    assert message_marks_refresh() == 0


def around_midnight_in_yekaterinburg(school: School) -> list[Message]:
    """One account's same text at 23:59:00 and 23:59:30 on Sunday and 00:00:30 on Monday, Yekaterinburg time."""
    chat = ChatFactory(school=school)
    author = SferumAccountFactory(school=school)
    sunday_late = datetime(2026, 11, 22, 23, 59, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    times = [sunday_late, sunday_late + timedelta(seconds=30), sunday_late + timedelta(seconds=90)]
    return [MessageFactory(chat=chat, author=author, sent_at=at, text_hash="b" * 64) for at in times]


def test_weeks_end_at_midnight_on_sunday_in_the_schools_time_zone():
    # given: a school in Yekaterinburg (UTC+5)
    messages = around_midnight_in_yekaterinburg(SchoolFactory(timezone="Asia/Yekaterinburg"))
    # when
    message_marks_refresh()
    # then: the first two are Sunday's, the third Monday's: no burst of three, one pair of copies
    assert marks(*messages) == [(False, True), (False, True), (False, False)]


def test_a_new_time_zone_unmarks_the_schools_messages_and_the_next_refresh_marks_its_weeks():
    # given: the same three messages, marked in Moscow time (all on Sunday evening: a burst and copies)
    school = SchoolFactory(timezone="Europe/Moscow")
    messages = around_midnight_in_yekaterinburg(school)
    message_marks_refresh()
    assert marks(*messages) == [(True, True)] * 3
    # when: the school moves to Yekaterinburg time
    school = School.objects.get(pk=school.pk)
    school.timezone = "Asia/Yekaterinburg"
    school.save()
    # then: unmarked, and marked again by the new weeks
    assert marks(*messages) == [(None, None)] * 3
    message_marks_refresh()
    assert marks(*messages) == [(False, True), (False, True), (False, False)]


def test_bots_service_events_other_authors_and_other_schools_are_no_part_of_a_burst():
    # given: one account's messages a minute apart with a bot message, a service event and someone else's between,
    # and its third message in another school's chat
    chat = ChatFactory()
    author = SferumAccountFactory(school=chat.school)
    someone = SferumAccountFactory(school=chat.school)
    mine = [MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(minutes=m)) for m in (0, 1)]
    bot = MessageFactory(chat=chat, author=None, from_bot=True, sent_at=TUESDAY_9_UTC + timedelta(seconds=20))
    service = MessageFactory(
        chat=chat, author=author, kind=Message.Kind.SERVICE, sent_at=TUESDAY_9_UTC + timedelta(seconds=30)
    )
    theirs = MessageFactory(chat=chat, author=someone, sent_at=TUESDAY_9_UTC + timedelta(seconds=40))
    elsewhere = MessageFactory(chat=ChatFactory(), author=author, sent_at=TUESDAY_9_UTC + timedelta(seconds=90))
    # when
    message_marks_refresh()
    # then: nothing is in a burst, and the bot message and the service event are marked neither
    assert marks(*mine, bot, service, theirs, elsewhere) == [(False, False)] * 6


@pytest.mark.clock(datetime(2026, 11, 30, 9, tzinfo=UTC))
def test_a_sync_marks_what_it_stored_across_its_chats():
    # given: a teacher's three messages 40 seconds apart in two chats, and a service event
    from chats.sync import school_sync
    from chats.tests.fakes import FakeBackend

    school = SchoolFactory()
    backend = FakeBackend()
    backend.chat("2000000001", "5А класс")
    backend.chat("2000000002", "Педагоги СОШ")
    for chat_id in ("2000000001", "2000000002"):
        backend.member(chat_id, "100", "Иванова", "Мария", "teacher")
    for message_id, chat_id in ((11, "2000000001"), (12, "2000000002"), (13, "2000000001")):
        backend.post(chat_id, message_id, "100", sent_at=TUESDAY_9_UTC + timedelta(seconds=40 * message_id))
    backend.post("2000000002", 14, "100", kind="service")
    # when
    result = school_sync(school=school, backend=backend)
    # then: the three are a burst, the service event is marked neither, nothing is left unmarked
    assert result.status == "ok"
    stored = dict(Message.objects.values_list("platform_id", "burst_mark"))
    assert stored == {"11": True, "12": True, "13": True, "14": False}


def _expected(rows: list[dict], zone: ZoneInfo) -> dict[int, tuple[bool, bool]]:
    """Plain Python: per author and local week, bursts of three within two minutes and repeated text hashes."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        local = row["sent_at"].astimezone(zone).date()
        groups[(row["author"], local.isocalendar()[:2])].append(row)
    expected = {}
    for group in groups.values():
        copies = Counter(r["text_hash"] for r in group if r["text_hash"])
        ordered = sorted(group, key=lambda r: r["sent_at"])
        in_burst = set()
        for index, row in enumerate(ordered):
            inside = [r["key"] for r in ordered[index:] if r["sent_at"] <= row["sent_at"] + timedelta(minutes=2)]
            if len(inside) >= 3:
                in_burst.update(inside)
        for row in group:
            expected[row["key"]] = (row["key"] in in_burst, copies[row["text_hash"]] > 1 if row["text_hash"] else False)
    return expected


message_rows = st.lists(
    st.fixed_dictionaries(
        {
            "author": st.integers(0, 2),
            "chat": st.integers(0, 1),
            # Around a week's end, seconds apart and days apart
            "seconds": st.one_of(st.integers(-400, 400), st.integers(-8 * 86400, 8 * 86400)),
            "text_hash": st.sampled_from(["", "a" * 64, "b" * 64]),
            "batch": st.integers(0, 3),
        }
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=message_rows, zone_name=st.sampled_from(["Europe/Moscow", "Asia/Vladivostok", "Europe/Kaliningrad"]))
def test_marks_stored_batch_by_batch_equal_a_computation_over_all(rows, zone_name):
    # given: a school in the zone, two chats, three authors; messages stored in up to four syncs, marked after each
    Message.objects.all().delete()
    zone = ZoneInfo(zone_name)
    school = SchoolFactory(timezone=zone_name)
    chats = [ChatFactory(school=school), ChatFactory(school=school)]
    authors = [SferumAccountFactory(school=school) for _ in range(3)]
    monday = datetime(2026, 11, 23, tzinfo=zone)
    stored = []
    for batch in range(4):
        for row in (r for r in rows if r["batch"] == batch):
            message = MessageFactory(
                chat=chats[row["chat"]],
                author=authors[row["author"]],
                sent_at=monday + timedelta(seconds=row["seconds"]),
                text_hash=row["text_hash"],
            )
            stored.append({**row, "key": message.pk, "sent_at": message.sent_at})
        # when
        message_marks_refresh(school_ids=[school.pk])
    # then: the stored marks are those of all messages at once
    rows = Message.objects.values_list("pk", "burst_mark", "duplicate_mark")
    found = {pk: (burst, duplicate) for pk, burst, duplicate in rows}
    assert found == _expected(stored, zone)


def test_a_deleted_chat_unmarks_its_schools_messages_and_the_burst_it_made_is_gone():
    # given: a burst across two chats, marked
    chat = ChatFactory()
    other_chat = ChatFactory(school=chat.school)
    author = SferumAccountFactory(school=chat.school)
    kept = [MessageFactory(chat=chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(seconds=s)) for s in (0, 30)]
    MessageFactory(chat=other_chat, author=author, sent_at=TUESDAY_9_UTC + timedelta(seconds=60))
    message_marks_refresh()
    assert marks(*kept) == [(True, False)] * 2
    # when: the other chat is deleted (the Django admin)
    other_chat.delete()
    # then: the rest is unmarked, then marked again without the deleted message
    assert marks(*kept) == [(None, None)] * 2
    message_marks_refresh()
    assert marks(*kept) == [(False, False)] * 2


def test_saving_a_school_with_its_time_zone_unchanged_keeps_the_marks():
    # given
    school = SchoolFactory(timezone="Asia/Yekaterinburg")
    messages = around_midnight_in_yekaterinburg(school)
    message_marks_refresh()
    # when: saved loaded, saved as created, and saved with only its name
    loaded = School.objects.get(pk=school.pk)
    loaded.short_name = "Школа № 1"
    loaded.save()
    school.save()
    loaded.save(update_fields=["short_name"])
    # then
    assert marks(*messages) == [(False, True), (False, True), (False, False)]

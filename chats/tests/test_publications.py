"""Materials, channel posts and calls of a school's week (chats.publications; CLI.md `metrics_compute --json`)."""

from datetime import UTC
from datetime import datetime

import pytest

from activation.tests.factories import SferumAccountFactory
from chats.materials import BITS
from chats.materials import attachment_bits
from chats.models import Chat
from chats.models import Message
from chats.publications import CallKind
from chats.publications import Materials
from chats.publications import call_messages
from chats.publications import material_messages
from chats.publications import publications_of
from chats.publications import schools_materials
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 16, tzinfo=UTC)
END = datetime(2026, 11, 23, tzinfo=UTC)
INSIDE = datetime(2026, 11, 17, 9, tzinfo=UTC)


def post(chat, author, *kinds, sent_at=INSIDE, from_bot=False, kind=Message.Kind.TEXT, **extra):
    return MessageFactory(
        chat=chat,
        author=author,
        sent_at=sent_at,
        from_bot=from_bot,
        kind=kind,
        attachments=attachment_bits(kinds),
        **extra,
    )


@pytest.fixture
def world():
    school = SchoolFactory()
    teacher = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=teacher)
    student = SferumAccountFactory(school=school, role_code="student")
    chats = {kind: ChatFactory(school=school, kind=kind) for kind in Chat.Kind.values}
    return school, teacher, account, student, chats


def test_a_message_counts_once_per_kind_it_carries(world):
    # given: two documents and a photo in one message; a video; a link in the staff chat
    school, teacher, account, _student, chats = world
    post(chats["class"], account, "document", "document", "photo")
    post(chats["class"], account, "video")
    post(chats["staff"], account, "link")
    post(chats["class"], account)  # plain text: no material

    # when
    week = publications_of(school_id=school.pk, start=START, end=END)

    # then
    assert week.staff_materials(teacher.pk) == Materials(documents=1, videos=1, links=1, photos=1)
    assert week.staff_materials(teacher.pk).as_json() == {"documents": 1, "videos": 1, "links": 1, "photos": 1}
    assert week.materials == Materials(documents=1, videos=1, links=1, photos=1)


def test_bots_service_events_other_weeks_and_other_schools_never_count(world):
    # given
    school, teacher, account, _student, chats = world
    post(chats["class"], None, "document", from_bot=True)
    post(chats["class"], account, "document", kind=Message.Kind.SERVICE)
    post(chats["class"], account, "document", sent_at=END)
    post(chats["class"], account, "document", sent_at=datetime(2026, 11, 15, 23, 59, tzinfo=UTC))
    elsewhere = ChatFactory(kind=Chat.Kind.CLASS)
    post(elsewhere, account, "photo")

    # when
    week = publications_of(school_id=school.pk, start=START, end=END)

    # then
    assert week.materials == Materials() and week.staff_materials(teacher.pk) == Materials()
    assert (week.channel_posts, week.calls) == (0, 0)


def test_the_school_counts_every_person_and_the_teacher_only_their_own(world):
    # given: a student's photo; an account of another school's staff member posting in this school's chat
    school, teacher, account, student, chats = world
    post(chats["class"], student, "photo")
    post(chats["class"], account, "document")
    stranger = SferumAccountFactory(school=school, staff=StaffFactory())
    post(chats["class"], stranger, "video")

    # when
    week = publications_of(school_id=school.pk, start=START, end=END)

    # then
    assert week.materials == Materials(documents=1, videos=1, photos=1)
    assert week.materials_by_staff == {teacher.pk: Materials(documents=1)}


def test_channel_posts_are_posts_by_people_in_channels(world):
    # given: two people's posts and a community's post in the channel, a service event, a post in the school chat
    school, _teacher, account, student, chats = world
    post(chats["channel"], account, "photo")
    post(chats["channel"], student)
    post(chats["channel"], None, "link", from_bot=True)
    post(chats["channel"], account, kind=Message.Kind.SERVICE)
    post(chats["school"], account)

    # when
    week = publications_of(school_id=school.pk, start=START, end=END)

    # then
    assert week.channel_posts == 2
    assert week.materials == Materials(photos=1)


def test_calls_are_lessons_meetings_broadcasts_or_other_by_chat_and_starter(world):
    # given
    school, teacher, account, student, chats = world
    post(chats["class"], account, "call", kind=Message.Kind.CALL, call_duration=2520)
    post(chats["subject"], account, "call", kind=Message.Kind.CALL)
    post(chats["class"], student, "call", kind=Message.Kind.CALL)  # a student's call: not a lesson
    post(chats["staff"], account, "call", kind=Message.Kind.CALL)
    post(chats["channel"], None, "call", kind=Message.Kind.CALL, from_bot=True)
    post(chats["parents"], account, "call", kind=Message.Kind.CALL)

    # when
    week = publications_of(school_id=school.pk, start=START, end=END)

    # then
    assert week.calls == 6
    assert week.calls_by_kind == {CallKind.LESSON: 2, CallKind.OTHER: 2, CallKind.MEETING: 1, CallKind.BROADCAST: 1}
    assert week.calls_by_staff == {teacher.pk: {CallKind.LESSON: 2, CallKind.MEETING: 1, CallKind.OTHER: 1}}
    assert week.staff_calls(teacher.pk, CallKind.LESSON) == 2


def test_the_logs_list_material_and_call_messages_newest_first(world, django_assert_num_queries):
    # given
    school, teacher, account, student, chats = world
    older = post(chats["class"], account, "document", sent_at=datetime(2026, 11, 16, 9, tzinfo=UTC))
    newer = post(chats["staff"], account, "photo", "link")
    post(chats["class"], student, "photo")
    post(chats["class"], account)
    call = post(chats["class"], account, "call", kind=Message.Kind.CALL)

    # when
    with django_assert_num_queries(2):
        everyone = list(material_messages(school_id=school.pk, start=START, end=END))
        calls = list(call_messages(school_id=school.pk, start=START, end=END, staff_id=teacher.pk))
    mine = list(material_messages(school_id=school.pk, start=START, end=END, staff_id=teacher.pk))

    # then
    assert [m.pk for m in mine] == [newer.pk, older.pk]
    assert len(everyone) == 3
    assert [m.pk for m in calls] == [call.pk]
    assert newer.attachments == BITS["photo"] | BITS["link"]


def test_with_a_staff_member_only_their_messages_are_read(world):
    # given: the teacher's document and call; a colleague's photo and call; a student's video
    school, teacher, account, student, chats = world
    colleague = SferumAccountFactory(school=school, staff=StaffFactory(school=school))
    post(chats["class"], account, "document")
    post(chats["class"], account, "call", kind=Message.Kind.CALL)
    post(chats["class"], colleague, "photo")
    post(chats["staff"], colleague, "call", kind=Message.Kind.CALL)
    post(chats["class"], student, "video")

    # when
    mine = publications_of(school_id=school.pk, start=START, end=END, staff_id=teacher.pk)

    # then: every figure is the teacher's alone, and their own figures are those of the whole school's reading
    whole = publications_of(school_id=school.pk, start=START, end=END)
    assert mine.materials == Materials(documents=1) == mine.staff_materials(teacher.pk)
    assert mine.staff_materials(teacher.pk) == whole.staff_materials(teacher.pk)
    assert (mine.calls, mine.calls_by_staff) == (1, {teacher.pk: {CallKind.LESSON: 1}})


def test_the_materials_of_several_schools_are_each_schools_total(world):
    # given: this school's and another school's materials
    school, _teacher, account, student, chats = world
    post(chats["class"], account, "document", "photo")
    post(chats["class"], student, "video")
    post(chats["class"], None, "link", from_bot=True)
    other = ChatFactory(kind=Chat.Kind.CLASS)
    post(other, SferumAccountFactory(school=other.school), "link")

    # when
    found = schools_materials(school_ids=[school.pk, other.school_id], start=START, end=END)

    # then
    assert found == {
        school.pk: publications_of(school_id=school.pk, start=START, end=END).materials,
        other.school_id: Materials(links=1),
    }
    assert found[school.pk] == Materials(documents=1, videos=1, photos=1)

"""Weekly teacher activity: the definitions of DESIGN.md ("Definitions") and their edge cases."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError
from django.db import transaction

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import MessageFactory
from classes.models import Holiday
from classes.models import School
from classes.models import Staff
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.factories import StaffFactory
from reports.models import WeeklyActivity
from reports.selectors import SchoolWeek
from reports.selectors import TeacherStatus
from reports.selectors import TeacherWeek
from reports.selectors import teacher_week_messages
from reports.selectors import weekly_activity_compute
from reports.selectors import weekly_activity_history
from reports.services import weekly_activity_build
from reports.tests.weekly_reference import python_rows
from reports.tests.weekly_reference import stored_rows

pytestmark = pytest.mark.django_db

W47 = date(2026, 11, 16)  # Monday of 2026-W47
TUESDAY_9_UTC = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)


def teacher_with_account(school: School, **staff_fields) -> tuple[Staff, SferumAccount]:
    staff = StaffFactory(school=school, **staff_fields)
    return staff, SferumAccountFactory(school=school, staff=staff)


def teacher_in_one_chat(**school_fields) -> tuple[School, Chat, tuple[Staff, SferumAccount]]:
    """Return a school with one chat and one teacher: the school, the chat, the teacher with an account."""
    school = SchoolFactory(**school_fields)
    chat = ChatFactory(school=school)
    return school, chat, teacher_with_account(school)


def two_teachers_in_one_chat() -> tuple[School, Chat, tuple[Staff, SferumAccount], tuple[Staff, SferumAccount]]:
    """Return a school with one chat and two teachers: the school, the chat, each teacher with an account."""
    school = SchoolFactory()
    chat = ChatFactory(school=school)
    return school, chat, teacher_with_account(school), teacher_with_account(school)


def send(chat, account, at: datetime, count: int = 1, **fields) -> None:
    for offset in range(count):
        MessageFactory(chat=chat, author=account, sent_at=at + timedelta(minutes=10 * offset), **fields)


def build(school: School, week: date = W47) -> SchoolWeek:
    """Build the week with the SQL store; every world here also checks it stores what Python computed."""
    built = weekly_activity_build(school=school, week_start=week)
    assert stored_rows(schools=[school], week_start=week) == python_rows(schools=[school], week_start=week)
    return built


def entry(week: SchoolWeek, staff: Staff) -> TeacherWeek:
    return next(t for t in week.teachers if t.staff_id == staff.pk)


def stored(staff: Staff, week: date = W47) -> WeeklyActivity:
    return WeeklyActivity.objects.get(staff=staff, week_start=week)


def test_a_teacher_with_three_messages_is_active_and_with_two_inactive():
    # given
    school, chat, (busy, busy_account), (quiet, quiet_account) = two_teachers_in_one_chat()
    send(chat, busy_account, TUESDAY_9_UTC, count=3)
    send(chat, quiet_account, TUESDAY_9_UTC, count=2)
    # when
    week = build(school)
    # then
    assert (entry(week, busy).messages, entry(week, busy).status) == (3, TeacherStatus.ACTIVE)
    assert (entry(week, quiet).messages, entry(week, quiet).status) == (2, TeacherStatus.INACTIVE)
    assert (stored(busy).messages, stored(busy).status) == (3, "active")
    assert (stored(quiet).messages, stored(quiet).status) == (2, "inactive")
    assert week.active_teachers.numerator == 1
    assert week.active_teachers.denominator == 2


def test_service_events_and_bot_messages_never_count():
    # given
    school, chat, (staff, account) = teacher_in_one_chat()
    send(chat, account, TUESDAY_9_UTC, count=2)
    send(chat, account, TUESDAY_9_UTC + timedelta(hours=1), count=3, kind=Message.Kind.SERVICE)
    send(chat, account, TUESDAY_9_UTC + timedelta(hours=2), count=3, from_bot=True)
    # when
    week = build(school)
    # then
    assert entry(week, staff).messages == 2
    assert entry(week, staff).status == TeacherStatus.INACTIVE


def test_every_kind_of_user_message_counts_in_any_chat_or_channel_of_the_school():
    # given
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    kinds = [Message.Kind.TEXT, Message.Kind.DOCUMENT, Message.Kind.VIDEO, Message.Kind.LINK, Message.Kind.PHOTO]
    for index, kind in enumerate(kinds):
        chat = ChatFactory(school=school, kind=["class", "parents", "staff", "channel", "subject"][index])
        send(chat, account, TUESDAY_9_UTC + timedelta(hours=index), kind=kind)
    # when
    week = build(school)
    # then
    assert entry(week, staff).messages == 5


def test_messages_in_another_schools_chat_or_outside_the_week_do_not_count():
    # given
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    send(ChatFactory(), account, TUESDAY_9_UTC, count=3)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC - timedelta(days=7), count=3)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC + timedelta(days=7), count=3)
    # when
    week = build(school)
    # then
    assert entry(week, staff).messages == 0


def test_the_same_platform_message_seen_twice_is_stored_and_counted_once():
    # given
    school, chat, (staff, account) = teacher_in_one_chat()
    MessageFactory(chat=chat, author=account, platform_id="777", sent_at=TUESDAY_9_UTC)
    # when: a second sync sees it again
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageFactory(chat=chat, author=account, platform_id="777", sent_at=TUESDAY_9_UTC)
    Message.objects.update_or_create(chat=chat, platform_id="777", defaults={"sent_at": TUESDAY_9_UTC})
    # then
    assert entry(build(school), staff).messages == 1


def test_a_teacher_with_two_linked_accounts_sums_both():
    # given
    school, chat, (staff, vk_account) = teacher_in_one_chat()
    max_account = SferumAccountFactory(school=school, staff=staff, backend="max")
    send(chat, vk_account, TUESDAY_9_UTC, count=2)
    send(chat, max_account, TUESDAY_9_UTC + timedelta(hours=2), count=1)
    # when
    week = build(school)
    # then
    assert entry(week, staff).messages == 3
    assert entry(week, staff).status == TeacherStatus.ACTIVE


def test_messages_of_accounts_not_linked_to_staff_count_for_nobody():
    # given
    school, chat, (staff, _account) = teacher_in_one_chat()
    unlinked = SferumAccountFactory(school=school)
    send(chat, unlinked, TUESDAY_9_UTC, count=5)
    # when
    week = build(school)
    # then
    assert [(t.staff_id, t.messages) for t in week.teachers] == [(staff.pk, 0)]


def test_sunday_2359_moscow_belongs_to_that_week_and_monday_0000_to_the_next():
    # given: Europe/Moscow is UTC+3
    school, chat, (staff, account) = teacher_in_one_chat(timezone="Europe/Moscow")
    MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 22, 20, 59, tzinfo=UTC))
    MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 22, 21, 0, tzinfo=UTC))
    # when
    w47 = build(school, date(2026, 11, 16))
    w48 = build(school, date(2026, 11, 23))
    # then
    assert entry(w47, staff).messages == 1
    assert entry(w48, staff).messages == 1
    assert [row["sent_at"] for row in teacher_week_messages(staff=staff, week_start=date(2026, 11, 16))] == [
        datetime(2026, 11, 22, 20, 59, tzinfo=UTC)
    ]


def test_a_school_in_novosibirsk_counts_weeks_in_its_own_time_zone():
    # given: Asia/Novosibirsk is UTC+7; Monday 16 November 00:30 there is Sunday 15 November 17:30 UTC
    school, chat, (staff, account) = teacher_in_one_chat(timezone="Asia/Novosibirsk")
    MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 15, 17, 30, tzinfo=UTC))
    MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 22, 16, 59, tzinfo=UTC))
    MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 22, 17, 0, tzinfo=UTC))
    # when
    w46 = build(school, date(2026, 11, 9))
    w47 = build(school, date(2026, 11, 16))
    w48 = build(school, date(2026, 11, 23))
    # then
    assert (entry(w46, staff).messages, entry(w47, staff).messages, entry(w48, staff).messages) == (0, 2, 1)


def test_schools_in_two_time_zones_are_computed_together_each_in_its_own_week():
    # given: the same instant, Sunday 22 November 18:00 UTC, is Sunday in Moscow and Monday in Novosibirsk
    moscow = SchoolFactory(timezone="Europe/Moscow")
    novosibirsk = SchoolFactory(timezone="Asia/Novosibirsk")
    moscow_teacher, moscow_account = teacher_with_account(moscow)
    novosibirsk_teacher, novosibirsk_account = teacher_with_account(novosibirsk)
    at = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    MessageFactory(chat=ChatFactory(school=moscow), author=moscow_account, sent_at=at)
    MessageFactory(chat=ChatFactory(school=novosibirsk), author=novosibirsk_account, sent_at=at)
    # when
    weeks = weekly_activity_compute(schools=[moscow, novosibirsk], week_start=W47)
    # then
    assert entry(weeks[moscow.pk], moscow_teacher).messages == 1
    assert entry(weeks[novosibirsk.pk], novosibirsk_teacher).messages == 0


def test_a_teacher_hired_mid_week_is_evaluated_on_the_whole_week():
    # given: hired on Wednesday; the week's messages all count
    school = SchoolFactory()
    chat = ChatFactory(school=school)
    staff, account = teacher_with_account(school, employed_from=date(2026, 11, 18))
    send(chat, account, datetime(2026, 11, 18, 9, tzinfo=UTC), count=3)
    hired_on_saturday, _account = teacher_with_account(school, employed_from=date(2026, 11, 21))
    # when
    week = build(school)
    # then
    assert (entry(week, staff).messages, entry(week, staff).status) == (3, TeacherStatus.ACTIVE)
    assert hired_on_saturday.pk not in [t.staff_id for t in week.teachers]


def test_a_teacher_who_left_before_the_week_is_not_listed_and_one_who_left_mid_week_is():
    # given
    school = SchoolFactory()
    _gone, _ = teacher_with_account(school, employed_to=date(2026, 11, 13))
    leaving, _ = teacher_with_account(school, employed_to=date(2026, 11, 17))
    # when
    week = build(school)
    # then
    assert [t.staff_id for t in week.teachers] == [leaving.pk]


def test_a_teacher_absent_all_week_is_excused_and_one_absent_two_days_is_evaluated():
    # given
    school = SchoolFactory()
    on_leave, _ = teacher_with_account(school)
    StaffAbsenceFactory(staff=on_leave, starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 22))
    sick, _ = teacher_with_account(school)
    StaffAbsenceFactory(staff=sick, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 17))
    _present, present_account = teacher_with_account(school)
    send(ChatFactory(school=school), present_account, TUESDAY_9_UTC, count=3)
    # when
    week = build(school)
    # then
    assert entry(week, on_leave).status == TeacherStatus.EXCUSED
    assert entry(week, sick).status == TeacherStatus.INACTIVE
    assert stored(on_leave).status == "excused"
    assert week.active_teachers.numerator == 1
    assert week.active_teachers.denominator == 2


def test_absences_that_together_cover_every_school_day_excuse():
    # given: sick Monday–Tuesday, on leave Wednesday–Friday
    school = SchoolFactory()
    staff, _ = teacher_with_account(school)
    StaffAbsenceFactory(staff=staff, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 17))
    StaffAbsenceFactory(staff=staff, starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20))
    # when / then
    assert entry(build(school), staff).status == TeacherStatus.EXCUSED


def test_a_teacher_hired_mid_week_and_absent_on_every_day_since_is_excused():
    # given
    school = SchoolFactory()
    staff, _ = teacher_with_account(school, employed_from=date(2026, 11, 18))
    StaffAbsenceFactory(staff=staff, starts_on=date(2026, 11, 18), ends_on=date(2026, 11, 20))
    # when / then
    assert entry(build(school), staff).status == TeacherStatus.EXCUSED


def test_a_holiday_week_is_not_evaluated_and_stores_no_rows():
    # given: the autumn holidays cover Monday 26 October to Friday 30 October (2026-W44)
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    Holiday.objects.create(year=year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3))
    staff, account = teacher_with_account(school)
    send(ChatFactory(school=school), account, datetime(2026, 10, 27, 9, tzinfo=UTC), count=4)
    # when
    week = build(school, date(2026, 10, 26))
    # then
    assert week.evaluated is False
    assert (entry(week, staff).status, entry(week, staff).messages) == (TeacherStatus.NOT_EVALUATED, 4)
    assert (week.active_teachers.numerator, week.active_teachers.denominator) == (0, 0)
    assert not WeeklyActivity.objects.filter(school=school).exists()


def test_a_week_with_some_holidays_is_evaluated_on_its_school_days():
    # given: 2026-W45 has holidays on Monday and Tuesday; the teacher is absent Wednesday to Friday
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    Holiday.objects.create(year=year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3))
    absent, _ = teacher_with_account(school)
    StaffAbsenceFactory(staff=absent, starts_on=date(2026, 11, 4), ends_on=date(2026, 11, 6))
    present, _ = teacher_with_account(school)
    # when
    week = build(school, date(2026, 11, 2))
    # then
    assert week.evaluated is True
    assert week.school_days == [date(2026, 11, 4), date(2026, 11, 5), date(2026, 11, 6)]
    assert entry(week, absent).status == TeacherStatus.EXCUSED
    assert entry(week, present).status == TeacherStatus.INACTIVE


def test_holidays_of_another_school_do_not_apply():
    # given
    school = SchoolFactory()
    other_year = AcademicYearFactory(school=SchoolFactory())
    Holiday.objects.create(year=other_year, name="каникулы", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20))
    staff, _ = teacher_with_account(school)
    # when / then
    assert entry(build(school), staff).status == TeacherStatus.INACTIVE


def test_recomputing_a_week_that_became_a_holiday_removes_its_rows():
    # given
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    teacher_with_account(school)
    build(school)
    assert WeeklyActivity.objects.filter(school=school).count() == 1
    Holiday.objects.create(year=year, name="карантин", starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20))
    # when
    build(school)
    # then
    assert not WeeklyActivity.objects.filter(school=school).exists()


def test_a_teacher_with_no_linked_account_is_inactive_with_account_false():
    # given
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    # when
    week = build(school)
    # then
    assert (entry(week, staff).status, entry(week, staff).has_account) == (TeacherStatus.INACTIVE, False)
    assert stored(staff).has_account is False


def test_any_linked_account_gives_account_true_whatever_its_status():
    # given
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    SferumAccountFactory(school=school, staff=staff, status=SferumAccount.Status.PENDING)
    # when / then
    assert entry(build(school), staff).has_account is True


def test_the_threshold_changed_in_the_schools_settings_applies():
    # given
    school, chat, (four, four_account) = teacher_in_one_chat(activity_threshold=5)
    five, five_account = teacher_with_account(school)
    send(chat, four_account, TUESDAY_9_UTC, count=4)
    send(chat, five_account, TUESDAY_9_UTC, count=5)
    # when
    week = build(school)
    # then
    assert week.threshold == 5
    assert entry(week, four).status == TeacherStatus.INACTIVE
    assert entry(week, five).status == TeacherStatus.ACTIVE
    assert stored(four).threshold == 5


def test_a_school_without_its_own_threshold_inherits_the_municipalitys():
    # given
    school = SchoolFactory(municipality=MunicipalityFactory(activity_threshold=2), activity_threshold=None)
    staff, account = teacher_with_account(school)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC, count=2)
    # when
    week = build(school)
    # then
    assert (week.threshold, entry(week, staff).status) == (2, TeacherStatus.ACTIVE)


def test_non_teaching_staff_are_not_judged_but_a_class_teacher_always_is():
    # given
    school = SchoolFactory()
    secretary = StaffFactory(school=school, teaches=False)
    class_teacher = StaffFactory(school=school, teaches=False)
    SchoolClassFactory(school=school, class_teacher=class_teacher)
    # when
    week = build(school)
    # then
    assert [t.staff_id for t in week.teachers] == [class_teacher.pk]
    assert secretary.pk not in [t.staff_id for t in week.teachers]


def test_building_a_week_twice_gives_the_same_rows():
    # given
    school = SchoolFactory()
    _staff, account = teacher_with_account(school)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC, count=3)
    fields = ["pk", "school_id", "staff_id", "week_start", "messages", "status", "has_account", "suspicious"]
    with time_machine.travel(datetime(2026, 11, 23, 3, tzinfo=UTC), tick=False):
        build(school)
        first = list(WeeklyActivity.objects.values(*fields, "computed_at"))
        # when
        build(school)
    # then
    assert list(WeeklyActivity.objects.values(*fields, "computed_at")) == first
    assert len(first) == 1


def test_rebuilding_updates_the_count_and_drops_people_who_no_longer_teach():
    # given
    school, chat, (staff, account), (former, _) = two_teachers_in_one_chat()
    send(chat, account, TUESDAY_9_UTC, count=1)
    build(school)
    row_id = stored(staff).pk
    # when
    send(chat, account, TUESDAY_9_UTC + timedelta(hours=3), count=2)
    Staff.objects.filter(pk=former.pk).update(teaches=False)
    build(school)
    # then
    assert (stored(staff).pk, stored(staff).messages, stored(staff).status) == (row_id, 3, "active")
    assert not WeeklyActivity.objects.filter(staff=former).exists()


def test_history_lists_the_stored_weeks_of_the_academic_year():
    # given
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    staff, account = teacher_with_account(school)
    chat = ChatFactory(school=school)
    send(chat, account, datetime(2026, 11, 3, 9, tzinfo=UTC), count=1)
    send(chat, account, datetime(2026, 11, 10, 9, tzinfo=UTC), count=3)
    mondays = [date(2026, 8, 31) + timedelta(weeks=n) for n in range(11)]  # 2026-W36 to 2026-W46
    # when
    with time_machine.travel(datetime(2026, 11, 16, 6, tzinfo=UTC)):
        for monday in mondays:
            weekly_activity_build(school=school, week_start=monday)
    # then
    history = list(weekly_activity_history(staff=staff, year=year))
    assert len(history) == 11
    assert history[0].week == "2026-W36"
    assert [(row.week, row.messages, row.status) for row in history[-2:]] == [
        ("2026-W45", 1, "inactive"),
        ("2026-W46", 3, "active"),
    ]


def test_the_counted_messages_can_be_listed_without_text():
    # given
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    chat = ChatFactory(school=school, title="5А ученики", kind="class")
    send(chat, account, TUESDAY_9_UTC, count=2, kind=Message.Kind.DOCUMENT)
    send(chat, account, TUESDAY_9_UTC + timedelta(hours=2), kind=Message.Kind.SERVICE)
    # when
    rows = list(teacher_week_messages(staff=staff, week_start=W47))
    # then
    assert len(rows) == entry(build(school), staff).messages == 2
    assert rows[0]["sent_at"] == TUESDAY_9_UTC
    assert (rows[0]["chat__title"], rows[0]["chat__kind"], rows[0]["kind"]) == ("5А ученики", "class", "document")
    assert not any("text" in key for key in rows[0])


# Suspicious activity: shown beside the count, explained, never changing it.


def test_half_of_the_messages_emoji_only_flags_the_week_without_changing_the_count():
    # given
    school, chat, (staff, account) = teacher_in_one_chat()
    send(chat, account, TUESDAY_9_UTC, count=2, emoji_only=True)
    send(chat, account, TUESDAY_9_UTC + timedelta(days=1), count=2)
    # when
    week = build(school)
    # then
    teacher = entry(week, staff)
    assert (teacher.messages, teacher.status, teacher.emoji_only) == (4, TeacherStatus.ACTIVE, 2)
    assert teacher.flags == ["emoji_only"]
    assert teacher.flag_explanations() == ["2 of 4 messages are emoji-only."]
    assert (stored(staff).suspicious, stored(staff).emoji_only_messages, stored(staff).messages) == (True, 2, 4)


def test_fewer_than_half_emoji_only_is_not_flagged():
    # given
    school, chat, (staff, account) = teacher_in_one_chat()
    send(chat, account, TUESDAY_9_UTC, count=1, emoji_only=True)
    send(chat, account, TUESDAY_9_UTC + timedelta(days=1), count=2)
    # when / then
    assert entry(build(school), staff).flags == []
    assert stored(staff).suspicious is False


def test_near_duplicates_share_the_keyed_text_hash_and_every_copy_counts():
    # given: the same text in two chats, and two other texts
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC, text_hash="a" * 64)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC + timedelta(hours=1), text_hash="a" * 64)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC + timedelta(hours=2), text_hash="b" * 64)
    send(ChatFactory(school=school), account, TUESDAY_9_UTC + timedelta(hours=3), text_hash="")
    send(ChatFactory(school=school), account, TUESDAY_9_UTC + timedelta(hours=4), text_hash="")
    # when
    teacher = entry(build(school), staff)
    # then: messages without text (empty hash) are never duplicates of each other
    assert (teacher.messages, teacher.duplicates, teacher.flags) == (5, 2, [])


def test_near_duplicates_of_half_the_messages_flag_the_week():
    # given
    school, chat, (staff, account) = teacher_in_one_chat()
    for hours, text_hash in enumerate(["a" * 64, "a" * 64, "b" * 64, "c" * 64]):
        send(chat, account, TUESDAY_9_UTC + timedelta(hours=hours), text_hash=text_hash)
    # when
    teacher = entry(build(school), staff)
    # then
    assert (teacher.messages, teacher.duplicates, teacher.flags) == (4, 2, ["duplicates"])


def test_the_same_text_from_two_teachers_is_no_duplicate():
    # given
    school, chat, (one, one_account), (_two, two_account) = two_teachers_in_one_chat()
    send(chat, one_account, TUESDAY_9_UTC, text_hash="a" * 64)
    send(chat, two_account, TUESDAY_9_UTC, text_hash="a" * 64)
    # when / then
    assert entry(build(school), one).duplicates == 0


def test_three_messages_within_two_minutes_are_a_burst():
    # given: 09:00:00, 09:01:00, 09:02:00 (a burst, the edge included), then 12:00:00, 15:00:00
    school, chat, (staff, account) = teacher_in_one_chat()
    for seconds in (0, 60, 120, 3 * 3600, 6 * 3600):
        send(chat, account, TUESDAY_9_UTC + timedelta(seconds=seconds))
    # when
    teacher = entry(build(school), staff)
    # then
    assert (teacher.messages, teacher.bursts, teacher.flags) == (5, 3, ["bursts"])
    marks = [row["in_burst"] for row in teacher_week_messages(staff=staff, week_start=W47)]
    assert marks == [True, True, True, False, False]


def test_three_messages_over_more_than_two_minutes_are_no_burst():
    # given: 09:00:00, 09:01:00, 09:02:01
    school, chat, (staff, account) = teacher_in_one_chat()
    for seconds in (0, 60, 121):
        send(chat, account, TUESDAY_9_UTC + timedelta(seconds=seconds))
    # when / then
    assert entry(build(school), staff).bursts == 0


def test_a_burst_spans_the_accounts_chats_and_a_long_one_counts_whole():
    # given: five messages 30 seconds apart across two chats of one account, then two lone ones
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    chats = [ChatFactory(school=school), ChatFactory(school=school)]
    for index in range(5):
        send(chats[index % 2], account, TUESDAY_9_UTC + timedelta(seconds=30 * index))
    send(chats[0], account, TUESDAY_9_UTC + timedelta(hours=5))
    send(chats[0], account, TUESDAY_9_UTC + timedelta(hours=9))
    # when
    teacher = entry(build(school), staff)
    # then
    assert (teacher.messages, teacher.bursts, teacher.flags) == (7, 5, ["bursts"])


def test_bursts_and_near_duplicates_are_each_accounts_own():
    # given: a teacher's two accounts (VK and MAX) alternate 30 seconds apart and post the same text once each
    school = SchoolFactory()
    staff, account = teacher_with_account(school)
    other_account = SferumAccountFactory(school=school, staff=staff, backend="max")
    chats = [ChatFactory(school=school), ChatFactory(school=school)]
    for index in range(4):
        send(chats[index % 2], [account, other_account][index % 2], TUESDAY_9_UTC + timedelta(seconds=30 * index))
    send(chats[0], account, TUESDAY_9_UTC + timedelta(hours=5), text_hash="a" * 64)
    send(chats[1], other_account, TUESDAY_9_UTC + timedelta(hours=5), text_hash="a" * 64)
    # when: each account has two messages within two minutes and one copy of the text (the one cross-posted)
    teacher = entry(build(school), staff)
    # then: no burst, no near-duplicate; both counts are the same with the marks stored with the messages
    assert (teacher.messages, teacher.bursts, teacher.duplicates) == (6, 0, 0)
    row = stored(staff)
    assert (row.messages, row.burst_messages, row.duplicate_messages) == (6, 0, 0)


def test_other_peoples_messages_do_not_make_a_teacher_burst():
    # given
    school, chat, (one, one_account), (_two, two_account) = two_teachers_in_one_chat()
    send(chat, one_account, TUESDAY_9_UTC)
    send(chat, two_account, TUESDAY_9_UTC + timedelta(seconds=20))
    send(chat, one_account, TUESDAY_9_UTC + timedelta(seconds=40))
    # when / then
    assert entry(build(school), one).bursts == 0


def test_a_weekly_report_replaces_message_counting_for_the_teachers_it_covers():
    # given: a school whose only source for one teacher is a weekly report (files backend)
    from chats.models import ReportedActivity

    school, chat, (reported, _account), (counted, counted_account) = two_teachers_in_one_chat()
    send(chat, counted_account, TUESDAY_9_UTC, count=3)
    ReportedActivity.objects.create(school=school, staff=reported, week_start=W47, messages=4, source_file="a.csv")
    ReportedActivity.objects.create(
        school=school, staff=reported, week_start=W47 - timedelta(days=7), messages=0, source_file="a.csv"
    )
    # when
    week = build(school)
    # then
    assert (entry(week, reported).messages, entry(week, reported).status) == (4, TeacherStatus.ACTIVE)
    assert (entry(week, counted).messages, entry(week, counted).status) == (3, TeacherStatus.ACTIVE)

"""`metrics_compute`: the CLI.md shape, exit codes, query counts, and agreement with an independent count."""

import json
import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management import get_commands
from django.core.management.base import CommandError
from django.db import connection

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.message_marks import message_marks_refresh
from chats.models import Message
from chats.tests.factories import ChatFactory
from chats.tests.factories import ChatMembershipFactory
from chats.tests.factories import MessageFactory
from classes.models import Holiday
from classes.models import School
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import StudentFactory
from reports.models import ActivationSnapshot
from reports.models import WeeklyActivity
from reports.selectors import teacher_week_messages
from reports.services import activation_snapshot_build
from reports.services import metrics_compute
from reports.services import weekly_activity_build
from reports.tests.independent_count import independent_count

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
W47 = date(2026, 11, 16)


def run(*args: str) -> dict:
    out = StringIO()
    call_command("metrics_compute", *args, "--json", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, "--json prints exactly one JSON object"
    return json.loads(lines[0])


def assert_agrees(report: dict, expected: dict) -> None:
    assert (report["evaluated"], report["threshold"]) == (expected["evaluated"], expected["threshold"])
    teachers = {
        t["person_id"]: {key: t[key] for key in ("messages", "status", "account", "flags", "materials")}
        for t in report["teachers"]
    }
    assert teachers == expected["teachers"]
    assert {key: report[key] for key in ("materials", "channel_posts", "calls")} == {
        key: expected[key] for key in ("materials", "channel_posts", "calls")
    }
    if report["evaluated"]:
        stored = {
            row["staff__person_id"]: {
                "emoji_only": row["emoji_only_messages"],
                "duplicates": row["duplicate_messages"],
                "bursts": row["burst_messages"],
            }
            for row in WeeklyActivity.objects.filter(
                school__code=report["school"], week_start=date.fromisoformat(report["week_start"])
            ).values("staff__person_id", "emoji_only_messages", "duplicate_messages", "burst_messages")
        }
        assert stored == expected["suspicion"]
    assert report["active_teachers"] == expected["active_teachers"]
    for group in ("staff", "students", "parents"):
        got = {key: value for key, value in report["activation"][group].items() if key != "target"}
        assert got == expected[group], group
    assert {c["class"]: c for c in report["activation"]["classes"]} == {c["class"]: c for c in expected["classes"]}


# The CLI contract


def small_school() -> School:
    school = SchoolFactory(code="SCH-017")
    school_class = SchoolClassFactory(school=school, letter="А")
    teacher = StaffFactory(
        school=school, person_id="T-001", last_name="Иванова", first_name="Мария", patronymic="Петровна"
    )
    school_class.class_teacher = teacher
    school_class.save()
    account = SferumAccountFactory(school=school, staff=teacher)
    for index in range(29):
        enrollment = EnrollmentFactory(school_class=school_class)
        if index < 26:
            SferumAccountFactory(school=school, student=enrollment.student, role_code="student")
    chat = ChatFactory(school=school, school_class=school_class, kind="class")
    ChatMembershipFactory(chat=chat, account=account, is_admin=True)
    for hours in range(3):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 17, 9 + hours, tzinfo=UTC))
    StaffFactory(school=school, person_id="T-002", last_name="Петров", first_name="Иван", patronymic="Сергеевич")
    return school


def test_json_has_the_cli_shape():
    # given
    small_school()
    # when
    with time_machine.travel(THURSDAY):
        report = run("--school", "SCH-017", "--week", "2026-W47")
    # then
    assert list(report) == [
        "school",
        "week",
        "week_start",
        "evaluated",
        "threshold",
        "teachers",
        "active_teachers",
        "materials",
        "channel_posts",
        "calls",
        "activation",
    ]
    assert (report["school"], report["week"], report["week_start"], report["evaluated"]) == (
        "SCH-017",
        "2026-W47",
        "2026-11-16",
        True,
    )
    assert report["teachers"] == [
        {
            "person_id": "T-001",
            "name": "Иванова Мария Петровна",
            "messages": 3,
            "status": "active",
            "account": True,
            "flags": [],
            "materials": {"documents": 0, "videos": 0, "links": 0, "photos": 0},
        },
        {
            "person_id": "T-002",
            "name": "Петров Иван Сергеевич",
            "messages": 0,
            "status": "inactive",
            "account": False,
            "flags": [],
            "materials": {"documents": 0, "videos": 0, "links": 0, "photos": 0},
        },
    ]
    assert (report["materials"], report["channel_posts"], report["calls"]) == (
        {"documents": 0, "videos": 0, "links": 0, "photos": 0},
        0,
        0,
    )
    assert report["active_teachers"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
    activation = report["activation"]
    assert activation["staff"] == {"numerator": 1, "denominator": 2, "rate": 0.5, "target": 1.0, "passes": False}
    assert activation["students"] == {
        "numerator": 26,
        "denominator": 29,
        "rate": 0.8966,
        "target": 0.9,
        "passes": False,
    }
    assert activation["parents"] == {"numerator": 0, "denominator": 29, "rate": 0.0, "target": 0.9, "passes": False}
    assert activation["classes"] == [
        {
            "class": "5А",
            "class_teacher": "T-001",
            "students": {"numerator": 26, "denominator": 29, "rate": 0.8966, "passes": False},
            "parents": {"numerator": 0, "denominator": 29, "rate": 0.0, "passes": False},
            "has_students_chat": True,
            "has_parents_chat": False,
            "class_teacher_is_admin": False,
        }
    ]


def test_it_stores_the_week_and_todays_snapshot():
    # given
    school = small_school()
    # when
    with time_machine.travel(THURSDAY):
        run("--school", "SCH-017", "--week", "2026-W47")
    # then
    assert WeeklyActivity.objects.filter(school=school, week_start=W47).count() == 2
    assert set(ActivationSnapshot.objects.values_list("day", flat=True)) == {date(2026, 11, 19)}
    assert ActivationSnapshot.objects.filter(school=school).count() == 5


def test_the_default_week_is_the_last_complete_one_in_the_schools_time_zone():
    # given
    SchoolFactory(code="MSK", timezone="Europe/Moscow")
    SchoolFactory(code="NSK", timezone="Asia/Novosibirsk")
    # when: Sunday 22 November 23:30 in Moscow is Monday 03:30 in Novosibirsk
    with time_machine.travel(datetime(2026, 11, 22, 20, 30, tzinfo=UTC)):
        moscow = run("--school", "MSK")
        novosibirsk = run("--school", "NSK")
    # then
    assert (moscow["week"], moscow["week_start"]) == ("2026-W46", "2026-11-09")
    assert (novosibirsk["week"], novosibirsk["week_start"]) == ("2026-W47", "2026-11-16")


def test_a_week_without_school_days_prints_evaluated_false_and_not_evaluated_teachers():
    # given
    school = SchoolFactory(code="HOL")
    year = AcademicYearFactory(school=school)
    Holiday.objects.create(year=year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3))
    StaffFactory(school=school, person_id="T-9")
    # when
    with time_machine.travel(THURSDAY):
        report = run("--school", "HOL", "--week", "2026-W44")
    # then
    assert report["evaluated"] is False
    assert [(t["person_id"], t["status"]) for t in report["teachers"]] == [("T-9", "not_evaluated")]
    assert report["active_teachers"] == {"numerator": 0, "denominator": 0, "rate": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "NOPE"], "There is no school with the code «NOPE»"),
        (["--school", "SCH-017", "--week", "47"], "«47» is not a week"),
        (["--school", "SCH-017", "--week", "2026-W54"], "2026 has no week 54"),
    ],
)
def test_an_unknown_school_or_a_bad_week_fails_with_one_line_and_exit_1(args, message):
    # given
    SchoolFactory(code="SCH-017")
    out = StringIO()
    # when
    with pytest.raises(CommandError) as failure:
        call_command("metrics_compute", *args, "--json", stdout=out)
    # then
    assert failure.value.returncode == 1
    assert message in str(failure.value)
    assert "\n" not in str(failure.value)
    assert out.getvalue() == ""
    assert not WeeklyActivity.objects.exists()


def test_without_json_it_prints_a_readable_summary():
    # given
    small_school()
    out = StringIO()
    # when
    with time_machine.travel(THURSDAY):
        call_command("metrics_compute", "--school", "SCH-017", "--week", "2026-W47", stdout=out)
    # then
    text = out.getvalue()
    assert "2026-W47" in text
    assert "T-001 Иванова Мария Петровна: 3 · active" in text


# Set-based: the number of queries does not grow with the school


def school_of(classes: int) -> School:
    school = SchoolFactory()
    year = AcademicYearFactory(school=school)
    Holiday.objects.create(year=year, name="зимние каникулы", starts_on=date(2026, 12, 29), ends_on=date(2027, 1, 11))
    for index in range(classes):
        teacher = StaffFactory(school=school)
        teacher_account = SferumAccountFactory(school=school, staff=teacher)
        school_class = SchoolClassFactory(
            school=school, year=year, grade=1 + index % 11, letter="АБВГ"[index // 11], class_teacher=teacher
        )
        students_chat = ChatFactory(school=school, school_class=school_class, kind="class")
        ChatMembershipFactory(chat=students_chat, account=teacher_account, is_admin=True)
        ChatFactory(school=school, school_class=school_class, kind="parents")
        for student_index in range(2):
            student = EnrollmentFactory(school_class=school_class).student
            if student_index:
                SferumAccountFactory(school=school, student=student, role_code="student")
                parent = ParentFactory(school=school, children=[student])
                SferumAccountFactory(school=school, parent=parent, role_code="parent")
        for hours in range(index % 4):
            MessageFactory(
                chat=students_chat, author=teacher_account, sent_at=datetime(2026, 11, 17, 8 + hours, tzinfo=UTC)
            )
        if index % 5 == 0:
            StaffAbsenceFactory(staff=teacher)
    return School.objects.select_related("municipality").get(pk=school.pk)


@pytest.mark.parametrize("classes", [3, 30])
def test_the_weekly_activity_of_a_school_takes_the_same_queries_whatever_its_size(classes, django_assert_num_queries):
    # given
    school = school_of(classes)
    message_marks_refresh(school_ids=[school.pk])  # as the sync that stored the messages
    # when / then: any unmarked messages; holidays, the history horizon; savepoint, delete, one upsert that
    # counts and classifies in the database, release; the stored rows read back
    with django_assert_num_queries(8):
        week = weekly_activity_build(school=school, week_start=W47)
    assert len(week.teachers) == classes


@pytest.mark.parametrize("classes", [3, 30])
def test_marking_a_schools_messages_takes_the_same_queries_whatever_its_size(classes, django_assert_num_queries):
    # given: a school whose messages nobody marked yet
    school = school_of(classes)
    # when / then: the schools with unmarked messages, their time zones; savepoint, (the school's lock on
    # PostgreSQL), marks, the rest, release
    with django_assert_num_queries(6 + (connection.vendor == "postgresql")):
        message_marks_refresh(school_ids=[school.pk])
    # then: all marked, and nothing more to do
    assert not Message.objects.filter(burst_mark__isnull=True).exists()
    with django_assert_num_queries(1):
        assert message_marks_refresh() == 0


@pytest.mark.parametrize("classes", [3, 30])
def test_the_activation_of_a_school_takes_the_same_queries_whatever_its_size(classes, django_assert_num_queries):
    # given
    school = school_of(classes)
    # when / then: staff, enrollments, classes with coverage; one upsert
    with django_assert_num_queries(4):
        activation = activation_snapshot_build(school=school, day=date(2026, 11, 19))
    assert len(activation.classes) == classes


@pytest.mark.parametrize("classes", [3, 30])
def test_metrics_compute_takes_the_same_queries_whatever_its_size(classes, django_assert_num_queries):
    # given
    school = school_of(classes)
    message_marks_refresh(school_ids=[school.pk])  # as the sync that stored the messages
    # when / then: the weekly activity (8), the activation (4), the week's materials, channel posts and calls (1)
    with time_machine.travel(THURSDAY), django_assert_num_queries(13):
        report = metrics_compute(school=school, week_start=W47)
    assert len(report["activation"]["classes"]) == classes


def test_json_counts_the_weeks_materials_channel_posts_and_calls():
    # given: the small school's teacher posts two documents and a photo in one message, a video, and starts a call;
    # a student posts a photo; a community posts a document in the channel; a person posts in it twice
    school = small_school()
    teacher = SferumAccount.objects.get(staff__person_id="T-001")
    student = SferumAccount.objects.filter(student__isnull=False).first()
    chat = school.chats.get()
    channel = ChatFactory(school=school, kind="channel")
    at = datetime(2026, 11, 18, 9, tzinfo=UTC)
    MessageFactory(chat=chat, author=teacher, sent_at=at, kind="document", attachments=1 | 8)
    MessageFactory(chat=chat, author=teacher, sent_at=at, kind="video", attachments=2)
    MessageFactory(chat=chat, author=teacher, sent_at=at, kind="call", attachments=16)
    MessageFactory(chat=chat, author=student, sent_at=at, kind="photo", attachments=8)
    MessageFactory(chat=channel, author=None, from_bot=True, sent_at=at, kind="document", attachments=1)
    MessageFactory(chat=channel, author=teacher, sent_at=at, kind="link", attachments=4)
    MessageFactory(chat=channel, author=student, sent_at=at)
    MessageFactory(chat=chat, author=teacher, sent_at=datetime(2026, 11, 23, 9, tzinfo=UTC), attachments=1)  # W48
    # when
    with time_machine.travel(THURSDAY):
        report = run("--school", "SCH-017", "--week", "2026-W47")
    # then
    by_person = {t["person_id"]: t["materials"] for t in report["teachers"]}
    assert by_person == {
        "T-001": {"documents": 1, "videos": 1, "links": 1, "photos": 1},
        "T-002": {"documents": 0, "videos": 0, "links": 0, "photos": 0},
    }
    assert report["materials"] == {"documents": 1, "videos": 1, "links": 1, "photos": 2}
    assert (report["channel_posts"], report["calls"]) == (2, 1)


# Agreement with a straightforward independent count


ZONES = ["Europe/Moscow", "Asia/Novosibirsk", "Europe/Kaliningrad"]
Role = SferumAccount.RoleCode
Status = SferumAccount.Status


def random_school(rng: random.Random, code: str) -> School:
    """Build a school with people, accounts, chats and messages chosen at random around 2026-W47."""
    municipality = MunicipalityFactory(activity_threshold=rng.choice([2, 3, 4]))
    school = SchoolFactory(
        code=code,
        municipality=municipality,
        timezone=rng.choice(ZONES),
        activity_threshold=rng.choice([None, 3, 5]),
        students_target=rng.choice([None, Decimal("0.8")]),
    )
    year = AcademicYearFactory(school=school)
    if rng.random() < 0.5:
        first = date(2026, 11, 16) + timedelta(days=rng.randrange(5))
        Holiday.objects.create(year=year, name="карантин", starts_on=first, ends_on=first + timedelta(days=1))
    week_day = [date(2026, 11, 12) + timedelta(days=n) for n in range(14)]
    staff = []
    for _ in range(12):
        employed_from = rng.choice([date(2020, 9, 1), *week_day])
        member = StaffFactory(
            school=school,
            teaches=rng.random() < 0.8,
            employed_from=employed_from,
            employed_to=rng.choice([None, None, None, *[day for day in week_day if day >= employed_from]]),
        )
        staff.append(member)
        if rng.random() < 0.3:
            first = rng.choice(week_day)
            StaffAbsenceFactory(staff=member, starts_on=first, ends_on=first + timedelta(days=rng.randrange(7)))
    classes = []
    for index, (grade, letter) in enumerate([(5, "А"), (5, "Б"), (6, "А"), (7, "В")]):
        teacher = staff[index] if index < 3 else None
        if teacher is not None and teacher.employed_to is not None:
            teacher.employed_to = None
            teacher.save(update_fields=["employed_to"])
        classes.append(SchoolClassFactory(school=school, year=year, grade=grade, letter=letter, class_teacher=teacher))
    students = []
    for _ in range(30):
        student = StudentFactory(school=school)
        students.append(student)
        first_class = rng.choice(classes)
        if rng.random() < 0.2:
            moved_on = rng.choice(week_day[2:10])
            EnrollmentFactory(student=student, school_class=first_class, starts_on=date(2026, 9, 1), ends_on=moved_on)
            EnrollmentFactory(student=student, school_class=rng.choice(classes), starts_on=moved_on + timedelta(days=1))
        else:
            starts_on = rng.choice([date(2026, 9, 1), date(2026, 9, 1), date(2026, 11, 19), date(2026, 11, 20)])
            ends_on = rng.choice([None, None, None, date(2026, 11, 18), date(2026, 11, 19)])
            EnrollmentFactory(
                student=student,
                school_class=first_class,
                starts_on=starts_on,
                ends_on=ends_on if ends_on is None or ends_on >= starts_on else None,
            )
    parents = []
    for _ in range(25):
        children = rng.sample(students, rng.choice([1, 1, 2]))
        parents.append(
            ParentFactory(school=school, children=children, left_on=rng.choice([None, None, None, date(2026, 11, 1)]))
        )
    accounts = []
    roles = [Role.TEACHER, Role.ADMIN, Role.EMPLOYEE, Role.STUDENT, Role.PARENT, Role.NONE]
    statuses = [Status.ACTIVE, Status.ACTIVE, Status.ACTIVE, Status.PENDING, Status.INVITED, Status.BLOCKED]
    right_roles = {
        "staff": [Role.TEACHER, Role.ADMIN, Role.EMPLOYEE],
        "student": [Role.STUDENT],
        "parent": [Role.PARENT],
    }
    for person in [*staff, *students, *parents, None, None]:
        for _ in range(rng.choice([0, 1, 1, 1, 1, 2])):
            link = {} if person is None else {type(person).__name__.lower(): person}
            role = rng.choice(roles)
            if person is not None and rng.random() < 0.8:
                role = rng.choice(right_roles[type(person).__name__.lower()])
            status = Status.ACTIVE if rng.random() < 0.75 else rng.choice(statuses)
            accounts.append(SferumAccountFactory(school=school, role_code=role, status=status, **link))
    staff_accounts = [account for account in accounts if account.staff_id]
    chats = [ChatFactory(school=school, kind=rng.choice(["staff", "school", "channel"]))]
    for school_class in classes:
        for kind in ("class", "parents", "subject"):
            if rng.random() < 0.85:
                chats.append(ChatFactory(school=school, school_class=school_class, kind=kind))
                teacher_accounts = [a for a in accounts if a.staff_id and a.staff_id == school_class.class_teacher_id]
                for account in teacher_accounts:
                    ChatMembershipFactory(
                        chat=chats[-1],
                        account=account,
                        is_admin=rng.random() < 0.9,
                        left_at=rng.choice([None] * 6 + [datetime(2026, 10, 1, tzinfo=UTC)]),
                    )
    elsewhere = ChatFactory()
    start = datetime(2026, 11, 15, 12, tzinfo=UTC)
    last_at: dict[int, datetime] = {}
    for _ in range(400):
        author = rng.choice(staff_accounts if rng.random() < 0.7 else accounts)
        if author.pk in last_at and rng.random() < 0.35:
            sent_at = last_at[author.pk] + timedelta(seconds=rng.randrange(0, 90))
        else:
            sent_at = start + timedelta(seconds=rng.randrange(8 * 24 * 3600))
        last_at[author.pk] = sent_at
        MessageFactory(
            chat=elsewhere if rng.random() < 0.05 else rng.choice(chats),
            author=author,
            sent_at=sent_at,
            kind=rng.choice([*["text"] * 6, "document", "photo", "service"]),
            from_bot=rng.random() < 0.05,
            emoji_only=rng.random() < 0.25,
            text_hash="" if rng.random() < 0.3 else f"{rng.randrange(60):064x}",
            # none; one kind; two documents-and-a-photo style mixes; a call (16), alone or with a document
            attachments=rng.choice([0, 0, 0, 0, 0, 1, 2, 4, 8, 9, 5, 14, 16, 17]),
        )
    return school


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_figures_agree_with_an_independent_count_on_a_random_school(seed):
    # given
    random_school(random.Random(seed), code=f"RND-{seed}")
    assert Message.objects.count() == 400
    # when
    with time_machine.travel(THURSDAY):
        report = run("--school", f"RND-{seed}", "--week", "2026-W47")
        today = date.fromisoformat(str(ActivationSnapshot.objects.values_list("day", flat=True).first()))
    # then
    assert_agrees(report, independent_count(f"RND-{seed}", W47, today))
    for row in WeeklyActivity.objects.filter(school__code=f"RND-{seed}").select_related("staff__school"):
        listed = list(teacher_week_messages(staff=row.staff, week_start=W47))
        assert len(listed) == row.messages
        assert sum(m["emoji_only"] for m in listed) == row.emoji_only_messages
        assert sum(m["near_duplicate"] for m in listed) == row.duplicate_messages
        assert sum(m["in_burst"] for m in listed) == row.burst_messages


@pytest.mark.slow
@pytest.mark.skipif("seed_demo" not in get_commands(), reason="seed_demo is not there yet (chats/management).")
def test_the_demo_figures_agree_with_an_independent_count():
    # given
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=UTC)):
        call_command("seed_demo", stdout=StringIO())
        codes = list(School.objects.order_by("code").values_list("code", flat=True))
        assert codes
        for code in codes:
            # when
            report = run("--school", code)
            # then: the last complete week in Moscow on Monday 30 November is 2026-W48
            assert report["week"] == "2026-W48"
            assert report["teachers"]
            assert_agrees(report, independent_count(code, date(2026, 11, 23), date(2026, 11, 30)))

"""Test data for the web pages: a school of any size, the logins that look at it, a constant-queries check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.models import Chat, SyncRun
from chats.tests.factories import ChatFactory, ChatMembershipFactory, MessageFactory
from classes.models import AcademicYear, School, SchoolClass, User
from classes.tests.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    MunicipalityFactory,
    ParentFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    TeachingAssignmentFactory,
    UserFactory,
)

# Thursday of ISO week 2026-W47: the last complete week is W46 (Monday 9 November 2026).
NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
LAST_WEEK = date(2026, 11, 9)
LETTERS = "АБВГДЕЖЗИК"


@dataclass
class SchoolData:
    school: School
    year: AcademicYear
    classes: list[SchoolClass] = field(default_factory=list)
    teachers: list = field(default_factory=list)


def school_build(*, municipality=None, classes: int = 1, students: int = 2, code: str | None = None) -> SchoolData:
    """Return a school with `classes` classes, each with a class teacher (active in Sferum, who wrote in the last
    complete week), a subject teacher, `students` students (every other one activated, one parent each,
    activated for the first), a students chat, and a parents chat for every other class.
    """
    school = SchoolFactory(municipality=municipality or MunicipalityFactory(), **({"code": code} if code else {}))
    year = AcademicYearFactory(school=school)
    data = SchoolData(school=school, year=year)
    offset = SchoolClass.objects.filter(school=school).count()
    for index in range(classes):
        class_data_add(data, grade=1 + (offset + index) % 11, letter=LETTERS[(offset + index) // 11], students=students)
    return data


def class_data_add(data: SchoolData, *, grade: int, letter: str, students: int) -> SchoolClass:
    """Add one class with its teachers, students, parents, chats and messages to the school."""
    school = data.school
    teacher = StaffFactory(school=school)
    school_class = SchoolClassFactory(school=school, year=data.year, grade=grade, letter=letter, class_teacher=teacher)
    subject_teacher = StaffFactory(school=school)
    TeachingAssignmentFactory(school_class=school_class, staff=subject_teacher, subject="математика")
    account = SferumAccountFactory(school=school, staff=teacher, role_code=SferumAccount.RoleCode.TEACHER)
    SferumAccountFactory(school=school, staff=subject_teacher, role_code=SferumAccount.RoleCode.TEACHER)
    chat = ChatFactory(school=school, kind=Chat.Kind.CLASS, school_class=school_class, title=f"{school_class.name}")
    ChatMembershipFactory(chat=chat, account=account, is_admin=True)
    if len(data.classes) % 2 == 0:
        parents_chat = ChatFactory(
            school=school, kind=Chat.Kind.PARENTS, school_class=school_class, title=f"{school_class.name} родители"
        )
        ChatMembershipFactory(chat=parents_chat, account=account, is_admin=True)
    for minute in range(3 + len(data.classes) % 2):
        MessageFactory(chat=chat, author=account, sent_at=datetime(2026, 11, 10, 9, minute * 10, tzinfo=UTC))
    for number in range(students):
        enrollment = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 9, 1))
        if number % 2 == 0:
            SferumAccountFactory(school=school, student=enrollment.student, role_code=SferumAccount.RoleCode.STUDENT)
        parent = ParentFactory(school=school, children=[enrollment.student])
        if number == 0:
            SferumAccountFactory(school=school, parent=parent, role_code=SferumAccount.RoleCode.PARENT)
    data.classes.append(school_class)
    data.teachers += [teacher, subject_teacher]
    return school_class


def sync_runs_add(school: School, *, held: int = 1) -> list[SyncRun]:
    """Add a finished sync and `held` held ones to the school."""
    runs = [
        SyncRun.objects.create(
            school=school, backend="simulator", status=SyncRun.Status.OK, started_at=NOW - timedelta(hours=5)
        )
    ]
    for number in range(held):
        runs.append(
            SyncRun.objects.create(
                school=school,
                backend="simulator",
                status=SyncRun.Status.HELD,
                started_at=NOW - timedelta(hours=2, minutes=number),
                held_removals=40,
                held_reason="40 of 60 memberships would end.",
            )
        )
    return runs


def school_admin(school: School, **fields) -> User:
    return UserFactory(role=User.Role.SCHOOL_ADMIN, school=school, **fields)


def municipal_admin(municipality) -> User:
    return UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)


def teacher_user(data: SchoolData) -> User:
    staff = data.teachers[0]
    return UserFactory(role=User.Role.TEACHER, school=data.school, staff=staff)


def assert_constant_queries(client, url: str, grow, django_assert_num_queries, **extra):
    """Assert the page makes as many queries after `grow()` adds data as before it; return the last response."""
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as small:
        first = client.get(url, **extra)
    assert first.status_code == 200
    grow()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response

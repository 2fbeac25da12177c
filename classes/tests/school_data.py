"""Test data for the web pages, the roster part: a school of any size, the logins that look at it, a
constant-queries check. chats.tests.school_data adds the school's Sferum accounts, chats and messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from classes.models import AcademicYear, Enrollment, Parent, School, SchoolClass, User
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
    teachers: list = field(default_factory=list)  # per class: its class teacher, then its subject teacher
    pupils: list[tuple[Enrollment, Parent]] = field(default_factory=list)  # per class: its students' enrolments


def class_data_add(data: SchoolData, *, grade: int, letter: str, students: int) -> SchoolClass:
    """Add one class with its class teacher, a subject teacher, and `students` students with a parent each."""
    school = data.school
    teacher = StaffFactory(school=school)
    school_class = SchoolClassFactory(school=school, year=data.year, grade=grade, letter=letter, class_teacher=teacher)
    subject_teacher = StaffFactory(school=school)
    TeachingAssignmentFactory(school_class=school_class, staff=subject_teacher, subject="математика")
    for _ in range(students):
        enrollment = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 9, 1))
        data.pupils.append((enrollment, ParentFactory(school=school, children=[enrollment.student])))
    data.classes.append(school_class)
    data.teachers += [teacher, subject_teacher]
    return school_class


def school_build(
    *,
    municipality=None,
    classes: int = 1,
    students: int = 2,
    code: str | None = None,
    class_add: Callable[..., SchoolClass] = class_data_add,
) -> SchoolData:
    """Return a school with `classes` classes, each added by `class_add` with `students` students."""
    school = SchoolFactory(municipality=municipality or MunicipalityFactory(), **({"code": code} if code else {}))
    year = AcademicYearFactory(school=school)
    data = SchoolData(school=school, year=year)
    offset = SchoolClass.objects.filter(school=school).count()
    for index in range(classes):
        class_add(data, grade=1 + (offset + index) % 11, letter=LETTERS[(offset + index) // 11], students=students)
    return data


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

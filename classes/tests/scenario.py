"""Scenarios for tests, the roster part: a school with named people (RosterWorld), a school of any size for the
web pages (school_build), the logins that look at it, a constant-queries check.

chats.tests.scenario builds the same schools with their Sferum accounts, chats, messages and syncs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Parent
from classes.models import Quarter
from classes.models import RosterChange
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import Student
from classes.models import User
from classes.roster_changes import roster_change_report_arrival
from classes.roster_changes import roster_change_report_departure
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import StudentFactory
from classes.tests.factories import TeachingAssignmentFactory
from classes.tests.factories import UserFactory

# The web pages' moment (school_build): Thursday of ISO week 2026-W47; the last complete week is W46.
NOW = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
LAST_WEEK = date(2026, 11, 9)
LETTERS = "АБВГДЕЖЗИК"

# RosterWorld's moments: arrivals and departures reported on Monday 16 November 2026, 09:00 in Moscow
# (RosterChangesSchool); the quarter's reconciliation on a Monday of the second quarter.
ROSTER_CHANGES_MONDAY = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
SECOND_QUARTER_MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)
QUARTERS = [
    (1, date(2026, 9, 1), date(2026, 10, 24)),
    (2, date(2026, 11, 5), date(2026, 12, 28)),
    (3, date(2027, 1, 12), date(2027, 3, 20)),
    (4, date(2027, 3, 30), date(2027, 5, 26)),
]


class RosterWorld:
    """A school (year 2026/2027 with its quarters) with classes; add students and staff by name."""

    def __init__(self, classes: tuple[str, ...] = ("5А", "5Б", "6А"), code: str | None = None) -> None:
        self.school: School = SchoolFactory(**({"code": code} if code else {}))
        self.year = AcademicYearFactory(school=self.school)
        self.quarters = {
            number: Quarter.objects.create(year=self.year, number=number, starts_on=start, ends_on=end)
            for number, start, end in QUARTERS
        }
        self.classes: dict[str, SchoolClass] = {}
        for name in classes:
            self.class_add(name)
        self._sequence = 0

    def class_add(self, name: str) -> SchoolClass:
        """Add the class named like "5А"."""
        school_class = SchoolClassFactory(school=self.school, year=self.year, grade=int(name[:-1]), letter=name[-1])
        self.classes[name] = school_class
        return school_class

    def _next_id(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}-{self._sequence:04d}"

    def student(
        self,
        class_name: str,
        last_name: str,
        first_name: str,
        patronymic: str = "",
        birth_date: date | None = None,
        person_id: str | None = None,
        **enrollment,
    ) -> Student:
        """Return a student enrolled in the named class (from 1 September unless `starts_on` says otherwise)."""
        student = StudentFactory(
            school=self.school,
            person_id=person_id or self._next_id("S"),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            birth_date=birth_date,
        )
        Enrollment.objects.create(
            student=student,
            school_class=self.classes[class_name],
            starts_on=enrollment.pop("starts_on", date(2026, 9, 1)),
            **enrollment,
        )
        return student

    def staff(self, last_name: str, first_name: str, patronymic: str = "", **fields) -> Staff:
        """Return a member of staff of the school."""
        return StaffFactory(
            school=self.school,
            person_id=fields.pop("person_id", None) or self._next_id("T"),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            **fields,
        )


class RosterChangesSchool:
    """The world's class 5А led by Иванова Мария Петровна (login `teacher`) with Смирнов Пётр (S-1) and Орлова
    Анна (S-2), Волков Иван (S-3) in 5Б, a school administrator (`admin`); report a departure or an arrival.
    """

    def __init__(self, world: RosterWorld) -> None:
        self.world = world
        self.teacher_staff = self.world.staff("Иванова", "Мария", "Петровна")
        self.world.classes["5А"].class_teacher = self.teacher_staff
        self.world.classes["5А"].save()
        self.teacher = UserFactory(
            role=User.Role.TEACHER, school=self.world.school, staff=self.teacher_staff, first_name="Мария"
        )
        self.admin = UserFactory(role=User.Role.SCHOOL_ADMIN, school=self.world.school, first_name="Ольга")
        self.petr = self.world.student("5А", "Смирнов", "Пётр", "Алексеевич", date(2015, 3, 12), person_id="S-1")
        self.anna = self.world.student("5А", "Орлова", "Анна", birth_date=date(2015, 5, 1), person_id="S-2")
        self.ivan = self.world.student("5Б", "Волков", "Иван", person_id="S-3")

    @property
    def class_a(self):
        return self.world.classes["5А"]

    def roster(self, *students: tuple[str, str, str, str, str]) -> bytes:
        lines = ["role;person_id;last_name;first_name;birth_date;class;class_teacher_of"]
        lines.append(f"staff;{self.teacher_staff.person_id};Иванова;Мария;;;5А")
        lines += [";".join(("student", *student, "")) for student in students]
        return ("\n".join(lines) + "\n").encode()

    def departure(self, student=None, user=None) -> RosterChange:
        return roster_change_report_departure(
            school_class=self.class_a,
            student=student or self.petr,
            on=date(2026, 11, 13),
            reason="переезд в другой город",
            user=user or self.teacher,
        )

    def arrival(self) -> RosterChange:
        return roster_change_report_arrival(
            school_class=self.class_a,
            last_name="Ёлкина",
            first_name="Алёна",
            birth_date=date(2015, 7, 7),
            on=date(2026, 11, 16),
            user=self.teacher,
        )


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


def classes_add(
    data: SchoolData,
    *,
    grades: range,
    letter: str,
    students: int,
    class_add: Callable[..., SchoolClass] = class_data_add,
) -> None:
    """Add a class of `letter` in each of `grades` with `students` students (what a constant-queries check grows by)."""
    for grade in grades:
        class_add(data, grade=grade, letter=letter, students=students)


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


def regional_admin(region) -> User:
    return UserFactory(role=User.Role.REGIONAL_ADMIN, region=region)


def municipal_admin(municipality) -> User:
    return UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)


def teacher_user(data: SchoolData) -> User:
    staff = data.teachers[0]
    return UserFactory(role=User.Role.TEACHER, school=data.school, staff=staff)


def assert_school_page_denials(client, url: str, *, data: SchoolData, other: SchoolData) -> None:
    """Assert that `url`, a page of `data`'s school, sends the anonymous to log in, refuses the school's teacher,
    and is not found for another school's administrator (`other`'s) or another municipality's.
    """
    assert client.get(url).status_code == 302
    client.force_login(teacher_user(data))
    assert client.get(url).status_code == 403
    client.force_login(school_admin(other.school))
    assert client.get(url).status_code == 404
    client.force_login(municipal_admin(MunicipalityFactory()))
    assert client.get(url).status_code == 404


def queries_count(action: Callable[[], object]) -> int:
    """Return how many database queries `action()` makes."""
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def assert_constant_queries(client, url: str, grow, django_assert_num_queries, at_most: int | None = None, **extra):
    """Assert the page makes as many queries after `grow()` adds data as before it, and at most `at_most` when
    given; return the last response."""
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as small:
        first = client.get(url, **extra)
    assert first.status_code == 200
    if at_most is not None:
        assert len(small.captured_queries) <= at_most, [query["sql"][:80] for query in small.captured_queries]
    grow()
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response

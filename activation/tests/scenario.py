"""Scenarios for tests, the activation part: two schools of one municipality with a login of every role (World),
enrolling students with their accounts (enrol), and opening pages as a user (page_get, measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from django.urls import reverse

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from classes.models import School
from classes.models import SchoolClass
from classes.models import Staff
from classes.models import User
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

# Wednesday 18 November 2026, 12:00 in Moscow: inside the 2026/2027 year of the factories.
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@dataclass
class World:
    """A municipality with two schools; in the first, a class led by `teacher` and taught by `subject_teacher`."""

    school: School
    other_school: School
    school_class: SchoolClass
    other_class: SchoolClass  # another class of the same school, led by another teacher
    foreign_class: SchoolClass  # a class of the other school
    teacher: User
    subject_teacher: User
    other_teacher: User  # same school, leads other_class
    foreign_teacher: User  # other school, leads foreign_class
    school_admin: User
    foreign_admin: User  # administrator of the other school
    municipal_admin: User
    foreign_municipal_admin: User  # administrator of another municipality

    def login(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


def teacher_login(staff: Staff, username: str) -> User:
    return UserFactory(username=username, role=User.Role.TEACHER, staff=staff, school=staff.school)


def world_build() -> World:
    """Return a municipality with two schools, their classes, and a login of every role (see World)."""
    municipality = MunicipalityFactory()
    school = SchoolFactory(municipality=municipality, short_name="Школа у реки", full_name="МАОУ «Школа у реки»")
    other_school = SchoolFactory(municipality=municipality, short_name="Школа на холме")
    year = AcademicYearFactory(school=school)
    other_year = AcademicYearFactory(school=other_school)
    staff = StaffFactory(school=school, last_name="Князева", first_name="Татьяна", patronymic="Максимовна")
    school_class = SchoolClassFactory(school=school, year=year, grade=5, letter="А", class_teacher=staff)
    subject_staff = StaffFactory(school=school)
    TeachingAssignmentFactory(school_class=school_class, staff=subject_staff, subject="физика")
    other_staff = StaffFactory(school=school)
    other_class = SchoolClassFactory(school=school, year=year, grade=6, letter="Б", class_teacher=other_staff)
    foreign_staff = StaffFactory(school=other_school)
    foreign_class = SchoolClassFactory(
        school=other_school, year=other_year, grade=5, letter="А", class_teacher=foreign_staff
    )
    return World(
        school=school,
        other_school=other_school,
        school_class=school_class,
        other_class=other_class,
        foreign_class=foreign_class,
        teacher=teacher_login(staff, "teacher"),
        subject_teacher=teacher_login(subject_staff, "subject_teacher"),
        other_teacher=teacher_login(other_staff, "other_teacher"),
        foreign_teacher=teacher_login(foreign_staff, "foreign_teacher"),
        school_admin=UserFactory(username="school_admin", role=User.Role.SCHOOL_ADMIN, school=school),
        foreign_admin=UserFactory(username="foreign_admin", role=User.Role.SCHOOL_ADMIN, school=other_school),
        municipal_admin=UserFactory(
            username="municipal_admin", role=User.Role.MUNICIPAL_ADMIN, municipality=municipality
        ),
        foreign_municipal_admin=UserFactory(
            username="foreign_municipal_admin", role=User.Role.MUNICIPAL_ADMIN, municipality=MunicipalityFactory()
        ),
    )


ENROLLMENT_FIELDS = {"starts_on", "ends_on"}


def enrol(school_class: SchoolClass, *, student_status: str | None = None, parent_status: str | None = None, **fields):
    """Enrol a student; give them an account of the role student with `student_status`, and a parent whose
    account of the role parent has `parent_status` (None: no account; "none": no parent at all).
    Fields other than starts_on/ends_on are the student's.
    """
    school = school_class.school
    student = StudentFactory(school=school, **{k: v for k, v in fields.items() if k not in ENROLLMENT_FIELDS})
    EnrollmentFactory(
        school_class=school_class, student=student, **{k: v for k, v in fields.items() if k in ENROLLMENT_FIELDS}
    )
    if student_status is not None:
        SferumAccountFactory(
            school=school, student=student, role_code=SferumAccount.RoleCode.STUDENT, status=student_status
        )
    if parent_status != "none":
        parent = ParentFactory(school=school, children=[student])
        if parent_status is not None:
            SferumAccountFactory(
                school=school, parent=parent, role_code=SferumAccount.RoleCode.PARENT, status=parent_status
            )
    return student


def measure(client, django_assert_num_queries, url, expected):
    """Assert the page answers with `expected` queries once the session and caches are warm."""
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def page_get(client, user, name, **kwargs):
    """Log the user in and return the response to the page of the URL `name` (with `kwargs`)."""
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs or None))

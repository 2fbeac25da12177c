"""The students' activation flags kept by triggers (activation.student_flags) equal a computation from the rows.

Random sequences of every kind of write the flags depend on (accounts created, re-linked, re-roled, deleted; parent
links added and removed; parents leaving; parents and students deleted), through `save()`, `update()`, bulk
statements and raw SQL, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from activation.models import SferumAccount
from activation.student_flags import rebuild_sql
from activation.student_flags import trigger_names
from activation.tests.factories import SferumAccountFactory
from classes.bulk_update import rows_update
from classes.models import Enrollment
from classes.models import Parent
from classes.models import Student
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

Role = SferumAccount.RoleCode
Status = SferumAccount.Status


def expected_flags() -> dict[int, tuple]:
    """Return {enrollment id: (account_active, parent_active, parent_active_until)} computed in Python."""
    flags = {}
    for student in Student.objects.prefetch_related("sferum_accounts", "parents__sferum_accounts", "enrollments"):
        account = any(a.role_code == Role.STUDENT and a.status == Status.ACTIVE for a in student.sferum_accounts.all())
        parents = [
            parent
            for parent in student.parents.all()
            if any(a.role_code == Role.PARENT and a.status == Status.ACTIVE for a in parent.sferum_accounts.all())
        ]
        without_end = any(parent.left_on is None for parent in parents)
        ends = [parent.left_on for parent in parents if parent.left_on is not None]
        for enrollment in student.enrollments.all():
            flags[enrollment.pk] = (account, without_end, max(ends) if ends else None)
    return flags


def stored_flags() -> dict[int, tuple]:
    rows = Enrollment.objects.values_list("pk", "account_active", "parent_active", "parent_active_until")
    return {pk: tuple(rest) for pk, *rest in rows}


def test_an_active_student_account_and_a_leaving_parent_set_the_flags_of_every_enrollment():
    # given: a student in two classes (one enrollment ended)
    school = SchoolFactory()
    student = StudentFactory(school=school)
    year = AcademicYearFactory(school=school)
    first, second = (SchoolClassFactory(school=school, year=year, letter=letter) for letter in "АБ")
    ended = EnrollmentFactory(student=student, school_class=first, ends_on=date(2026, 10, 1))
    account = SferumAccountFactory(school=school, student=student, role_code=Role.STUDENT, status=Status.PENDING)
    parent = ParentFactory(school=school, children=[student], left_on=date(2026, 12, 20))
    SferumAccountFactory(school=school, parent=parent, role_code=Role.PARENT, status=Status.ACTIVE)
    current = EnrollmentFactory(student=student, school_class=second, starts_on=date(2026, 10, 2))
    assert stored_flags() == {
        ended.pk: (False, False, date(2026, 12, 20)),
        current.pk: (False, False, date(2026, 12, 20)),
    }
    # when: the student's account becomes active (a bulk statement), the parent stays on
    SferumAccount.objects.filter(pk=account.pk).update(status=Status.ACTIVE)
    Parent.objects.filter(pk=parent.pk).update(left_on=None)
    # then
    assert stored_flags() == {ended.pk: (True, True, None), current.pk: (True, True, None)}
    # when: Django saves an enrollment it loaded before (its flags in memory are stale)
    stale = Enrollment.objects.get(pk=current.pk)
    Enrollment.objects.filter(pk=current.pk).update(account_active=False)  # as if loaded before the activation
    stale.account_active = False
    stale.save()
    # then: the enrollment written with its student takes the student's flags again
    assert stored_flags()[current.pk] == (True, True, None)


def test_the_triggers_exist_after_every_migration():
    # A migration that rebuilds one of these tables on SQLite drops its triggers: it must create them again.
    if connection.vendor == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'student_flags_%%'"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'student_flags_%'"
    with connection.cursor() as cursor:
        cursor.execute(query)
        assert {row[0] for row in cursor.fetchall()} == trigger_names(connection.vendor)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "account_new",
                "account_status",
                "account_role",
                "account_relink",
                "account_delete",
                "link_add",
                "link_remove",
                "parent_leaves",
                "parent_delete",
                "student_delete",
                "accounts_bulk",
                "enroll",
                "enrollment_moves",
            ]
        ),
        st.integers(0, 5),
        st.integers(0, 5),
        st.sampled_from(list(Status)),
        st.sampled_from([Role.STUDENT, Role.PARENT, Role.TEACHER]),
        st.sampled_from([None, date(2026, 11, 1), date(2026, 12, 31)]),
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_flags_follow_every_write(operations):
    # given: four students, three parents with some children, no accounts
    school = SchoolFactory()
    students = [StudentFactory(school=school) for _ in range(4)]
    parents = [ParentFactory(school=school, children=students[index : index + 2]) for index in range(3)]
    year = AcademicYearFactory(school=school)
    classes = [SchoolClassFactory(school=school, year=year, letter=letter) for letter in "АБ"]
    for index, student in enumerate(students):
        EnrollmentFactory(student=student, school_class=classes[index % 2], starts_on=date(2026, 9, 1))
    # when: each operation, through the ORM, bulk statements or raw SQL
    for step, (operation, first, second, status, role, day) in enumerate(operations):
        students = [s for s in students if Student.objects.filter(pk=s.pk).exists()]
        parents = [p for p in parents if Parent.objects.filter(pk=p.pk).exists()]
        accounts = list(SferumAccount.objects.filter(school=school).order_by("pk"))
        if operation == "account_new":
            people = [("student", s) for s in students] + [("parent", p) for p in parents]
            if people:
                field, person = people[first % len(people)]
                SferumAccountFactory(school=school, role_code=role, status=status, **{field: person})
        elif operation in ("account_status", "account_role") and accounts:
            account = accounts[first % len(accounts)]
            if operation == "account_status":
                account.status = status
                account.save()
            else:
                account.role_code = role
                rows_update([account], ["role_code"])
        elif operation == "account_relink" and accounts:
            account = accounts[first % len(accounts)]
            people = [("student", s) for s in students] + [("parent", p) for p in parents] + [(None, None)]
            field, person = people[second % len(people)]
            SferumAccount.objects.filter(pk=account.pk).update(
                student=person if field == "student" else None, parent=person if field == "parent" else None
            )
        elif operation == "account_delete" and accounts:
            accounts[first % len(accounts)].delete()
        elif operation in ("link_add", "link_remove") and parents and students:
            parent, student = parents[first % len(parents)], students[second % len(students)]
            (parent.children.add if operation == "link_add" else parent.children.remove)(student)
        elif operation == "parent_leaves" and parents:
            parent = parents[first % len(parents)]
            parent.left_on = day
            parent.save()
        elif operation == "parent_delete" and parents:
            parents[first % len(parents)].delete()
        elif operation == "student_delete" and students:
            students[first % len(students)].delete()
        elif operation == "enroll" and students:
            student = students[first % len(students)]
            Enrollment.objects.filter(student=student, ends_on__isnull=True).update(ends_on=F("starts_on"))
            starts_on = date(2026, 9, 2) + timedelta(days=step)
            EnrollmentFactory(student=student, school_class=classes[second % 2], starts_on=starts_on)
        elif operation == "enrollment_moves" and students:
            enrollments = list(Enrollment.objects.filter(student__school=school).order_by("pk"))
            if enrollments:
                enrollment = enrollments[first % len(enrollments)]
                enrollment.student = students[second % len(students)]
                enrollment.starts_on = enrollment.ends_on = date(2025, 1, 1) + timedelta(days=step)
                enrollment.save()
        elif operation == "accounts_bulk":
            table = connection.ops.quote_name(SferumAccount._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET status = %s WHERE school_id = %s", [status.value, school.pk])  # noqa: S608
        # then: after every write
        assert stored_flags() == expected_flags(), operation


def test_installing_sets_the_stored_enrollments_flags():
    # given: flags lost (as before the triggers existed)
    school = SchoolFactory()
    student = StudentFactory(school=school)
    enrollment = EnrollmentFactory(student=student, school_class=SchoolClassFactory(school=school))
    SferumAccountFactory(school=school, student=student, role_code=Role.STUDENT, status=Status.ACTIVE)
    Enrollment.objects.update(account_active=False)
    assert stored_flags() == {enrollment.pk: (False, False, None)}
    # when
    with connection.cursor() as cursor:
        cursor.execute(rebuild_sql())
    # then
    assert stored_flags() == expected_flags() == {enrollment.pk: (True, False, None)}

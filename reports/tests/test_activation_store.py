"""The SQL store of activation snapshots (reports.activation_store) equals the live Python computation.

Each world is stored by `activation_snapshot_build_municipality` (or the one-school build) and its rows are compared
with `python_rows`, built from `activation_compute` and the municipality's sums: same scopes, groups, numerators,
denominators, targets and `passes`. The demo, and random worlds (hypothesis) of enrollments, parents, accounts
and staff around the day; run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from classes.models import Municipality
from classes.models import School
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import StudentFactory
from reports.models import ActivationSnapshot
from reports.selectors import MunicipalityActivation
from reports.selectors import activation_compute
from reports.services import activation_snapshot_build
from reports.services import activation_snapshot_build_municipalities
from reports.services import activation_snapshot_build_municipality

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 19)
Role = SferumAccount.RoleCode
Status = SferumAccount.Status


def python_rows(municipality: Municipality, day: date, *, with_municipality: bool = True) -> dict[tuple, tuple]:
    """Return {(scope, id, group): (municipality, school, class, numerator, denominator, target, passes)}."""
    schools = list(School.objects.filter(municipality=municipality).select_related("municipality__region"))
    computed = activation_compute(schools=schools, day=day)
    rows = {}
    for activation in computed.values():
        school_id = activation.school.pk
        for name in ("staff", "students", "parents"):
            rate = getattr(activation, name)
            rows[("school", school_id, name)] = (municipality.pk, school_id, None, *_rate(rate))
        for school_class in activation.classes:
            for name in ("students", "parents"):
                rate = getattr(school_class, name)
                rows[("class", school_class.class_id, name)] = (municipality.pk, school_id, school_class.class_id)
                rows[("class", school_class.class_id, name)] += _rate(rate)
    if with_municipality:
        whole = MunicipalityActivation(municipality=municipality, day=day, schools=list(computed.values()))
        for name in ("staff", "students", "parents"):
            rows[("municipality", municipality.pk, name)] = (municipality.pk, None, None, *_rate(getattr(whole, name)))
    return rows


def _rate(rate) -> tuple:
    return (rate.numerator, rate.denominator, Decimal(rate.target), rate.passes)


def stored_rows(municipality: Municipality, day: date) -> dict[tuple, tuple]:
    rows = ActivationSnapshot.objects.filter(municipality=municipality, day=day).values_list(
        "scope",
        "scope_id",
        "group",
        "municipality_id",
        "school_id",
        "school_class_id",
        "numerator",
        "denominator",
        "target",
        "passes",
    )
    return {tuple(row[:3]): tuple(row[3:]) for row in rows}


def test_the_demo_stores_what_python_computes(demo):
    # given: the seeded demo's municipalities, today and a day of the previous academic year
    for municipality in Municipality.objects.select_related("region"):
        for day in (DAY, date(2026, 5, 20), date(2026, 9, 1)):
            # when
            activation_snapshot_build_municipality(municipality=municipality, day=day)
            # then
            assert stored_rows(municipality, day) == python_rows(municipality, day)


def test_passes_is_exact_where_a_float_product_is_not():
    # given: 7 of 10 against 0.7 (0.7 × 10 is 7.000000000000001 in floating point), 2 of 3 against 0.6667
    school = SchoolFactory(students_target=Decimal("0.7"), parents_target=Decimal("0.6667"))
    school_class = SchoolClassFactory(school=school)
    for index in range(10):
        student = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 9, 1)).student
        if index < 7:
            SferumAccountFactory(school=school, student=student, role_code=Role.STUDENT)
    # when
    activation_snapshot_build(school=school, day=DAY)
    # then
    row = ActivationSnapshot.objects.get(scope="class", scope_id=school_class.pk, group="students")
    assert (row.numerator, row.denominator, row.target, row.passes) == (7, 10, Decimal("0.7"), True)


def test_a_student_enrolled_twice_in_the_class_on_the_day_counts_once():
    # given: two closed enrollments of one student in one class, both covering the day (written past clean())
    school_class = SchoolClassFactory()
    student = StudentFactory(school=school_class.school)
    SferumAccountFactory(school=school_class.school, student=student, role_code=Role.STUDENT)
    EnrollmentFactory(school_class=school_class, student=student, starts_on=date(2026, 9, 1), ends_on=DAY)
    EnrollmentFactory(school_class=school_class, student=student, starts_on=date(2026, 10, 1), ends_on=DAY)
    # when
    activation_snapshot_build(school=school_class.school, day=DAY)
    # then
    row = ActivationSnapshot.objects.get(scope="class", scope_id=school_class.pk, group="students")
    assert (row.numerator, row.denominator) == (1, 1)


def test_a_municipality_without_schools_stores_its_three_empty_rows():
    municipality = MunicipalityFactory()
    assert activation_snapshot_build_municipality(municipality=municipality, day=DAY) == 3
    assert stored_rows(municipality, DAY) == {
        ("municipality", municipality.pk, name): (municipality.pk, None, None, 0, 0, target, None)
        for name, target in (("staff", Decimal("1.0")), ("students", Decimal("0.9")), ("parents", Decimal("0.9")))
    }


def _world(classes: int, students: int) -> Municipality:
    municipality = MunicipalityFactory()
    for _school in range(2):
        school = SchoolFactory(municipality=municipality)
        year = AcademicYearFactory(school=school)
        for index in range(classes):
            school_class = SchoolClassFactory(school=school, year=year, grade=1 + index % 11)
            for _student in range(students):
                student = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 9, 1)).student
                SferumAccountFactory(school=school, student=student, role_code=Role.STUDENT)
                parent = ParentFactory(school=school, children=[student])
                SferumAccountFactory(school=school, parent=parent, role_code=Role.PARENT)
            SferumAccountFactory(school=school, staff=StaffFactory(school=school), role_code=Role.TEACHER)
    return municipality


def test_the_store_runs_the_same_queries_for_a_bigger_world():
    small, big = _world(classes=1, students=1), _world(classes=3, students=4)

    def queries(municipality: Municipality) -> int:
        with CaptureQueriesContext(connection) as captured:
            activation_snapshot_build_municipality(municipality=municipality, day=DAY)
        return len(captured.captured_queries)

    # when / then: the schools, then one statement (in a savepoint here), whatever the size
    assert queries(small) == queries(big) == 4
    assert stored_rows(big, DAY) == python_rows(big, DAY)


TARGETS = st.sampled_from([None, Decimal("0.5"), Decimal("0.7"), Decimal("0.9"), Decimal("1.0")])
OFFSETS = st.sampled_from([-60, -1, 0, 1])
END_OFFSETS = st.sampled_from([None, None, -1, 0, 1, 30])
ACCOUNTS = st.one_of(
    st.none(),
    st.tuples(st.sampled_from([Role.STUDENT, Role.PARENT, Role.TEACHER]), st.sampled_from(list(Status))),
)
student_rows = st.lists(
    st.fixed_dictionaries(
        {
            "school": st.integers(0, 1),
            "class": st.integers(0, 2),  # class 2 is of the previous academic year
            "starts": OFFSETS,
            "ends": END_OFFSETS,
            "twice": st.booleans(),
            "account": ACCOUNTS,
            "parents": st.lists(st.tuples(END_OFFSETS, ACCOUNTS), max_size=2),
        }
    ),
    max_size=12,
)
staff_rows = st.lists(
    st.fixed_dictionaries(
        {
            "school": st.integers(0, 1),
            "from": OFFSETS,
            "to": END_OFFSETS,
            "accounts": st.lists(
                st.tuples(
                    st.sampled_from([Role.TEACHER, Role.ADMIN, Role.EMPLOYEE, Role.STUDENT]),
                    st.sampled_from(list(Status)),
                ),
                max_size=2,
            ),
        }
    ),
    max_size=6,
)


def _on(offset: int | None) -> date | None:
    return None if offset is None else DAY + timedelta(days=offset)


def _account(school: School, person: dict, account) -> None:
    if account is not None:
        SferumAccountFactory(school=school, role_code=account[0], status=account[1], **person)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    students=student_rows,
    staff=staff_rows,
    school_targets=st.lists(st.tuples(TARGETS, TARGETS, TARGETS), min_size=2, max_size=2),
    town_targets=st.tuples(TARGETS, TARGETS, TARGETS),
)
def test_random_worlds_store_what_python_computes(students, staff, school_targets, town_targets):
    # given: a municipality of two schools with their own (or inherited) targets, each with two classes of this
    # academic year and one of the previous; students enrolled around the day, parents leaving around it, accounts
    # of every role and status, staff employed around the day
    names = ("staff_target", "students_target", "parents_target")
    municipality = MunicipalityFactory(**{name: value for name, value in zip(names, town_targets, strict=True)})
    schools, classes = [], []
    for targets in school_targets:
        school = SchoolFactory(municipality=municipality, **dict(zip(names, targets, strict=True)))
        year = AcademicYearFactory(school=school)
        last_year = AcademicYearFactory(
            school=school, name="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31)
        )
        schools.append(school)
        classes.append(
            [
                SchoolClassFactory(school=school, year=year, grade=5, letter="А"),
                SchoolClassFactory(school=school, year=year, grade=6, letter="Б"),
                SchoolClassFactory(school=school, year=last_year, grade=5, letter="В"),
            ]
        )
    for row in students:
        school = schools[row["school"]]
        school_class = classes[row["school"]][row["class"]]
        starts = _on(row["starts"])
        ends = _on(row["ends"])
        if ends is not None and ends < starts:
            starts, ends = ends, starts
        student = EnrollmentFactory(school_class=school_class, starts_on=starts, ends_on=ends).student
        if row["twice"]:  # an overlapping closed enrollment of the same class, written past clean()
            EnrollmentFactory(
                school_class=school_class, student=student, starts_on=starts - timedelta(days=3), ends_on=DAY
            )
        _account(school, {"student": student}, row["account"])
        for left, account in row["parents"]:
            parent = ParentFactory(school=school, children=[student], left_on=_on(left))
            _account(school, {"parent": parent}, account)
    for row in staff:
        school = schools[row["school"]]
        employed_from = _on(row["from"])
        employed_to = _on(row["to"])
        if employed_to is not None and employed_to < employed_from:
            employed_from, employed_to = employed_to, employed_from
        member = StaffFactory(school=school, employed_from=employed_from, employed_to=employed_to)
        for account in row["accounts"]:
            _account(school, {"staff": member}, account)
    municipality = Municipality.objects.select_related("region").get(pk=municipality.pk)
    # when
    activation_snapshot_build_municipality(municipality=municipality, day=DAY)
    # then
    assert stored_rows(municipality, DAY) == python_rows(municipality, DAY)
    # and a school's own build stores the same class and school rows, and no municipality row
    ActivationSnapshot.objects.filter(municipality=municipality).delete()
    for school in School.objects.filter(municipality=municipality).select_related("municipality__region"):
        activation_snapshot_build(school=school, day=DAY)
    assert stored_rows(municipality, DAY) == python_rows(municipality, DAY, with_municipality=False)


def test_municipalities_split_over_several_statements_store_the_same_rows(monkeypatch):
    # given: two municipalities of two schools each, at most one school per statement (a municipality stays whole)
    monkeypatch.setattr("reports.services.SCHOOLS_PER_STATEMENT", 1)
    first, second = _world(classes=1, students=2), _world(classes=2, students=1)
    towns = list(Municipality.objects.filter(pk__in=[first.pk, second.pk]).select_related("region"))
    # when
    written = activation_snapshot_build_municipalities(municipalities=towns, day=DAY)
    # then
    assert written == ActivationSnapshot.objects.count()
    for town in towns:
        assert stored_rows(town, DAY) == python_rows(town, DAY)

"""Activation rates, their snapshots and chat coverage: DESIGN.md ("Definitions")."""

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from activation.models import SferumAccount
from activation.tests.factories import SferumAccountFactory
from chats.tests.factories import ChatFactory
from chats.tests.factories import ChatMembershipFactory
from classes.models import School
from classes.models import SchoolClass
from classes.models import Student
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from reports.models import ActivationSnapshot
from reports.rates import Rate
from reports.selectors import activation_compute
from reports.services import activation_snapshot_build
from reports.services import activation_snapshot_build_municipality

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 19)  # a Thursday
Role = SferumAccount.RoleCode
Status = SferumAccount.Status


def student_in(
    school_class: SchoolClass,
    *,
    active: bool = False,
    starts_on: date = date(2026, 9, 1),
    ends_on: date | None = None,
) -> Student:
    student = EnrollmentFactory(school_class=school_class, starts_on=starts_on, ends_on=ends_on).student
    if active:
        SferumAccountFactory(school=school_class.school, student=student, role_code=Role.STUDENT)
    return student


def parent_of(*children: Student, role: str = Role.PARENT, status: str = Status.ACTIVE, left_on=None):
    school = children[0].school
    parent = ParentFactory(school=school, children=list(children), left_on=left_on)
    SferumAccountFactory(school=school, parent=parent, role_code=role, status=status)
    return parent


def computed(school: School, day: date = TODAY):
    return activation_compute(schools=[school], day=day)[school.pk]


def of_class(school: School, school_class: SchoolClass, day: date = TODAY):
    return next(c for c in computed(school, day).classes if c.class_id == school_class.pk)


def test_26_of_29_is_89_66_percent_and_fails_90():
    # given
    school_class = SchoolClassFactory()
    for index in range(29):
        student_in(school_class, active=index < 26)
    # when
    students = of_class(school_class.school, school_class).students
    # then
    assert (students.numerator, students.denominator) == (26, 29)
    assert students.rounded == 0.8966
    assert students.passes is False


def test_exactly_the_target_passes():
    # given
    school_class = SchoolClassFactory()
    for index in range(10):
        student_in(school_class, active=index < 9)
    # when / then
    assert of_class(school_class.school, school_class).students.passes is True


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "passes"),
    [(26, 29, "0.9", False), (27, 29, "0.9", True), (9, 10, "0.9", True), (40, 41, "1", False), (41, 41, "1", True)],
)
def test_a_rate_passes_when_numerator_reaches_target_times_denominator_exactly(numerator, denominator, target, passes):
    assert Rate(numerator, denominator, Decimal(target)).passes is passes


def test_an_empty_class_has_no_rate_and_no_verdict():
    # given
    school_class = SchoolClassFactory()
    # when
    found = of_class(school_class.school, school_class)
    # then
    assert (found.students.denominator, found.students.rounded, found.students.passes) == (0, None, None)
    assert (found.parents.denominator, found.parents.rounded, found.parents.passes) == (0, None, None)
    assert found.students.as_json() == {"numerator": 0, "denominator": 0, "rate": None, "passes": None}


def test_only_an_active_account_with_the_student_role_activates_a_student():
    # given
    school_class = SchoolClassFactory()
    school = school_class.school
    student_in(school_class, active=True)
    pending = student_in(school_class)
    SferumAccountFactory(school=school, student=pending, role_code=Role.STUDENT, status=Status.PENDING)
    wrong_role = student_in(school_class)
    SferumAccountFactory(school=school, student=wrong_role, role_code=Role.PARENT)
    student_in(school_class)
    # when
    students = of_class(school, school_class).students
    # then
    assert (students.numerator, students.denominator) == (1, 4)


def test_the_denominator_is_the_roster_enrolled_today():
    # given
    school_class = SchoolClassFactory()
    student_in(school_class, active=True)
    student_in(school_class, active=True, ends_on=TODAY)
    student_in(school_class, active=True, ends_on=date(2026, 11, 18))
    student_in(school_class, active=True, starts_on=date(2026, 11, 20))
    # when
    students = of_class(school_class.school, school_class).students
    # then
    assert (students.numerator, students.denominator) == (2, 2)


def test_a_student_who_moved_class_mid_week_counts_in_the_class_enrolled_today():
    # given: moved from 5А to 5Б on Wednesday; today is Thursday
    school = SchoolFactory()
    five_a = SchoolClassFactory(school=school, letter="А")
    five_b = SchoolClassFactory(school=school, year=five_a.year, letter="Б")
    student = student_in(five_a, active=True, ends_on=date(2026, 11, 17))
    EnrollmentFactory(school_class=five_b, student=student, starts_on=date(2026, 11, 18))
    parent_of(student)
    # when
    result = computed(school)
    # then
    by_name = {c.name: c for c in result.classes}
    assert (by_name["5А"].students.denominator, by_name["5Б"].students.denominator) == (0, 1)
    assert (by_name["5Б"].students.numerator, by_name["5Б"].parents.numerator) == (1, 1)
    assert (result.students.numerator, result.students.denominator) == (1, 1)


def test_parents_rate_counts_students_with_at_least_one_activated_parent():
    # given
    school_class = SchoolClassFactory()
    both = student_in(school_class)
    parent_of(both)
    parent_of(both)
    one_pending = student_in(school_class)
    parent_of(one_pending)
    parent_of(one_pending, status=Status.PENDING)
    only_pending = student_in(school_class)
    parent_of(only_pending, status=Status.INVITED)
    wrong_role = student_in(school_class)
    parent_of(wrong_role, role=Role.TEACHER)
    left = student_in(school_class)
    parent_of(left, left_on=date(2026, 11, 1))
    leaves_later = student_in(school_class)
    parent_of(leaves_later, left_on=date(2026, 12, 1))
    student_in(school_class)
    # when
    parents = of_class(school_class.school, school_class).parents
    # then
    assert (parents.numerator, parents.denominator) == (3, 7)


def test_a_parent_of_children_in_two_classes_counts_in_both():
    # given
    school = SchoolFactory()
    five_a = SchoolClassFactory(school=school, grade=5, letter="А")
    seven_b = SchoolClassFactory(school=school, year=five_a.year, grade=7, letter="Б")
    parent_of(student_in(five_a), student_in(seven_b))
    student_in(seven_b)
    # when
    result = computed(school)
    # then
    by_name = {c.name: c.parents for c in result.classes}
    assert (by_name["5А"].numerator, by_name["5А"].denominator) == (1, 1)
    assert (by_name["7Б"].numerator, by_name["7Б"].denominator) == (1, 2)
    assert (result.parents.numerator, result.parents.denominator) == (2, 3)


def test_school_rates_are_sums_over_sums_never_means_of_rates():
    # given: 1 of 2 and 9 of 10; the mean of rates would be 70%, the sum over sums is 10/12
    school = SchoolFactory()
    small = SchoolClassFactory(school=school, letter="А")
    large = SchoolClassFactory(school=school, year=small.year, letter="Б")
    for index in range(2):
        student_in(small, active=index < 1)
    for index in range(10):
        student_in(large, active=index < 9)
    # when
    students = computed(school).students
    # then
    assert (students.numerator, students.denominator, students.rounded) == (10, 12, 0.8333)
    assert students.passes is False


def test_staff_rate_is_activated_staff_over_staff_employed_today():
    # given
    school = SchoolFactory()
    for role in (Role.TEACHER, Role.ADMIN, Role.EMPLOYEE):
        SferumAccountFactory(school=school, staff=StaffFactory(school=school), role_code=role)
    secretary = StaffFactory(school=school, teaches=False)
    SferumAccountFactory(school=school, staff=secretary, role_code=Role.TEACHER, status=Status.PENDING)
    SferumAccountFactory(school=school, staff=StaffFactory(school=school), role_code=Role.PARENT)
    StaffFactory(school=school)
    SferumAccountFactory(school=school, staff=StaffFactory(school=school, employed_to=date(2026, 11, 18)))
    SferumAccountFactory(school=school, staff=StaffFactory(school=school, employed_from=date(2026, 11, 20)))
    # when
    staff = computed(school).staff
    # then
    assert (staff.numerator, staff.denominator, staff.target) == (3, 6, Decimal("1.0"))
    assert staff.passes is False


def test_targets_changed_in_the_schools_settings_apply():
    # given
    school = SchoolFactory(students_target=Decimal("0.85"), parents_target=Decimal("0.5"))
    school_class = SchoolClassFactory(school=school)
    for index in range(29):
        student = student_in(school_class, active=index < 26)
        if index < 15:
            parent_of(student)
    # when
    found = of_class(school, school_class)
    # then
    assert (found.students.target, found.students.passes) == (Decimal("0.85"), True)
    assert (found.parents.target, found.parents.passes) == (Decimal("0.5"), True)


def test_classes_of_other_academic_years_are_left_out():
    # given
    school = SchoolFactory()
    SchoolClassFactory(school=school)
    last_year = AcademicYearFactory(
        school=school, name="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31)
    )
    student_in(SchoolClassFactory(school=school, year=last_year), active=True)
    # when
    result = computed(school)
    # then
    assert len(result.classes) == 1
    assert result.students.denominator == 0


def test_the_snapshot_stores_one_row_per_scope_group_and_day_and_is_idempotent():
    # given
    school_class = SchoolClassFactory()
    school = school_class.school
    student_in(school_class, active=True)
    with time_machine.travel(datetime(2026, 11, 19, 3, tzinfo=UTC), tick=False):
        activation_snapshot_build(school=school, day=TODAY)
        first = list(ActivationSnapshot.objects.values())
        # when
        activation_snapshot_build(school=school, day=TODAY)
    # then
    assert list(ActivationSnapshot.objects.values()) == first
    keys = {(row["scope"], row["scope_id"], row["group"]) for row in first}
    assert keys == {
        ("school", school.pk, "staff"),
        ("school", school.pk, "students"),
        ("school", school.pk, "parents"),
        ("class", school_class.pk, "students"),
        ("class", school_class.pk, "parents"),
    }
    row = ActivationSnapshot.objects.get(scope="class", group="students")
    assert (row.numerator, row.denominator, row.target, row.passes) == (1, 1, Decimal("0.9"), True)


def test_a_new_day_adds_rows_for_the_trend_and_keeps_yesterdays():
    # given
    school_class = SchoolClassFactory()
    school = school_class.school
    student = student_in(school_class)
    activation_snapshot_build(school=school, day=date(2026, 11, 18))
    SferumAccountFactory(school=school, student=student, role_code=Role.STUDENT)
    # when
    activation_snapshot_build(school=school, day=TODAY)
    # then
    trend = ActivationSnapshot.objects.filter(scope="class", group="students").order_by("day")
    assert [(row.day, row.numerator, row.denominator) for row in trend] == [
        (date(2026, 11, 18), 0, 1),
        (TODAY, 1, 1),
    ]


def test_an_empty_denominator_is_stored_as_no_verdict():
    # given
    school_class = SchoolClassFactory()
    # when
    activation_snapshot_build(school=school_class.school, day=TODAY)
    # then
    row = ActivationSnapshot.objects.get(scope="class", group="parents")
    assert (row.numerator, row.denominator, row.passes, row.rate) == (0, 0, None, None)


def test_the_municipality_sums_its_schools_and_stores_every_scope():
    # given
    municipality = MunicipalityFactory()
    first = SchoolClassFactory(school=SchoolFactory(municipality=municipality))
    second = SchoolClassFactory(school=SchoolFactory(municipality=municipality))
    for index in range(3):
        student_in(first, active=index < 3)
    for index in range(7):
        student_in(second, active=index < 1)
    SchoolClassFactory()  # another municipality
    # when
    written = activation_snapshot_build_municipality(municipality=municipality, day=TODAY)
    # then: 3 rows of the municipality, 3 of each school, 2 of each class
    assert written == 3 + 2 * 3 + 2 * 2
    row = ActivationSnapshot.objects.get(scope="municipality", scope_id=municipality.pk, group="students")
    assert (row.numerator, row.denominator, row.passes, row.school_id) == (4, 10, False, None)
    assert ActivationSnapshot.objects.filter(scope="school").count() == 6
    assert ActivationSnapshot.objects.filter(scope="class").count() == 4
    assert not ActivationSnapshot.objects.exclude(municipality=municipality).exists()


# Chat coverage


def covered_class(school: School, **class_fields) -> SchoolClass:
    teacher = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=teacher)
    school_class = SchoolClassFactory(school=school, class_teacher=teacher, **class_fields)
    for kind in ("class", "parents"):
        chat = ChatFactory(school=school, school_class=school_class, kind=kind)
        ChatMembershipFactory(chat=chat, account=account, is_admin=True)
    return school_class


def test_a_class_is_covered_with_both_chats_administered_by_its_class_teacher():
    # given
    school = SchoolFactory()
    school_class = covered_class(school)
    # when
    found = of_class(school, school_class)
    # then
    assert (found.has_students_chat, found.has_parents_chat, found.class_teacher_is_admin) == (True, True, True)
    assert found.covered is True


def test_a_class_without_a_parents_chat_is_not_covered():
    # given
    school = SchoolFactory()
    teacher = StaffFactory(school=school)
    school_class = SchoolClassFactory(school=school, class_teacher=teacher)
    chat = ChatFactory(school=school, school_class=school_class, kind="class")
    ChatMembershipFactory(chat=chat, account=SferumAccountFactory(school=school, staff=teacher), is_admin=True)
    ChatFactory(school=school, school_class=school_class, kind="subject")
    # when
    found = of_class(school, school_class)
    # then
    assert (found.has_students_chat, found.has_parents_chat) == (True, False)
    assert (found.class_teacher_admin_of_students_chat, found.class_teacher_is_admin, found.covered) == (
        True,
        False,
        False,
    )


def test_a_class_teacher_who_is_a_plain_member_or_left_is_not_an_admin():
    # given
    school = SchoolFactory()
    teacher = StaffFactory(school=school)
    account = SferumAccountFactory(school=school, staff=teacher)
    school_class = SchoolClassFactory(school=school, class_teacher=teacher)
    students_chat = ChatFactory(school=school, school_class=school_class, kind="class")
    parents_chat = ChatFactory(school=school, school_class=school_class, kind="parents")
    ChatMembershipFactory(chat=students_chat, account=account, is_admin=False)
    ChatMembershipFactory(chat=parents_chat, account=account, is_admin=True, left_at=datetime(2026, 10, 1, tzinfo=UTC))
    other_admin = SferumAccountFactory(school=school, staff=StaffFactory(school=school))
    ChatMembershipFactory(chat=students_chat, account=other_admin, is_admin=True)
    # when
    found = of_class(school, school_class)
    # then
    assert (found.has_students_chat, found.has_parents_chat, found.class_teacher_is_admin) == (True, True, False)


def test_classes_without_a_class_teacher_are_listed():
    # given
    school = SchoolFactory()
    covered = covered_class(school, letter="А")
    orphan = SchoolClassFactory(school=school, year=covered.year, letter="Б")
    # when
    activation = computed(school)
    coverage = {c.class_id: (c.has_students_chat, c.has_parents_chat) for c in activation.classes}
    # then
    assert [c.class_id for c in activation.classes_without_class_teacher] == [orphan.pk]
    assert coverage == {covered.pk: (True, True), orphan.pk: (False, False)}

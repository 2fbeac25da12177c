from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction

from classes.models import Enrollment
from classes.models import SchoolClass
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_class_is_unique_per_school_and_year():
    # given
    school_class = SchoolClassFactory(grade=5, letter="А")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClass.objects.create(school=school_class.school, year=school_class.year, grade=5, letter="А")


def test_same_class_name_in_another_year_is_allowed():
    school = SchoolFactory()
    this_year = AcademicYearFactory(school=school, name="2026/2027")
    next_year = AcademicYearFactory(
        school=school, name="2027/2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 8, 31)
    )
    SchoolClass.objects.create(school=school, year=this_year, grade=5, letter="А")
    SchoolClass.objects.create(school=school, year=next_year, grade=5, letter="А")
    assert SchoolClass.objects.filter(school=school).count() == 2


def test_grade_outside_1_to_11_is_refused_by_the_database():
    school_class = SchoolClassFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClass.objects.create(school=school_class.school, year=school_class.year, grade=12, letter="Я")


def test_a_student_is_in_one_class_at_a_time():
    # given
    enrollment = EnrollmentFactory()
    other_class = SchoolClassFactory(school=enrollment.school_class.school, year=enrollment.school_class.year)
    # when / then: a second open enrollment is refused by the database
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(student=enrollment.student, school_class=other_class, starts_on=date(2026, 10, 1))


def test_overlapping_enrollment_fails_validation():
    enrollment = EnrollmentFactory(starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 31))
    other_class = SchoolClassFactory(school=enrollment.school_class.school, year=enrollment.school_class.year)
    overlapping = Enrollment(student=enrollment.student, school_class=other_class, starts_on=date(2026, 10, 15))
    with pytest.raises(ValidationError):
        overlapping.full_clean()


def test_a_move_keeps_the_history():
    # given
    enrollment = EnrollmentFactory(starts_on=date(2026, 9, 1))
    student = enrollment.student
    new_class = SchoolClassFactory(school=student.school, year=enrollment.school_class.year)
    # when
    enrollment.ends_on = date(2026, 11, 15)
    enrollment.save(update_fields=["ends_on"])
    moved = Enrollment(student=student, school_class=new_class, starts_on=date(2026, 11, 16))
    moved.full_clean()
    moved.save()
    # then
    history = list(student.enrollments.order_by("starts_on").values_list("school_class_id", "ends_on"))
    assert history == [(enrollment.school_class_id, date(2026, 11, 15)), (new_class.pk, None)]


def test_an_enrollment_cannot_end_before_it_starts():
    enrollment = EnrollmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.filter(pk=enrollment.pk).update(ends_on=date(2026, 8, 1))


def test_student_person_id_is_unique_per_school():
    student = StudentFactory(person_id="S-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(school=student.school, person_id="S-1")


def test_school_thresholds_inherit_from_the_municipality():
    school = SchoolFactory()
    assert school.effective_activity_threshold == 3
    school.activity_threshold = 5
    assert school.effective_activity_threshold == 5

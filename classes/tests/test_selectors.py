"""The read-side queries of the classes app's pages."""

from datetime import date

import pytest

from classes.selectors import staff_for_class_teacher_choice
from classes.tests.factories import StaffFactory
from classes.tests.scenario import school_build

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 19)


def test_the_class_teacher_choice_offers_the_staff_employed_on_the_day_and_the_class_teacher():
    # given: the class teacher starts next month; a newcomer starts next month, one left yesterday, one is elsewhere
    data = school_build(classes=1)
    school_class = data.classes[0]
    class_teacher, subject_teacher = data.teachers
    class_teacher.employed_from = date(2026, 12, 1)
    class_teacher.save(update_fields=["employed_from"])
    StaffFactory(school=data.school, employed_from=date(2026, 12, 1))
    StaffFactory(school=data.school, employed_to=date(2026, 11, 18))
    StaffFactory()
    staying = StaffFactory(school=data.school, employed_to=DAY)
    # when
    staff = list(staff_for_class_teacher_choice(school_class=school_class, day=DAY))
    # then: by name
    assert set(staff) == {class_teacher, subject_teacher, staying}
    assert staff == sorted(staff, key=lambda person: (person.last_name, person.first_name, person.patronymic))


def test_the_class_teacher_choice_is_one_query_whatever_the_staff(django_assert_num_queries):
    # given
    data = school_build(classes=1)
    school_class = data.classes[0]
    with django_assert_num_queries(1):
        small = list(staff_for_class_teacher_choice(school_class=school_class, day=DAY))
    StaffFactory.create_batch(5, school=data.school)
    # when / then
    with django_assert_num_queries(1):
        large = list(staff_for_class_teacher_choice(school_class=school_class, day=DAY))
    assert (len(small), len(large)) == (2, 7)

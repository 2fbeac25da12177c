"""The "current on a day" rules: one QuerySet method per model, and the instance method that agrees with it."""

from datetime import date

import pytest

from classes.models import AcademicYear
from classes.models import Enrollment
from classes.models import Parent
from classes.models import SchoolClass
from classes.models import Staff
from classes.models.periods import period_overlaps
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

START = date(2026, 9, 1)
END = date(2026, 11, 20)
# The boundary days: the day before the start, the start, the end, the day after the end.
DAYS = [date(2026, 8, 31), START, END, date(2026, 11, 21)]


def pks_by_day(select) -> dict[date, set[int]]:
    """Return {day: the ids the QuerySet method `select(day)` finds} over the boundary days."""
    return {day: set(select(day).values_list("pk", flat=True)) for day in DAYS}


def assert_instances_agree(rows, found: dict[date, set[int]], method: str) -> None:
    """Assert each row's instance method answers, day by day, as the QuerySet method found."""
    for row in rows:
        assert {day for day in DAYS if getattr(row, method)(day)} == {day for day in DAYS if row.pk in found[day]}


def staff_rows():
    """Return the rule's QuerySet and instance methods and staff: left on END, still employed, starting later."""
    left = StaffFactory(employed_from=START, employed_to=END)
    staying = StaffFactory(school=left.school, employed_from=START)
    later = StaffFactory(school=left.school, employed_from=date(2026, 11, 21))
    return Staff.objects.employed_on, "is_employed_on", [left, staying, later]


def enrollment_rows():
    """Return the rule's QuerySet and instance methods and enrollments: ended on END, open, starting later."""
    school_class = SchoolClassFactory()
    ended = EnrollmentFactory(school_class=school_class, starts_on=START, ends_on=END)
    open_ = EnrollmentFactory(school_class=school_class, starts_on=START)
    later = EnrollmentFactory(school_class=school_class, starts_on=date(2026, 11, 21))
    return Enrollment.objects.current_on, "is_current_on", [ended, open_, later]


@pytest.mark.parametrize("rows", [staff_rows, enrollment_rows], ids=["staff employed_on", "enrollment current_on"])
def test_a_period_covers_its_first_day_to_its_last_day_and_a_later_start_only_from_then(rows):
    # given: one period ended on END, one open since START, one starting the day after END
    select, method, (ended, open_, later) = rows()
    # when
    found = pks_by_day(select)
    # then
    assert found == {
        date(2026, 8, 31): set(),
        START: {ended.pk, open_.pk},
        END: {ended.pk, open_.pk},
        date(2026, 11, 21): {open_.pk, later.pk},
    }
    assert_instances_agree([ended, open_, later], found, method)


def test_staff_employed_on_any_day_and_left_before_a_day():
    # given
    left = StaffFactory(employed_from=START, employed_to=END)
    later = StaffFactory(school=left.school, employed_from=date(2026, 12, 1))
    # when / then
    assert set(Staff.objects.employed_on_any([date(2026, 8, 31), date(2026, 12, 1)])) == {later}
    assert set(Staff.objects.employed_on_any([])) == set()
    assert list(Staff.objects.left_before(END)) == []
    assert list(Staff.objects.left_before(date(2026, 11, 21))) == [left]
    assert [left.has_left_before(END), left.has_left_before(date(2026, 11, 21))] == [False, True]
    assert later.has_left_before(date(2027, 1, 1)) is False


def test_a_parent_is_on_the_roster_until_the_day_they_left():
    # given: left on END (off the roster from that day), never left
    left = ParentFactory(left_on=END)
    staying = ParentFactory(school=left.school)
    # when
    on_roster = pks_by_day(Parent.objects.on_roster_on)
    # then
    assert on_roster == {
        date(2026, 8, 31): {left.pk, staying.pk},
        START: {left.pk, staying.pk},
        END: {staying.pk},
        date(2026, 11, 21): {staying.pk},
    }
    assert_instances_agree([left, staying], on_roster, "is_on_roster_on")


def test_an_academic_year_and_its_classes_are_current_from_its_first_day_to_its_last():
    # given: 2026/2027 from 1 September to 31 August, with one class
    year = AcademicYearFactory(starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31))
    school_class = SchoolClassFactory(school=year.school, year=year)
    days = [date(2026, 8, 31), date(2026, 9, 1), date(2027, 8, 31), date(2027, 9, 1)]
    # when
    years = {day: list(AcademicYear.objects.current_on(day)) for day in days}
    classes = {day: list(SchoolClass.objects.current_on(day)) for day in days}
    # then
    assert years == {date(2026, 8, 31): [], date(2026, 9, 1): [year], date(2027, 8, 31): [year], date(2027, 9, 1): []}
    assert classes == {day: ([school_class] if found else []) for day, found in years.items()}
    assert [year.contains(day) for day in days] == [False, True, True, False]


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (date(2026, 11, 16), None, True),  # starts on Monday
        (date(2026, 11, 22), None, True),  # starts on Sunday
        (date(2026, 11, 23), None, False),  # starts the Monday after
        (date(2026, 9, 1), date(2026, 11, 16), True),  # ends on Monday
        (date(2026, 9, 1), date(2026, 11, 15), False),  # ended the Sunday before
    ],
)
def test_a_period_overlaps_a_week_when_it_covers_one_of_its_days(start, end, overlaps):
    # given: the week of Monday 16 November 2026
    first, last = date(2026, 11, 16), date(2026, 11, 22)
    # when / then
    assert period_overlaps(start=start, end=end, first=first, last=last) is overlaps

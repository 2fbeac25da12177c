"""Arrivals and departures: reported → processed → confirmed, who and when for each, the overdue flag."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
import time_machine

from classes.models import Holiday
from classes.models import RosterChange
from classes.roster.importer import roster_import
from classes.roster_changes import RosterChangeError
from classes.roster_changes import roster_change_process
from classes.roster_changes import roster_change_report_arrival
from classes.roster_changes import roster_changes_for_school
from classes.roster_changes import roster_changes_overdue
from classes.tests.scenario import ROSTER_CHANGES_MONDAY as MONDAY
from classes.tests.scenario import RosterChangesSchool
from classes.tests.scenario import RosterWorld

pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


@pytest.fixture
def school():
    return RosterChangesSchool(RosterWorld(classes=("5А", "5Б")))


def test_a_class_teacher_reports_a_departure_with_who_and_when(school):
    # when
    change = school.departure()
    # then
    change.refresh_from_db()
    assert (change.state, change.kind, change.student, change.happened_on, change.reason) == (
        "reported",
        "departure",
        school.petr,
        date(2026, 11, 13),
        "переезд в другой город",
    )
    assert (change.reported_by, change.reported_at) == (school.teacher, MONDAY)
    assert change.full_name == "Смирнов Пётр Алексеевич"


def test_a_departure_of_a_student_of_another_class_is_refused(school):
    # when
    with pytest.raises(RosterChangeError) as raised:
        school.departure(student=school.ivan)
    # then
    assert str(raised.value) == "Волков Иван is not in class 5А; choose a student of the class."
    assert not RosterChange.objects.exists()


def test_a_departure_is_reported_once_until_it_is_confirmed(school):
    # given
    school.departure()
    # when
    with pytest.raises(RosterChangeError) as raised:
        school.departure()
    # then
    assert "already reported" in str(raised.value)


def test_an_arrival_is_reported_with_name_and_birth_date_once(school):
    # when
    change = school.arrival()
    # then
    assert (change.state, change.kind, change.full_name, change.birth_date, change.student) == (
        "reported",
        "arrival",
        "Ёлкина Алёна",
        date(2015, 7, 7),
        None,
    )
    with pytest.raises(RosterChangeError):
        roster_change_report_arrival(
            school_class=school.class_a,
            last_name="Елкина",  # the same girl, spelled with е
            first_name="Алена",
            birth_date=date(2015, 7, 7),
            on=date(2026, 11, 16),
            user=school.teacher,
        )


def test_processing_records_who_when_and_what_changed(school, clock):
    # given
    change = school.departure()
    clock.move_to(MONDAY + timedelta(hours=2), tick=False)
    # when
    change = roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False, note="удалён")
    # then
    change.refresh_from_db()
    assert (change.state, change.processed_by, change.processed_at) == (
        "processed",
        school.admin,
        MONDAY + timedelta(hours=2),
    )
    assert (change.changed_in_sferum, change.changed_in_roster, change.processed_note) == (True, False, "удалён")


def test_processing_needs_a_tick_and_happens_once(school):
    # given
    change = school.departure()
    # when / then
    with pytest.raises(RosterChangeError, match="Tick what you changed"):
        roster_change_process(change=change, user=school.admin, in_sferum=False, in_roster=False)
    roster_change_process(change=change, user=school.admin, in_sferum=False, in_roster=True)
    with pytest.raises(RosterChangeError, match="already processed"):
        roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=True)


def test_a_later_roster_import_without_the_student_confirms_the_departure(school, clock):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=True)
    clock.move_to(MONDAY + timedelta(days=1), tick=False)
    content = school.roster(("S-2", "Орлова", "Анна", "2015-05-01", "5А"), ("S-3", "Волков", "Иван", "", "5Б"))
    # when
    result = roster_import(
        school=school.world.school, content=content, filename="r.csv", confirm_removals=True, user=school.admin
    )
    # then
    assert result.status == "ok"
    change.refresh_from_db()
    assert (change.state, change.confirmed_source, change.confirmed_by, change.confirmed_at) == (
        "confirmed",
        "roster",
        school.admin,
        MONDAY + timedelta(days=1),
    )


# The roster's rows of the school's three students.
THE_THREE_STUDENTS = (
    ("S-1", "Смирнов", "Пётр", "2015-03-12", "5А"),
    ("S-2", "Орлова", "Анна", "2015-05-01", "5А"),
    ("S-3", "Волков", "Иван", "", "5Б"),
)


def test_a_roster_import_that_still_has_the_student_does_not_confirm(school):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    content = school.roster(*THE_THREE_STUDENTS)
    # when
    roster_import(school=school.world.school, content=content, filename="r.csv", confirm_removals=True)
    # then
    change.refresh_from_db()
    assert change.state == "processed"


def test_a_roster_import_confirms_an_arrival_and_links_the_student_by_name_and_birth_date(school):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=False, in_roster=True)
    content = school.roster(*THE_THREE_STUDENTS, ("S-4", "Елкина", "Алена", "07.07.2015", "5А"))
    # when
    roster_import(school=school.world.school, content=content, filename="r.csv")
    # then
    change.refresh_from_db()
    assert change.state == "confirmed"
    assert change.student.person_id == "S-4"


def test_a_reported_change_is_not_confirmed_before_it_is_processed(school):
    # given
    change = school.departure()
    content = school.roster(("S-2", "Орлова", "Анна", "2015-05-01", "5А"), ("S-3", "Волков", "Иван", "", "5Б"))
    # when
    roster_import(school=school.world.school, content=content, filename="r.csv", confirm_removals=True)
    # then
    change.refresh_from_db()
    assert change.state == "reported"


@pytest.mark.parametrize(
    ("moment", "overdue"),
    [
        (datetime(2026, 11, 19, 20, 0, tzinfo=UTC), False),  # Thursday 23:00: the third school day after
        (datetime(2026, 11, 19, 21, 0, tzinfo=UTC), True),  # Friday 00:00 in Moscow
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), True),
    ],
)
def test_a_report_not_processed_within_three_school_days_is_overdue(school, moment, overdue):
    # given: reported on Monday
    change = school.departure()
    # when
    with time_machine.travel(moment, tick=False):
        day = moment.astimezone(school.world.school.tz).date()
        found = list(roster_changes_overdue(school=school.world.school, day=day))
        flagged = roster_changes_for_school(school=school.world.school, day=day).get(pk=change.pk).overdue
    # then
    assert (found == [change]) is overdue
    assert flagged is overdue


def test_weekends_and_holidays_are_not_school_days(school):
    # given: reported on Thursday 22 October; autumn holidays from 25 October to 3 November
    Holiday.objects.create(
        year=school.world.year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3)
    )
    with time_machine.travel(datetime(2026, 10, 22, 9, tzinfo=UTC), tick=False):
        change = school.departure()
    # when / then: Friday 23 October, Wednesday 4 and Thursday 5 November are the three school days
    assert not roster_changes_overdue(school=school.world.school, day=date(2026, 11, 5)).exists()
    assert list(roster_changes_overdue(school=school.world.school, day=date(2026, 11, 6))) == [change]


def test_the_number_of_school_days_is_a_school_setting_inheriting_from_the_municipality(school):
    # given
    change = school.departure()
    municipality = school.world.school.municipality
    # when / then
    municipality.roster_change_overdue_days = 1
    municipality.save()
    school.world.school.refresh_from_db()
    assert not roster_changes_overdue(school=school.world.school, day=date(2026, 11, 17)).exists()
    assert list(roster_changes_overdue(school=school.world.school, day=date(2026, 11, 18))) == [change]
    school.world.school.roster_change_overdue_days = 5
    school.world.school.save()
    assert not roster_changes_overdue(school=school.world.school, day=date(2026, 11, 23)).exists()
    assert list(roster_changes_overdue(school=school.world.school, day=date(2026, 11, 24))) == [change]


def test_a_processed_change_is_never_overdue(school):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    # when
    overdue = roster_changes_overdue(school=school.world.school, day=date(2026, 12, 20))
    # then
    assert not overdue.exists()

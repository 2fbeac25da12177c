"""Arrivals and departures: reported → processed → confirmed, who and when for each, the overdue flag."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from chats.models import Chat, ChatMembership, SyncRun
from classes.models import Holiday, RosterChange, User
from classes.roster.importer import roster_import
from classes.roster_changes import (
    RosterChangeError,
    roster_change_deadline,
    roster_change_process,
    roster_change_report_arrival,
    roster_change_report_departure,
    roster_changes_for_school,
    roster_changes_overdue,
)
from classes.tests.factories import UserFactory
from reports import tasks
from reports.reconciliation import roster_changes_confirm_from_sync
from reports.tests.reconciliation_world import World

MONDAY = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)  # Monday 16 November 2026, 09:00 in Moscow
pytestmark = [pytest.mark.django_db, pytest.mark.clock(MONDAY)]


class School:
    def __init__(self):
        self.world = World(classes=("5А", "5Б"))
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


@pytest.fixture
def school():
    return School()


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


def test_processing_records_who_when_and_what_changed(school, time_machine):
    # given
    change = school.departure()
    time_machine.move_to(MONDAY + timedelta(hours=2), tick=False)
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


def test_a_later_roster_import_without_the_student_confirms_the_departure(school, time_machine):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=True)
    time_machine.move_to(MONDAY + timedelta(days=1), tick=False)
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


def test_a_roster_import_that_still_has_the_student_does_not_confirm(school):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    content = school.roster(
        ("S-1", "Смирнов", "Пётр", "2015-03-12", "5А"),
        ("S-2", "Орлова", "Анна", "2015-05-01", "5А"),
        ("S-3", "Волков", "Иван", "", "5Б"),
    )
    # when
    roster_import(school=school.world.school, content=content, filename="r.csv", confirm_removals=True)
    # then
    change.refresh_from_db()
    assert change.state == "processed"


def test_a_roster_import_confirms_an_arrival_and_links_the_student_by_name_and_birth_date(school):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=False, in_roster=True)
    content = school.roster(
        ("S-1", "Смирнов", "Пётр", "2015-03-12", "5А"),
        ("S-2", "Орлова", "Анна", "2015-05-01", "5А"),
        ("S-3", "Волков", "Иван", "", "5Б"),
        ("S-4", "Елкина", "Алена", "07.07.2015", "5А"),
    )
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


def _sync_finished(school, at: datetime) -> None:
    SyncRun.objects.create(school=school, backend="simulator", status="ok", started_at=at, finished_at=at)


def test_a_sync_after_processing_without_the_student_in_the_chat_confirms_the_departure(school, time_machine):
    # given
    account = school.world.account("Смирнов", "Петр", "5А", student=school.petr)
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    ChatMembership.objects.filter(account=account).update(left_at=MONDAY + timedelta(minutes=30))
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    confirmed = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    change.refresh_from_db()
    assert confirmed == 1
    assert (change.state, change.confirmed_source, change.confirmed_by) == ("confirmed", "sync", None)


def test_a_sync_that_still_sees_the_student_or_ran_before_processing_does_not_confirm(school, time_machine):
    # given
    school.world.account("Смирнов", "Петр", "5А")  # unlinked, same name: still in the chat
    change = school.departure()
    _sync_finished(school.world.school, MONDAY - timedelta(hours=1))
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    # when
    before = roster_changes_confirm_from_sync(school=school.world.school)
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    after = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    assert (before, after) == (0, 0)
    change.refresh_from_db()
    assert change.state == "processed"


def test_a_sync_that_sees_the_arrival_in_the_class_chat_confirms_it(school):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    school.world.account("Елкина", "Алена", "5А")
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    confirmed = roster_changes_confirm_from_sync(school=school.world.school)
    # then
    assert confirmed == 1
    assert RosterChange.objects.get().state == "confirmed"
    assert Chat.objects.filter(kind="class").count() == 2


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
    assert roster_change_deadline(school=school.world.school, change=change) == date(2026, 11, 19)


def test_weekends_and_holidays_are_not_school_days(school):
    # given: reported on Thursday 22 October; autumn holidays from 25 October to 3 November
    Holiday.objects.create(
        year=school.world.year, name="осенние каникулы", starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 3)
    )
    with time_machine.travel(datetime(2026, 10, 22, 9, tzinfo=UTC), tick=False):
        change = school.departure()
    # when / then: Friday 23 October, Wednesday 4 and Thursday 5 November are the three school days
    assert roster_change_deadline(school=school.world.school, change=change) == date(2026, 11, 5)
    assert not roster_changes_overdue(school=school.world.school, day=date(2026, 11, 5)).exists()
    assert roster_changes_overdue(school=school.world.school, day=date(2026, 11, 6)).exists()


def test_the_number_of_school_days_is_a_school_setting_inheriting_from_the_municipality(school):
    # given
    change = school.departure()
    municipality = school.world.school.municipality
    # when / then
    municipality.roster_change_overdue_days = 1
    municipality.save()
    school.world.school.refresh_from_db()
    assert roster_change_deadline(school=school.world.school, change=change) == date(2026, 11, 17)
    school.world.school.roster_change_overdue_days = 5
    school.world.school.save()
    assert roster_change_deadline(school=school.world.school, change=change) == date(2026, 11, 23)
    assert not roster_changes_overdue(school=school.world.school, day=date(2026, 11, 23)).exists()
    assert roster_changes_overdue(school=school.world.school, day=date(2026, 11, 24)).exists()


def test_a_processed_change_is_never_overdue(school):
    # given
    change = school.departure()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    # when
    overdue = roster_changes_overdue(school=school.world.school, day=date(2026, 12, 20))
    # then
    assert not overdue.exists()


def test_the_beat_job_confirms_from_the_last_sync_for_schools_with_processed_changes(
    school, django_capture_on_commit_callbacks
):
    # given
    change = school.arrival()
    roster_change_process(change=change, user=school.admin, in_sferum=True, in_roster=False)
    school.world.account("Ёлкина", "Алёна", "5А")
    _sync_finished(school.world.school, MONDAY + timedelta(hours=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        queued = tasks.roster_changes_confirm_dispatch()
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.roster_changes_confirm_dispatch()
    # then
    change.refresh_from_db()
    assert (queued, again) == (1, 0)
    assert (change.state, change.confirmed_source) == ("confirmed", "sync")
    assert tasks.roster_changes_confirm(999_999) == 0

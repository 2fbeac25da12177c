"""A teacher's login follows their employment: the roster import (or an edit in the admin) that ends it
deactivates the login, the one that brings them back reactivates it, and each change is in the audit log.
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from classes.logins import staff_logins_deactivate
from classes.logins import staff_logins_follow_employment
from classes.models import AuditEntry
from classes.models import Staff
from classes.models import User
from classes.tasks import staff_logins_sweep as staff_logins_sweep_task
from classes.tests.factories import SchoolFactory
from classes.tests.factories import UserFactory
from classes.tests.roster_files import LATER
from classes.tests.roster_files import PEOPLE
from classes.tests.roster_files import run
from classes.tests.roster_files import without

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BACK_ON = date(2027, 1, 12)


@pytest.fixture
def school_with_teacher():
    school = SchoolFactory()
    run(school, PEOPLE)
    staff = Staff.objects.get(school=school, person_id="T-001")
    login = UserFactory(username="ivanova", role=User.Role.TEACHER, school=school, staff=staff)
    return school, login


def login_entries(login: User) -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(login=login).order_by("pk").values_list("action", "username"),
    )


def test_the_roster_import_that_ends_the_employment_deactivates_the_login(school_with_teacher):
    # given
    school, login = school_with_teacher
    admin = UserFactory(username="head", role=User.Role.SCHOOL_ADMIN, school=school)
    # when
    run(school, without(PEOPLE, "T-001"), on=LATER, confirm_removals=True, user=admin)
    # then
    login.refresh_from_db()
    assert not login.is_active
    assert login_entries(login) == [("login.deactivate.departure", "head")]
    entry = AuditEntry.objects.get(login=login)
    assert entry.school == school
    assert "ivanova" in entry.description and "Иванова Мария Петровна" in entry.description


def test_the_roster_import_that_brings_them_back_reactivates_the_login(school_with_teacher):
    # given
    school, login = school_with_teacher
    run(school, without(PEOPLE, "T-001"), on=LATER, confirm_removals=True)
    # when
    run(school, PEOPLE, on=BACK_ON)
    # then
    login.refresh_from_db()
    assert login.is_active
    assert [action for action, _user in login_entries(login)] == [
        "login.deactivate.departure",
        "login.reactivate.return",
    ]


def test_a_login_deactivated_by_hand_stays_deactivated_when_they_come_back(school_with_teacher, client):
    # given: deactivated by an administrator in the admin, then they leave and come back
    school, login = school_with_teacher
    superuser = User.objects.create_superuser("root", "root@example.org", "pass-word-123")
    client.force_login(superuser)
    data = {
        "username": login.username,
        "email": login.email,
        "date_joined_0": "2026-10-05",
        "date_joined_1": "10:00:00",
        "role": login.role,
        "school": school.pk,
        "staff": login.staff_id,
    }
    response = client.post(reverse("admin:classes_user_change", args=[login.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    run(school, without(PEOPLE, "T-001"), on=LATER, confirm_removals=True)
    # when
    run(school, PEOPLE, on=BACK_ON)
    # then
    login.refresh_from_db()
    assert not login.is_active
    assert login_entries(login) == [("login.deactivate.manual", "root")]


def test_a_held_or_dry_run_import_leaves_the_login_alone(school_with_teacher):
    # given
    school, login = school_with_teacher
    # when: an import held (it empties 5А) and a dry run
    people = without(PEOPLE, "T-001", "S-1001", "S-1003", "P-2001", "P-2002", "P-2004")
    held = run(school, people, on=LATER)
    dry = run(school, without(PEOPLE, "T-001"), on=LATER, dry_run=True, confirm_removals=True)
    # then
    assert held.status == "held" and dry.dry_run
    login.refresh_from_db()
    assert login.is_active
    # the first roster's import is the only change audited
    assert list(AuditEntry.objects.exclude(action="login").values_list("action", flat=True)) == ["roster.import"]


def test_a_deactivated_teacher_is_logged_out_and_cannot_log_in(school_with_teacher, client):
    # given
    school, login = school_with_teacher
    client.force_login(login)
    # when
    run(school, without(PEOPLE, "T-001"), on=LATER, confirm_removals=True)
    # then: the open session no longer counts, and the password no longer works
    response = client.get(reverse("teacher-home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not client.login(username="ivanova", password="pass-word-123")


def staff_admin_form(school, staff) -> dict:
    """Return the admin's change form for `staff` as it stands (to post with a changed field)."""
    return {
        "school": school.pk,
        "person_id": staff.person_id,
        "last_name": staff.last_name,
        "first_name": staff.first_name,
        "patronymic": staff.patronymic,
        "position": staff.position,
        "teaches": "on",
        "employed_from": staff.employed_from.isoformat(),
    }


def test_ending_the_employment_in_the_admin_deactivates_the_login(school_with_teacher, client):
    # given
    school, login = school_with_teacher
    superuser = User.objects.create_superuser("root", "root@example.org", "pass-word-123")
    client.force_login(superuser)
    staff = login.staff
    url = reverse("admin:classes_staff_change", args=[staff.pk])
    data = staff_admin_form(school, staff)
    # when: the employment ends yesterday
    with time_machine.travel(date(2026, 11, 18), tick=False):
        response = client.post(url, {**data, "employed_to": "2026-11-17"})
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    login.refresh_from_db()
    assert not login.is_active
    assert login_entries(login) == [("login.deactivate.departure", "root")]
    # when: the end is removed again (a mistake corrected)
    with time_machine.travel(date(2026, 11, 18), tick=False):
        response = client.post(url, {**data, "employed_to": ""})
    # then
    login.refresh_from_db()
    assert login.is_active
    assert [action for action, _user in login_entries(login)][-1] == "login.reactivate.return"


def test_an_end_date_in_the_future_keeps_the_login_until_then(school_with_teacher, client):
    # given
    school, login = school_with_teacher
    superuser = User.objects.create_superuser("root", "root@example.org", "pass-word-123")
    client.force_login(superuser)
    staff = login.staff
    data = {**staff_admin_form(school, staff), "employed_to": "2026-12-31"}
    # when
    with time_machine.travel(date(2026, 11, 18), tick=False):
        client.post(reverse("admin:classes_staff_change", args=[staff.pk]), data)
    # then
    login.refresh_from_db()
    assert login.is_active
    assert not AuditEntry.objects.filter(login=login).exists()


def test_the_services_called_directly_leave_staff_without_a_login_alone(school_with_teacher):
    # given
    school, login = school_with_teacher
    without_login = Staff.objects.get(school=school, person_id="T-002")
    Staff.objects.filter(pk=login.staff_id).update(employed_to=date(2026, 11, 1))
    login.staff.refresh_from_db()
    # when
    changed = staff_logins_follow_employment(staff=login.staff, on=date(2026, 11, 18), by=None, source="test")
    untouched = staff_logins_deactivate(staff=[without_login], by=None, source="test")
    # then
    assert changed == [login] and untouched == []
    login.refresh_from_db()
    assert not login.is_active
    assert login_entries(login) == [("login.deactivate.departure", "")]


def test_the_hourly_check_deactivates_a_login_whose_employment_ended_ahead_of_time(school_with_teacher, client):
    # given: the employment was set (in the admin) to end on 31 December
    school, login = school_with_teacher
    still = Staff.objects.get(school=school, person_id="T-002")
    colleague = UserFactory(username="petrova", role=User.Role.TEACHER, school=school, staff=still)
    Staff.objects.filter(pk=login.staff_id).update(employed_to=date(2026, 12, 31))
    # when: the task runs on the last day, then on the first day after it (Moscow time)
    with time_machine.travel(datetime(2026, 12, 31, 20, 59, tzinfo=UTC), tick=False):
        on_the_last_day = staff_logins_sweep_task()
    with time_machine.travel(datetime(2026, 12, 31, 21, 1, tzinfo=UTC), tick=False):
        after = staff_logins_sweep_task()
        again = staff_logins_sweep_task()
    # then
    assert (on_the_last_day, after, again) == (0, 1, 0)
    login.refresh_from_db()
    colleague.refresh_from_db()
    assert not login.is_active and colleague.is_active
    assert login_entries(login) == [("login.deactivate.departure", "")]

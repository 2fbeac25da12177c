"""The staff not activated: who, why and what to do; its filter and export; the dashboard's link; access; queries."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activation.models import SferumAccount
from activation.staff_status import StaffReason
from activation.staff_status import staff_not_activated
from activation.staff_status import staff_reason
from activation.tests.factories import SferumAccountFactory
from chats.tests.scenario import school_build
from classes.models import AuditEntry
from classes.models import Staff
from classes.tests.factories import StaffFactory
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import assert_school_page_denials
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from reports.tests.independent_count import independent_staff_not_activated

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]
TODAY = date(2026, 11, 19)
Status = SferumAccount.Status
Role = SferumAccount.RoleCode


def page_url(school) -> str:
    return reverse("staff-not-activated", kwargs={"school_id": school.pk})


def export_url(school) -> str:
    return reverse("staff-not-activated-export", kwargs={"school_id": school.pk})


def staff_add(school, last_name: str, first_name: str, **fields) -> Staff:
    return StaffFactory(school=school, last_name=last_name, first_name=first_name, patronymic="", **fields)


def school_with_every_reason():
    """Return a school (every class's teachers activated) plus one member of staff per reason, one activated,
    one who has left, and the expected reason of each listed person."""
    data = school_build(classes=2, students=2)
    school = data.school
    expected = {}
    expected[staff_add(school, "Акимова", "Анна").pk] = StaffReason.NO_ACCOUNT
    namesake = staff_add(school, "Гусев", "Глеб")
    SferumAccountFactory(school=school, last_name="ГУСЕВ", first_name="Глеб", role_code=Role.TEACHER)
    expected[namesake.pk] = StaffReason.AMBIGUOUS
    # one linked account per reason: (name, the account's role, its status, the reason)
    linked = [
        ("Белов", "Борис", Role.NONE, Status.PENDING, StaffReason.PENDING),
        ("Волкова", "Вера", Role.PARENT, Status.ACTIVE, StaffReason.WRONG_ROLE),
        ("Дёмина", "Дарья", Role.TEACHER, Status.BLOCKED, StaffReason.BLOCKED),
        ("Ершов", "Егор", Role.NONE, Status.INVITED, StaffReason.INVITED),
    ]
    for last_name, first_name, role, status, reason in linked:
        staff = staff_add(school, last_name, first_name)
        SferumAccountFactory(school=school, staff=staff, role_code=role, status=status)
        expected[staff.pk] = reason
    # An activated employee, and someone who left before today without any account: neither is listed.
    activated = staff_add(school, "Жукова", "Жанна", teaches=False)
    SferumAccountFactory(school=school, staff=activated, role_code=Role.EMPLOYEE, status=Status.ACTIVE)
    staff_add(school, "Зайцев", "Захар", employed_from=date(2025, 9, 1), employed_to=date(2026, 10, 1))
    return data, expected


# The selector


def test_each_reason_is_given_for_its_case():
    # given
    data, expected = school_with_every_reason()
    # when
    rows = staff_not_activated(school=data.school, day=TODAY)
    # then
    assert {row.staff_id: row.reason for row in rows} == expected
    assert [row.name for row in rows] == sorted(row.name for row in rows)


def test_an_activated_account_wins_over_a_pending_one():
    # given: two accounts (VK and MAX), one active as teacher
    data = school_build(classes=1)
    staff = staff_add(data.school, "Иванов", "Илья")
    SferumAccountFactory(school=data.school, staff=staff, status=Status.PENDING, role_code=Role.NONE)
    SferumAccountFactory(school=data.school, staff=staff, status=Status.ACTIVE, role_code=Role.TEACHER)
    # when / then
    assert staff_not_activated(school=data.school, day=TODAY) == []


# The page


def test_the_page_lists_exactly_the_staff_the_card_counts(client):
    # given
    data, expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    page = client.get(page_url(data.school))
    dashboard = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk}))
    # then: the list, the independent count and the card's gap agree
    listed = {row.staff_id for row in page.context["rows"]}
    assert listed == set(expected) == independent_staff_not_activated(data.school.pk, TODAY)
    staff_rate = dashboard.context["metrics"].staff
    assert staff_rate.denominator - staff_rate.numerator == len(listed) == dashboard.context["staff_gap"]
    assert page.content.decode().count("data-staff-id=") == len(listed)


def test_the_page_shows_the_reason_and_what_to_do(client):
    # given
    data, _expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    text = client.get(page_url(data.school)).content.decode()
    # then
    assert "Ask them to finish registration in the «Учитель» role." in text
    assert 'data-reason="ambiguous"' in text
    assert "no Sferum account found" in text


def test_the_filter_by_reason_and_by_name(client):
    # given
    data, _expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    by_reason = client.get(page_url(data.school), {"reason": "pending"}).context["rows"]
    by_name = client.get(page_url(data.school), {"q": "дёмина"}).context["rows"]
    by_name_e = client.get(page_url(data.school), {"q": "ДЕМИНА"}).context["rows"]
    # then
    assert [row.reason for row in by_reason] == [StaffReason.PENDING]
    assert [row.name for row in by_name] == [row.name for row in by_name_e] == ["Дёмина Дарья"]


def test_htmx_gets_only_the_results(client):
    # given
    data, _expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(
        page_url(data.school), {"reason": "blocked"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="staff-results"
    )
    # then
    assert b"<html" not in response.content
    assert response.content.count(b"data-staff-id=") == 1


def test_the_dashboard_staff_card_links_to_the_list(client):
    # given
    data, expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    text = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk})).content.decode()
    # then
    assert f'href="{page_url(data.school)}" id="staff-not-activated-link"' in text
    assert f"Who is not activated: {len(expected)} people" in text


def test_the_municipal_administrator_of_the_school_reads_the_list(client):
    # given
    data, expected = school_with_every_reason()
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(page_url(data.school))
    # then
    assert response.status_code == 200
    assert len(response.context["rows"]) == len(expected)


@pytest.mark.parametrize("url", [page_url, export_url])
def test_a_teacher_and_another_school_are_refused(client, url):
    # given
    data, other = school_build(), school_build()
    # when / then: anonymous to log in, the school's teacher 403, another school's administrator 404
    assert_school_page_denials(client, url(data.school), data=data, other=other)


def test_queries_do_not_grow_with_the_staff(client, django_assert_num_queries):
    # given
    data, _expected = school_with_every_reason()
    client.force_login(school_admin(data.school))

    def grow():
        for number in range(6):
            staff = staff_add(data.school, f"Новиков{number}", "Никита")
            SferumAccountFactory(school=data.school, staff=staff, status=Status.PENDING, role_code=Role.NONE)
            SferumAccountFactory(school=data.school, last_name=f"Орлов{number}", first_name="Олег")
            staff_add(data.school, f"Орлов{number}", "Олег")

    # when / then
    response = assert_constant_queries(client, page_url(data.school), grow, django_assert_num_queries)
    assert len(response.context["rows"]) == 6 + 12


# The export


def test_the_export_is_the_filtered_list_and_is_audited(client):
    # given
    data, _expected = school_with_every_reason()
    user = school_admin(data.school)
    client.force_login(user)
    # when
    response = client.get(export_url(data.school), {"format": "csv", "reason": "no_account"})
    # then
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert [(row["Staff member"], row["Reason"]) for row in rows] == [("Акимова Анна", "no Sferum account found")]
    assert rows[0]["What to do"].startswith("Invite them")
    entry = AuditEntry.objects.exclude(action="login").get()
    assert (entry.user, entry.action, entry.rows) == (user, "export.staff-not-activated.csv", 1)


def test_the_export_as_xlsx(client):
    # given
    data, expected = school_with_every_reason()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(export_url(data.school))
    # then
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Staff not activated"
    assert sheet.max_row - 5 == len(expected)


def test_of_several_accounts_the_most_advanced_gives_the_reason():
    assert staff_reason(accounts=[("", "invited"), ("teacher", "blocked")], namesake=True) == StaffReason.BLOCKED
    assert staff_reason(accounts=[("", "blocked"), ("", "pending")], namesake=False) == StaffReason.PENDING
    assert staff_reason(accounts=[], namesake=True) == StaffReason.AMBIGUOUS

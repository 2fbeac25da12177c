"""The teacher's pages: my classes, who is not activated yet in a class, the QR sheet (my weekly messages:
reports/tests/test_views_teacher_activity.py)."""

from datetime import date

import pytest
from django.urls import reverse

from activation.invites import invite_link_create
from activation.models import InviteLink
from activation.selectors import ActivationStatus
from activation.tests.factories import SferumAccountFactory
from activation.tests.scenario import NOW
from activation.tests.scenario import enrol
from activation.tests.scenario import page_get
from classes.tests.factories import AcademicYearFactory
from classes.tests.factories import ParentFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import TeachingAssignmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

A = SferumAccountFactory._meta.model.Status


# ---------------------------------------------------------------------------
# My classes
# ---------------------------------------------------------------------------


def test_my_classes_lists_the_led_class_first_then_the_taught_ones(client, world):
    # given
    taught = SchoolClassFactory(school=world.school, year=world.school_class.year, grade=3, letter="В")
    TeachingAssignmentFactory(school_class=taught, staff=world.teacher.staff, subject="математика")
    enrol(world.school_class, student_status=A.ACTIVE, parent_status=A.ACTIVE)
    enrol(world.school_class, student_status=None, parent_status=None)
    # when
    response = page_get(client, world.teacher, "teacher-home")
    # then
    classes = [row["school_class"] for row in response.context["rows"]]
    assert [c.name for c in classes] == ["5А", "3В"]
    assert classes[0].led and not classes[1].led
    rates = response.context["rows"][0]["rates"]
    assert (rates.students.numerator, rates.students.denominator) == (1, 2)
    html = response.content.decode()
    assert "математика" in html
    assert "6Б" not in html  # another teacher's class of the school
    assert reverse("teacher-class", kwargs={"class_id": world.school_class.pk}) in html


def test_my_classes_leaves_out_last_years_classes(client, world):
    # given
    old_year = AcademicYearFactory(
        school=world.school, name="2025/2026", starts_on=date(2025, 9, 1), ends_on=date(2026, 8, 31)
    )
    SchoolClassFactory(school=world.school, year=old_year, grade=4, letter="А", class_teacher=world.teacher.staff)
    # when
    response = page_get(client, world.teacher, "teacher-home")
    # then
    assert [row["school_class"].name for row in response.context["rows"]] == ["5А"]


# ---------------------------------------------------------------------------
# A class: who is not activated yet
# ---------------------------------------------------------------------------


def test_the_class_page_gives_each_student_a_status_and_what_to_do(client, world):
    # given
    active = enrol(world.school_class, student_status=A.ACTIVE, parent_status=A.ACTIVE, last_name="Активный")
    pending = enrol(world.school_class, student_status=A.PENDING, parent_status=A.PENDING, last_name="Ждущий")
    blocked = enrol(world.school_class, student_status=A.BLOCKED, parent_status=A.BLOCKED, last_name="Блок")
    nobody = enrol(world.school_class, parent_status="none", last_name="Никто")
    wrong_role = enrol(world.school_class, parent_status=None, last_name="Чужаяроль")
    SferumAccountFactory(school=world.school, student=wrong_role, role_code="parent", status=A.ACTIVE)
    # when
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    rows = {row.student_id: row for row in response.context["roster"].students}
    assert rows[active.pk].status == ActivationStatus.ACTIVE
    assert rows[pending.pk].status == ActivationStatus.PENDING
    assert rows[blocked.pk].status == ActivationStatus.BLOCKED
    assert rows[nobody.pk].status == ActivationStatus.NOT_INVITED
    assert rows[wrong_role.pk].status == ActivationStatus.PENDING
    assert rows[active.pk].parents_status == ActivationStatus.ACTIVE
    assert rows[pending.pk].parents_status == ActivationStatus.PENDING
    assert rows[nobody.pk].parents_status == ActivationStatus.NO_PARENT
    assert rows[wrong_role.pk].parents_status == ActivationStatus.NOT_INVITED
    html = response.content.decode()
    assert "«Ученик»" in html  # pending: finish registration in the student role
    assert "school administrator" in html  # blocked, no parent
    assert response.context["students_rate"].numerator == 1
    assert response.context["parents_rate"].denominator == 5


def test_a_current_invite_link_makes_the_not_linked_invited(client, world):
    # given
    student = enrol(world.school_class, parent_status=None)
    invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="students", url="https://sferum.ru/?invite=1"
    )
    # when
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    row = response.context["roster"].students[0]
    assert row.student_id == student.pk
    assert row.status == ActivationStatus.INVITED
    assert row.parents_status == ActivationStatus.NOT_INVITED  # no link for parents yet


def test_a_parent_who_left_the_roster_no_longer_counts(client, world):
    # given
    student = enrol(world.school_class, student_status=A.ACTIVE, parent_status=A.ACTIVE)
    student.parents.update(left_on=date(2026, 11, 1))
    ParentFactory(school=world.school, children=[student], last_name="Новая")
    # when
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    row = response.context["roster"].students[0]
    assert row.parents_status == ActivationStatus.NOT_INVITED
    assert [parent.name.split()[0] for parent in row.parents] == ["Новая"]


def test_a_student_who_left_the_class_is_not_listed(client, world):
    # given
    enrol(world.school_class, student_status=None, ends_on=date(2026, 10, 1), last_name="Ушедший")
    # when
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    assert response.context["roster"].students == []
    assert "Ушедший" not in response.content.decode()


def test_a_subject_teacher_sees_the_class_but_cannot_manage_links(client, world):
    # when
    response = page_get(client, world.subject_teacher, "teacher-class", class_id=world.school_class.pk)
    # then
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert reverse("invite-create", kwargs={"class_id": world.school_class.pk}) not in response.content.decode()


def test_the_school_administrator_opens_any_class_of_the_school(client, world):
    response = page_get(client, world.school_admin, "teacher-class", class_id=world.other_class.pk)
    assert response.status_code == 200
    assert response.context["can_manage"] is True


def test_the_class_teacher_gets_the_arrival_and_departure_link(client, world):
    response = page_get(client, world.teacher, "teacher-class", class_id=world.school_class.pk)
    url = reverse("roster-change-report", kwargs={"class_id": world.school_class.pk})
    assert response.context["roster_change_url"] == url
    assert f'href="{url}"' in response.content.decode()


def test_a_subject_teacher_gets_no_arrival_and_departure_link(client, world):
    response = page_get(client, world.subject_teacher, "teacher-class", class_id=world.school_class.pk)
    assert response.context["roster_change_url"] is None


# ---------------------------------------------------------------------------
# The QR sheet
# ---------------------------------------------------------------------------


def test_the_qr_sheet_has_two_codes_and_no_child_data(client, world, settings):
    # given
    settings.LANGUAGE_CODE = "ru"
    enrol(world.school_class, student_status=None, last_name="Секретов", first_name="Тайный")
    for audience in ("students", "parents"):
        invite_link_create(
            by=world.teacher,
            school_class=world.school_class,
            audience=audience,
            url=f"https://sferum.ru/?invite={audience}",
        )
    # when
    response = page_get(client, world.teacher, "qr-sheet", class_id=world.school_class.pk)
    # then
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert "МАОУ «Школа у реки»" in html and "5А" in html
    assert "Для родителей" in html and "Для учеников" in html
    assert "«Родитель»" in html and "VK Мессенджер" in html  # Russian instructions for the meeting
    assert "Секретов" not in html and "Тайный" not in html
    assert "sferum.ru/?invite" not in html  # the codes carry our short URL, which says when it has expired
    # no address to type: the 32-character key mixes 0/O and 1/l, so the sheet prints none (the QR code has it)
    for link in InviteLink.objects.all():
        assert link.key not in html
    assert "наберите адрес" not in html
    assert "css/print.css" in html


def test_the_qr_sheet_asks_to_create_a_missing_link_first(client, world):
    # given
    invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    # when
    response = page_get(client, world.teacher, "qr-sheet", class_id=world.school_class.pk)
    # then
    html = response.content.decode()
    assert html.count("<svg") == 1
    assert "qr-missing" in html


def test_the_qr_sheet_is_in_english_when_english_is_chosen(client, world):
    # given
    client.cookies["django_language"] = "en"
    # when
    response = page_get(client, world.teacher, "qr-sheet", class_id=world.school_class.pk)
    # then
    html = response.content.decode()
    assert "How to join Sferum" in html
    assert "Как подключиться" not in html


def test_the_pages_are_russian_by_default(client, world, settings):
    settings.LANGUAGE_CODE = "ru"
    response = page_get(client, world.teacher, "teacher-home")
    assert response["Content-Language"] == "ru"

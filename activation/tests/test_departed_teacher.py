"""A teacher whose employment ended sees none of their former classes' children: every teacher page is a 404,
while a teacher still employed today (their last day included) keeps their pages.
"""

from datetime import date

import pytest
from django.http import Http404
from django.urls import reverse

from activation.tests.scenario import NOW
from activation.tests.scenario import enrol
from classes.access import class_for_user_or_404
from classes.access import classes_for_user
from classes.access import schools_for_user
from classes.models import Staff

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

SECRET = "Секретова"  # a student of the class: must never show to a former teacher
TODAY = date(2026, 11, 18)  # the day of activation.tests.scenario.NOW, the pinned clock


def employment_end(user, on: date | None) -> None:
    Staff.objects.filter(pk=user.staff_id).update(employed_to=on)


def teacher_pages(world, student) -> list[str]:
    class_id = world.school_class.pk
    return [
        reverse("teacher-class", kwargs={"class_id": class_id}),
        reverse("qr-sheet", kwargs={"class_id": class_id}),
        reverse("roster-change-report", kwargs={"class_id": class_id}),
        reverse("student-detail", kwargs={"student_id": student.pk}),
        reverse("teacher-home"),
        reverse("teacher-activity"),
    ]


@pytest.mark.parametrize("actor", ["teacher", "subject_teacher"])
def test_a_teacher_whose_employment_ended_gets_404_on_every_teacher_page(client, world, actor):
    # given
    student = enrol(world.school_class, last_name=SECRET)
    user = getattr(world, actor)
    employment_end(user, date(2026, 11, 17))
    client.force_login(user)
    # when
    responses = {url: client.get(url) for url in teacher_pages(world, student)}
    # then
    for url, response in responses.items():
        assert response.status_code == 404, url
        assert SECRET not in response.content.decode(), url


def test_a_former_class_teacher_cannot_create_invite_links(client, world):
    # given
    employment_end(world.teacher, date(2026, 11, 17))
    client.force_login(world.teacher)
    # when
    response = client.post(
        reverse("invite-create", kwargs={"class_id": world.school_class.pk}),
        {"audience": "students", "url": "https://sferum.ru/?invite=s", "expires_on": "2026-11-20"},
    )
    # then
    assert response.status_code == 404


def test_a_teacher_on_their_last_day_keeps_their_pages(client, world):
    # given
    student = enrol(world.school_class, last_name=SECRET)
    employment_end(world.teacher, TODAY)
    client.force_login(world.teacher)
    # when
    responses = {url: client.get(url) for url in teacher_pages(world, student)}
    # then
    assert {url: response.status_code for url, response in responses.items()} == dict.fromkeys(responses, 200)
    assert SECRET in responses[reverse("teacher-class", kwargs={"class_id": world.school_class.pk})].content.decode()


def test_a_teacher_not_yet_employed_sees_nothing(world):
    # given
    Staff.objects.filter(pk=world.teacher.staff_id).update(employed_from=date(2026, 12, 1))
    # then
    assert not classes_for_user(user=world.teacher).exists()
    assert not schools_for_user(user=world.teacher).exists()


def test_the_access_helpers_follow_the_employment_of_today(world):
    # given
    employment_end(world.subject_teacher, date(2026, 11, 17))
    # then
    assert not classes_for_user(user=world.subject_teacher).exists()
    assert not schools_for_user(user=world.subject_teacher).exists()
    with pytest.raises(Http404):
        class_for_user_or_404(user=world.subject_teacher, class_id=world.school_class.pk)
    # and a colleague still employed is untouched
    assert list(classes_for_user(user=world.teacher)) == [world.school_class]


def test_an_administrator_keeps_the_class_of_a_departed_teacher(client, world):
    # given
    student = enrol(world.school_class, last_name=SECRET)
    employment_end(world.teacher, date(2026, 11, 17))
    client.force_login(world.school_admin)
    # when
    response = client.get(reverse("teacher-class", kwargs={"class_id": world.school_class.pk}))
    # then
    assert response.status_code == 200
    assert student.last_name in response.content.decode()

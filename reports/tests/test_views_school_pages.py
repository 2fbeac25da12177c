"""A class's page and the teachers' weekly activity: access, content, constant queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from chats.tests.scenario import classes_add
from chats.tests.scenario import school_build
from classes.tests.scenario import LAST_WEEK
from classes.tests.scenario import NOW
from classes.tests.scenario import assert_constant_queries
from classes.tests.scenario import assert_school_page_denials
from classes.tests.scenario import municipal_admin
from classes.tests.scenario import school_admin
from reports.models import WeeklyActivity
from reports.services import activation_snapshot_build
from reports.services import weekly_activity_build
from reports.services import weekly_activity_ensure

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


def class_url(school_class) -> str:
    return reverse("class-detail", kwargs={"class_id": school_class.pk})


def activity_url(school) -> str:
    return reverse("school-teacher-activity", kwargs={"school_id": school.pk})


# A class's page


@pytest.mark.parametrize(
    "page_url",
    [lambda data: class_url(data.classes[0]), lambda data: activity_url(data.school)],
    ids=["class", "activity"],
)
def test_page_denials(client, page_url):
    # given
    data, other = school_build(), school_build()
    url = page_url(data)
    # when / then: anonymous, teacher, another school's administrator, another municipality's
    assert_school_page_denials(client, url, data=data, other=other)


def test_class_page_shows_rates_teachers_and_chats(client):
    # given
    data = school_build(classes=1, students=4)
    activation_snapshot_build(school=data.school, day=NOW.date() - timedelta(days=3))
    client.force_login(school_admin(data.school))
    # when
    response = client.get(class_url(data.classes[0]))
    # then
    assert response.status_code == 200
    current = response.context["current"]
    assert (current.students.numerator, current.students.denominator) == (2, 4)
    assert [a.staff_id for a, _week in response.context["assignments"]] == [data.teachers[1].pk]
    assert len(response.context["chats"]) == 2
    html = response.content.decode()
    assert "<svg" in html and "<desc" in html
    assert reverse("class-update", kwargs={"class_id": data.classes[0].pk}) in html


def test_class_page_for_a_municipal_administrator_has_no_edit_link(client):
    # given
    data = school_build()
    client.force_login(municipal_admin(data.school.municipality))
    # when
    response = client.get(class_url(data.classes[0]))
    # then
    assert response.status_code == 200
    assert reverse("class-update", kwargs={"class_id": data.classes[0].pk}) not in response.content.decode()


def test_class_page_makes_as_many_queries_whatever_the_size(client, django_assert_num_queries):
    # given
    data = school_build(classes=1, students=1)
    client.force_login(school_admin(data.school))

    def grow():
        classes_add(data, grades=range(2, 5), letter="А", students=3)
        school_class = data.classes[0]
        for teacher in data.teachers[2:5]:
            school_class.assignments.create(staff=teacher, subject=f"предмет {teacher.pk}")
        activation_snapshot_build(school=data.school, day=NOW.date() - timedelta(days=1))

    # when / then
    assert_constant_queries(client, class_url(data.classes[0]), grow, django_assert_num_queries)


# The teachers' weekly activity


def test_teacher_activity_shows_the_stored_weeks_of_the_range(client):
    # given
    data = school_build(classes=2)
    weekly_activity_build(school=data.school, week_start=LAST_WEEK)
    client.force_login(school_admin(data.school))
    # when
    response = client.get(activity_url(data.school), {"date_from": "2026-10-26", "date_to": "2026-11-12"})
    # then
    assert [m.isoformat() for m in response.context["mondays"]] == ["2026-10-26", "2026-11-02", "2026-11-09"]
    entries = response.context["entries"]
    assert len(entries) == 4
    assert entries[0]["row"].counts[:2] == [None, None]
    assert response.context["missing_weeks"] == 2


def test_teacher_activity_rejects_a_backwards_range(client):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get(activity_url(data.school), {"date_from": "2026-11-09", "date_to": "2026-10-01"})
    # then: the default weeks are shown with the error
    assert response.status_code == 200
    assert "swap the dates" in response.content.decode()
    assert len(response.context["mondays"]) == 8


def test_computing_the_missing_weeks_is_the_school_administrators(client, django_capture_on_commit_callbacks):
    # given
    data = school_build(classes=1)
    url = reverse("teacher-activity-build", kwargs={"school_id": data.school.pk})
    client.force_login(municipal_admin(data.school.municipality))
    # when / then
    assert client.post(url).status_code == 403
    assert not WeeklyActivity.objects.exists()
    client.force_login(school_admin(data.school))
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task, run eagerly
        response = client.post(url)
    assert response.status_code == 302
    assert WeeklyActivity.objects.filter(school=data.school).values("week_start").distinct().count() == 8


def test_weekly_activity_ensure_builds_only_missing_weeks():
    # given
    data = school_build(classes=1)
    weekly_activity_build(school=data.school, week_start=LAST_WEEK)
    # when
    built = weekly_activity_ensure(school=data.school, weeks=3)
    # then
    assert built == 2
    assert weekly_activity_ensure(school=data.school, weeks=3) == 0

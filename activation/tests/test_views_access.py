"""Who may open the teacher's pages and the invite links' actions: every denial is a 403, a 404 with no
data, or the login page; and each page's query count does not grow with the data.
"""

import pytest
from django.urls import reverse

from activation.invites import invite_link_create
from activation.models import InviteLink
from activation.tests.factories import SferumAccountFactory
from activation.tests.scenario import NOW
from activation.tests.scenario import enrol
from activation.tests.scenario import measure
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import TeachingAssignmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]

SECRET = "Секретова"  # a student of the class: must never show on a denied page

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, "login"

CLASS_PAGE = {
    "teacher": OK,
    "subject_teacher": OK,
    "school_admin": OK,
    "other_teacher": NOT_FOUND,
    "foreign_teacher": NOT_FOUND,
    "foreign_admin": NOT_FOUND,
    "municipal_admin": FORBIDDEN,
    "foreign_municipal_admin": FORBIDDEN,
    "anonymous": LOGIN,
}
LINK_ACTION = {**CLASS_PAGE, "teacher": 302, "school_admin": 302, "subject_teacher": NOT_FOUND}
MY_PAGE = {
    "teacher": OK,
    "subject_teacher": OK,
    "other_teacher": OK,
    "school_admin": FORBIDDEN,
    "foreign_admin": FORBIDDEN,
    "municipal_admin": FORBIDDEN,
    "anonymous": LOGIN,
}


@pytest.fixture
def class_data(world):
    enrol(world.school_class, student_status=None, parent_status=None, last_name=SECRET)
    link = invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="parents", url="https://sferum.ru/?invite=p"
    )
    return link


def request(client, world, actor, method, name, **kwargs):
    user = world.login(actor)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs=kwargs or None)
    if method == "post":
        return client.post(
            url, {"audience": "students", "url": "https://sferum.ru/?invite=s", "expires_on": "2026-11-20"}
        )
    return client.get(url)


def check(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        return
    assert response.status_code == expected
    if expected in (FORBIDDEN, NOT_FOUND):
        assert SECRET not in response.content.decode()
        assert "sferum.ru/?invite" not in response.content.decode()


@pytest.mark.parametrize(("actor", "expected"), CLASS_PAGE.items())
@pytest.mark.parametrize("name", ["teacher-class", "qr-sheet"])
def test_class_pages(client, world, class_data, name, actor, expected):
    response = request(client, world, actor, "get", name, class_id=world.school_class.pk)
    check(response, expected)
    if expected == OK and name == "teacher-class":  # the denied pages' checks would be empty otherwise
        assert SECRET in response.content.decode()


@pytest.mark.parametrize(("actor", "expected"), LINK_ACTION.items())
def test_creating_a_link(client, world, class_data, actor, expected):
    # when
    response = request(client, world, actor, "post", "invite-create", class_id=world.school_class.pk)
    # then
    check(response, expected)
    created = InviteLink.objects.filter(audience="students").exists()
    assert created == (expected == 302)


@pytest.mark.parametrize(("actor", "expected"), LINK_ACTION.items())
def test_expiring_a_link(client, world, class_data, actor, expected):
    # when
    response = request(
        client, world, actor, "post", "invite-expire", class_id=world.school_class.pk, link_id=class_data.pk
    )
    # then
    check(response, expected)
    class_data.refresh_from_db()
    assert (class_data.expired_at is not None) == (expected == 302)


def test_a_link_of_another_class_cannot_be_expired_through_mine(client, world, class_data):
    # given
    foreign = invite_link_create(
        by=world.other_teacher, school_class=world.other_class, audience="students", url="https://sferum.ru/?invite=o"
    )
    client.force_login(world.teacher)
    # when
    response = client.post(reverse("invite-expire", kwargs={"class_id": world.school_class.pk, "link_id": foreign.pk}))
    # then
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.expired_at is None


@pytest.mark.parametrize("name", ["invite-create", "invite-expire"])
def test_link_actions_take_post_only(client, world, class_data, name):
    client.force_login(world.teacher)
    kwargs = {"class_id": world.school_class.pk}
    if name == "invite-expire":
        kwargs["link_id"] = class_data.pk
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 405


@pytest.mark.parametrize(("actor", "expected"), MY_PAGE.items())
@pytest.mark.parametrize("name", ["teacher-home", "teacher-activity"])
def test_my_pages(client, world, class_data, name, actor, expected):
    response = request(client, world, actor, "get", name)
    check(response, expected)


def test_another_teachers_home_shows_none_of_my_class(client, world, class_data):
    client.force_login(world.other_teacher)
    html = client.get(reverse("teacher-home")).content.decode()
    assert "5А" not in html and "6Б" in html


# ---------------------------------------------------------------------------
# Query counts: the same for two sizes of data
# ---------------------------------------------------------------------------


def grow_class(world, students: int) -> None:
    for index in range(students):
        student = enrol(
            world.school_class,
            student_status=["active", "pending", None][index % 3],
            parent_status=["active", "invited", None, "none"][index % 4],
        )
        if index % 5 == 0:
            SferumAccountFactory(school=world.school, student=student, role_code="", status="pending")


def grow_classes(world, classes: int, first: int = 0) -> None:
    for index in range(first, first + classes):
        taught = SchoolClassFactory(
            school=world.school, year=world.school_class.year, grade=7 + index % 4, letter="АБВГ"[index // 4]
        )
        TeachingAssignmentFactory(school_class=taught, staff=world.teacher.staff, subject=f"предмет {index}")
        TeachingAssignmentFactory(school_class=taught, staff=world.teacher.staff, subject=f"другой {index}")
        for _ in range(2):
            enrol(taught, student_status="active", parent_status="active")


@pytest.mark.parametrize("with_links", [False, True])
def test_the_class_page_query_count_does_not_grow(client, world, django_assert_num_queries, with_links):
    # given
    if with_links:
        for audience in ("students", "parents"):
            invite_link_create(
                by=world.teacher, school_class=world.school_class, audience=audience, url="https://sferum.ru/?invite=x"
            )
    client.force_login(world.teacher)
    url = reverse("teacher-class", kwargs={"class_id": world.school_class.pk})
    grow_class(world, 2)
    measure(client, django_assert_num_queries, url, 10)  # one is the check that the teacher is employed today
    # when
    grow_class(world, 30)
    # then
    measure(client, django_assert_num_queries, url, 10)


def test_the_qr_sheet_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.teacher)
    url = reverse("qr-sheet", kwargs={"class_id": world.school_class.pk})
    invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="students", url="https://sferum.ru/?invite=x"
    )
    grow_class(world, 2)
    measure(client, django_assert_num_queries, url, 5)  # one is the check that the teacher is employed today
    grow_class(world, 30)
    invite_link_create(
        by=world.teacher, school_class=world.school_class, audience="students", url="https://sferum.ru/?invite=y"
    )
    measure(client, django_assert_num_queries, url, 5)


def test_my_classes_query_count_does_not_grow(client, world, django_assert_num_queries):
    client.force_login(world.teacher)
    url = reverse("teacher-home")
    grow_classes(world, 1)
    grow_class(world, 2)
    # two check that the teacher is employed today; ten read my messages of the last eight weeks (reports.teacher_weeks)
    measure(client, django_assert_num_queries, url, 20)
    grow_classes(world, 8, first=1)
    grow_class(world, 20)
    measure(client, django_assert_num_queries, url, 20)

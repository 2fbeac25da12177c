"""Logins created by administrators: a school administrator's teachers, a municipal administrator's school
administrators; the set-password e-mail; who may; query counts.
"""

import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from activation.tests.scenario import NOW
from classes.logins import login_password_email_send
from classes.logins import school_admin_login_create
from classes.logins import teacher_login_create
from classes.models import User
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def rf_request(settings):
    settings.ALLOWED_HOSTS = ["testserver", "dashboard.example.org"]
    return RequestFactory().get("/", HTTP_HOST="dashboard.example.org", secure=True)


def link_in(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def set_password_through(client, url: str, password: str):
    path = re.sub(r"^https?://[^/]+", "", url)
    response = client.get(path, follow=True)
    action = response.redirect_chain[-1][0] if response.redirect_chain else path
    return client.post(action, {"password1": password, "password2": password})


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def test_a_school_administrator_creates_a_teachers_login_and_the_teacher_sets_a_password(client, world, rf_request):
    # given
    staff = StaffFactory(school=world.school, first_name="Ольга", last_name="Смирнова", email="")
    # when
    user = teacher_login_create(
        by=world.school_admin, staff=staff, username="osmirnova", email="olga@example.org", request=rf_request
    )
    # then
    assert (user.role, user.school_id, user.staff_id) == (User.Role.TEACHER, world.school.pk, staff.pk)
    assert (user.first_name, user.last_name) == ("Ольга", "Смирнова")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olga@example.org"]
    assert "osmirnova" in message.body
    url = link_in(message)
    assert url.startswith("https://dashboard.example.org/")
    # when the teacher follows the link
    response = set_password_through(client, url, "a-Long-pass-phrase-42")
    # then
    assert response.status_code == 302
    assert client.login(username="osmirnova", password="a-Long-pass-phrase-42")


@pytest.mark.parametrize("actor", ["foreign_admin", "municipal_admin", "teacher"])
def test_only_the_schools_administrator_creates_a_teachers_login(world, rf_request, actor):
    staff = StaffFactory(school=world.school)
    with pytest.raises(PermissionDenied):
        teacher_login_create(
            by=getattr(world, actor), staff=staff, username="x1", email="x1@example.org", request=rf_request
        )
    assert not User.objects.filter(username="x1").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("username", "email", "field", "words"),
    [
        ("TEACHER", "new@example.org", "username", "is taken"),
        ("new", "TEACHER@example.org", "email", "each login needs its own"),
        ("new", "not-an-address", "email", "is not an e-mail address"),
        ("", "new@example.org", "username", "Enter a username"),
        ("bad name!", "new@example.org", "username", ""),
    ],
)
def test_a_taken_or_bad_username_or_email_is_refused(world, rf_request, username, email, field, words):
    # given: the login «teacher» has teacher@example.org
    staff = StaffFactory(school=world.school)
    # when
    with pytest.raises(ValidationError) as error:
        teacher_login_create(by=world.school_admin, staff=staff, username=username, email=email, request=rf_request)
    # then
    assert field in error.value.message_dict
    assert words in " ".join(error.value.message_dict[field])
    assert not User.objects.filter(staff=staff).exists()


def test_a_staff_member_has_one_login_at_most(world, rf_request):
    with pytest.raises(ValidationError) as error:
        teacher_login_create(
            by=world.school_admin,
            staff=world.teacher.staff,
            username="again",
            email="a@example.org",
            request=rf_request,
        )
    assert "already has a login" in error.value.message_dict["staff"][0]


def test_a_former_staff_member_gets_no_login(world, rf_request):
    staff = StaffFactory(school=world.school, employed_to=date(2026, 10, 1))
    with pytest.raises(ValidationError) as error:
        teacher_login_create(
            by=world.school_admin, staff=staff, username="gone", email="g@example.org", request=rf_request
        )
    assert "not employed" in error.value.message_dict["staff"][0]


def test_a_municipal_administrator_creates_a_school_administrators_login(world, rf_request):
    # when
    user = school_admin_login_create(
        by=world.municipal_admin,
        school=world.other_school,
        username="admin2",
        email="admin2@example.org",
        first_name="Ирина",
        request=rf_request,
    )
    # then
    assert (user.role, user.school_id, user.first_name) == (User.Role.SCHOOL_ADMIN, world.other_school.pk, "Ирина")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("actor", ["foreign_municipal_admin", "school_admin", "teacher"])
def test_only_the_municipalitys_administrator_creates_a_school_administrator(world, rf_request, actor):
    with pytest.raises(PermissionDenied):
        school_admin_login_create(
            by=getattr(world, actor), school=world.school, username="a3", email="a3@example.org", request=rf_request
        )


def test_the_set_password_email_is_sent_again_only_by_the_right_administrator(world, rf_request):
    login_password_email_send(by=world.school_admin, user=world.teacher, request=rf_request)
    login_password_email_send(by=world.municipal_admin, user=world.school_admin, request=rf_request)
    assert len(mail.outbox) == 2
    for by, user in [(world.foreign_admin, world.teacher), (world.municipal_admin, world.teacher)]:
        with pytest.raises(PermissionDenied):
            login_password_email_send(by=by, user=user, request=rf_request)


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def test_the_staff_logins_page_creates_a_teachers_login(client, world):
    # given
    staff = StaffFactory(school=world.school, last_name="Новикова")
    client.force_login(world.school_admin)
    url = reverse("staff-logins", kwargs={"school_id": world.school.pk})
    # when
    page = client.get(url)
    response = client.post(url, {"staff": staff.pk, "username": "novikova", "email": "n@example.org"})
    # then
    assert "Новикова" in page.content.decode()
    assert response.status_code == 302
    assert User.objects.get(username="novikova").staff == staff
    assert len(mail.outbox) == 1


def staff_login_post(client, world, *, staff, username: str, email: str):
    """Post the staff logins form of `world.school` as its administrator; return the response."""
    client.force_login(world.school_admin)
    return client.post(
        reverse("staff-logins", kwargs={"school_id": world.school.pk}),
        {"staff": staff.pk, "username": username, "email": email},
    )


def test_the_staff_logins_page_shows_an_error_in_a_sentence(client, world):
    staff = StaffFactory(school=world.school)
    response = staff_login_post(client, world, staff=staff, username="teacher", email="z@example.org")
    assert response.status_code == 400
    assert "is taken; choose another." in response.content.decode()


def test_a_staff_member_of_another_school_cannot_be_chosen(client, world):
    foreign = StaffFactory(school=world.other_school)
    response = staff_login_post(client, world, staff=foreign, username="sneaky", email="s@example.org")
    assert response.status_code == 400
    assert not User.objects.filter(username="sneaky").exists()


def test_the_staff_logins_page_sends_the_email_again(client, world):
    client.force_login(world.school_admin)
    response = client.post(
        reverse("staff-logins", kwargs={"school_id": world.school.pk}), {"action": "resend", "user": world.teacher.pk}
    )
    assert response.status_code == 302
    assert mail.outbox[0].to == [world.teacher.email]


def test_the_staff_logins_page_cannot_resend_to_another_schools_login(client, world):
    client.force_login(world.school_admin)
    response = client.post(
        reverse("staff-logins", kwargs={"school_id": world.school.pk}),
        {"action": "resend", "user": world.foreign_teacher.pk},
    )
    assert response.status_code == 404
    assert mail.outbox == []


def test_the_admin_logins_page_creates_a_school_administrator(client, world):
    # given
    client.force_login(world.municipal_admin)
    url = reverse("admin-logins")
    # when
    page = client.get(url)
    response = client.post(url, {"school": world.other_school.pk, "username": "adm", "email": "adm@example.org"})
    # then
    html = page.content.decode()
    assert "Школа у реки" in html and "school_admin" in html
    assert response.status_code == 302
    assert User.objects.get(username="adm").school == world.other_school


def test_the_admin_logins_page_offers_no_school_of_another_municipality(client, world):
    foreign_school = SchoolFactory(municipality=world.foreign_municipal_admin.municipality, short_name="Чужая школа")
    client.force_login(world.municipal_admin)
    response = client.post(
        reverse("admin-logins"), {"school": foreign_school.pk, "username": "adm", "email": "adm@example.org"}
    )
    assert response.status_code == 400
    assert foreign_school.short_name not in client.get(reverse("admin-logins")).content.decode()
    assert not User.objects.filter(username="adm").exists()


STAFF_LOGINS = {
    "school_admin": 200,
    "foreign_admin": 404,
    "teacher": 403,
    "municipal_admin": 403,
    "anonymous": "login",
}
ADMIN_LOGINS = {
    "municipal_admin": 200,
    "foreign_municipal_admin": 200,
    "school_admin": 403,
    "teacher": 403,
    "anonymous": "login",
}


@pytest.mark.parametrize(("actor", "expected"), STAFF_LOGINS.items())
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_open_the_staff_logins_page(client, world, actor, expected, method):
    # given
    staff = StaffFactory(school=world.school, last_name="Скрытова")
    user = world.login(actor)
    if user:
        client.force_login(user)
    # when
    url = reverse("staff-logins", kwargs={"school_id": world.school.pk})
    response = getattr(client, method)(url, {"staff": staff.pk, "username": "u9", "email": "u9@example.org"})
    # then
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    elif expected == 200 and method == "post":
        assert response.status_code == 302
    else:
        assert response.status_code == expected
    if expected != 200:
        assert "Скрытова" not in response.content.decode()
        assert not User.objects.filter(username="u9").exists()


@pytest.mark.parametrize(("actor", "expected"), ADMIN_LOGINS.items())
def test_who_may_open_the_admin_logins_page(client, world, actor, expected):
    user = world.login(actor)
    if user:
        client.force_login(user)
    response = client.get(reverse("admin-logins"))
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        return
    assert response.status_code == expected
    if actor == "foreign_municipal_admin":
        assert "Школа у реки" not in response.content.decode()


def test_the_logins_pages_query_counts_do_not_grow(client, world, django_assert_num_queries):
    # given
    client.force_login(world.school_admin)
    staff_url = reverse("staff-logins", kwargs={"school_id": world.school.pk})
    client.get(staff_url)
    with django_assert_num_queries(4):
        client.get(staff_url)
    for index in range(15):
        staff = StaffFactory(school=world.school)
        if index % 2:
            User.objects.create(username=f"t{index}", role=User.Role.TEACHER, school=world.school, staff=staff)
    with django_assert_num_queries(4):
        client.get(staff_url)
    client.force_login(world.municipal_admin)
    admin_url = reverse("admin-logins")
    client.get(admin_url)
    with django_assert_num_queries(4):
        client.get(admin_url)
    for index in range(6):
        school = SchoolFactory(municipality=world.school.municipality)
        User.objects.create(username=f"a{index}", role=User.Role.SCHOOL_ADMIN, school=school)
    with django_assert_num_queries(4):
        client.get(admin_url)

import pytest
from django.urls import reverse

from classes.models import User
from classes.tests.factories import (
    MunicipalityFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_product_speaks_russian_by_default():
    from sferum_admin.settings import base

    assert base.LANGUAGE_CODE == "ru"


def test_login_page_is_russian_by_default_whatever_the_browser_asks(client, settings):
    settings.LANGUAGE_CODE = "ru"
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    assert '<html lang="ru">' in response.content.decode()


def test_english_is_available_by_choice(client, settings):
    settings.LANGUAGE_CODE = "ru"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("account_login"))
    assert response["Content-Language"] == "en"


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        reverse("account_signup"),
        {"username": "intruder", "email": "i@example.org", "password1": "x-Strong-pw-1", "password2": "x-Strong-pw-1"},
    )
    assert not User.objects.filter(username="intruder").exists()


@pytest.mark.parametrize("login_field", ["username", "email"])
def test_log_in_by_username_or_email(client, login_field):
    # given
    user = UserFactory(username="admin1", email="admin1@example.org")
    # when
    response = client.post(reverse("account_login"), {"login": getattr(user, login_field), "password": "pass-word-123"})
    # then
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated


def test_home_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_home_shows_a_municipal_administrator_their_schools_only(client):
    # given
    municipality = MunicipalityFactory()
    mine = SchoolFactory(municipality=municipality, short_name="Моя школа")
    SchoolFactory(short_name="Чужая школа")
    user = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)
    client.force_login(user)
    # when
    response = client.get(reverse("home"))
    # then
    assert [s.pk for s in response.context["scope"].schools] == [mine.pk]
    assert "Чужая школа" not in response.content.decode()


def test_home_shows_a_teacher_their_classes(client):
    # given
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    led = SchoolClassFactory(school=school, grade=5, letter="А", class_teacher=staff)
    SchoolClassFactory(school=school, grade=6, letter="Б", year=led.year)
    user = UserFactory(role=User.Role.TEACHER, staff=staff, school=school)
    client.force_login(user)
    # when
    response = client.get(reverse("home"))
    # then
    assert [c.name for c in response.context["scope"].classes] == ["5А"]
    assert "6Б" not in response.content.decode()


def test_home_query_count_does_not_grow_with_classes(client, django_assert_num_queries):
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    first = SchoolClassFactory(school=school, grade=1, letter="А", class_teacher=staff)
    user = UserFactory(role=User.Role.TEACHER, staff=staff, school=school)
    client.force_login(user)
    client.get(reverse("home"))
    with django_assert_num_queries(4):
        client.get(reverse("home"))
    for grade in range(2, 8):
        SchoolClassFactory(school=school, grade=grade, letter="А", class_teacher=staff, year=first.year)
    with django_assert_num_queries(4):
        client.get(reverse("home"))

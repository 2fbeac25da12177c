from datetime import date

import pytest
from django.urls import reverse

from classes.models import User
from classes.tests.factories import EnrollmentFactory
from classes.tests.factories import MunicipalityFactory
from classes.tests.factories import SchoolClassFactory
from classes.tests.factories import SchoolFactory
from classes.tests.factories import StaffFactory
from classes.tests.factories import TeachingAssignmentFactory
from classes.tests.factories import UserFactory
from reports.selectors import scope_for_user

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


def test_home_sends_a_municipal_administrator_to_the_overview(client):
    # given
    municipality = MunicipalityFactory()
    user = UserFactory(role=User.Role.MUNICIPAL_ADMIN, municipality=municipality)
    client.force_login(user)
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("municipal-overview")


def test_home_sends_a_school_administrator_to_their_dashboard(client):
    # given
    school = SchoolFactory()
    client.force_login(UserFactory(role=User.Role.SCHOOL_ADMIN, school=school))
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("school-dashboard", kwargs={"school_id": school.pk})


def test_home_sends_a_teacher_to_their_page(client):
    # given
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    SchoolClassFactory(school=school, grade=5, letter="А", class_teacher=staff)
    client.force_login(UserFactory(role=User.Role.TEACHER, staff=staff, school=school))
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("teacher-home")


def test_home_shows_a_login_without_a_role_what_it_can_see(client):
    # given: a plain login without a role sees no school
    SchoolFactory(short_name="Моя школа")
    client.force_login(UserFactory())
    # when
    response = client.get(reverse("home"))
    # then
    assert response.status_code == 200
    assert response.context["scope"].schools == []


def superuser_pages() -> list[str]:
    school = SchoolFactory()
    school_class = SchoolClassFactory(school=school)
    return [
        reverse("home"),
        reverse("school-dashboard", kwargs={"school_id": school.pk}),
        reverse("class-detail", kwargs={"class_id": school_class.pk}),
        reverse("class-list", kwargs={"school_id": school.pk}),
        reverse("municipal-overview"),
        reverse("teacher-home"),
        reverse("teacher-activity"),
    ]


def test_a_superuser_without_a_role_is_sent_to_the_admin_with_a_message(client):
    # given
    pages = superuser_pages()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for path in pages:
        # when
        response = client.get(path, follow=True)
        # then
        assert response.redirect_chain == [(reverse("admin:index"), 302)], path
        assert response.status_code == 200
        assert "no school or municipal role" in response.content.decode(), path


def test_home_query_count_does_not_grow_with_schools(client, django_assert_num_queries):
    municipality = MunicipalityFactory()
    SchoolFactory(municipality=municipality)
    client.force_login(UserFactory())  # a login without a role: the superuser is sent to the admin
    client.get(reverse("home"))
    with django_assert_num_queries(2):
        client.get(reverse("home"))
    for _number in range(5):
        SchoolClassFactory(school=SchoolFactory(municipality=municipality))
    with django_assert_num_queries(2):
        client.get(reverse("home"))


def test_a_teachers_scope_lists_the_classes_they_lead_or_teach_with_current_students():
    # given: a class led (one current student, one who left), a class taught twice, another's class
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    led = SchoolClassFactory(school=school, grade=6, letter="А", class_teacher=staff)
    year = led.year
    EnrollmentFactory(school_class=led)
    EnrollmentFactory(school_class=led, ends_on=date(2026, 10, 1))
    taught = SchoolClassFactory(school=school, year=year, grade=5, letter="Б")
    TeachingAssignmentFactory(school_class=taught, staff=staff, subject="математика")
    TeachingAssignmentFactory(school_class=taught, staff=staff, subject="физика")
    SchoolClassFactory(school=school, year=year, grade=5, letter="В")
    teacher = UserFactory(role=User.Role.TEACHER, staff=staff, school=school)
    # when
    scope = scope_for_user(user=teacher)
    # then
    assert [(c.pk, c.students) for c in scope.classes] == [(taught.pk, 0), (led.pk, 1)]
    assert [s.pk for s in scope.schools] == [school.pk]
    assert scope_for_user(user=UserFactory(role=User.Role.SCHOOL_ADMIN, school=school)).classes == []


@pytest.mark.clock("2026-11-30T09:00:00+03:00")
def test_a_teachers_class_counts_no_student_whose_enrollment_starts_later(clock):
    # given: one student in the class today, one who arrives next week
    school = SchoolFactory()
    staff = StaffFactory(school=school)
    led = SchoolClassFactory(school=school, class_teacher=staff)
    EnrollmentFactory(school_class=led, starts_on=date(2026, 9, 1))
    EnrollmentFactory(school_class=led, starts_on=date(2026, 12, 7))
    teacher = UserFactory(role=User.Role.TEACHER, staff=staff, school=school)
    # when
    scope = scope_for_user(user=teacher)
    # then
    assert [(c.pk, c.students) for c in scope.classes] == [(led.pk, 1)]

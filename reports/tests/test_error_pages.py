"""The 403, 404 and 500 pages: in Russian, in the site's layout, with the menu whenever there is a request."""

import pytest
from django.template import loader
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from chats.tests.scenario import school_build
from classes.tests.scenario import NOW
from classes.tests.scenario import school_admin
from classes.tests.scenario import teacher_user

pytestmark = [pytest.mark.django_db, pytest.mark.clock(NOW)]


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.DEBUG = False  # Django shows its own debug pages otherwise


def test_the_404_page_is_russian_with_the_menu(client, russian):
    # given
    data = school_build()
    client.force_login(school_admin(data.school))
    # when
    response = client.get("/no-such-page/")
    # then
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="ru">' in page
    assert "<h1>Страница не найдена</h1>" in page
    assert 'aria-label="Главное меню"' in page
    assert f'href="{reverse("school-dashboard", kwargs={"school_id": data.school.pk})}">Сводка</a>' in page
    assert 'href="/">Перейти на главную страницу</a>' in page
    assert "Not Found" not in page


def test_another_schools_page_says_not_found_in_russian(client, russian):
    # given
    mine, other = school_build(), school_build()
    client.force_login(school_admin(mine.school))
    # when
    response = client.get(reverse("school-dashboard", kwargs={"school_id": other.school.pk}))
    # then
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_the_403_page_is_russian_with_the_menu_of_the_role(client, russian):
    # given: a teacher opens the administrator's dashboard
    data = school_build()
    client.force_login(teacher_user(data))
    # when
    response = client.get(reverse("school-dashboard", kwargs={"school_id": data.school.pk}))
    # then
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Доступ запрещён</h1>" in page
    assert "обратитесь к администратору школы" in page
    assert f'href="{reverse("teacher-home")}">Мои классы</a>' in page
    assert "403 Forbidden" not in page


def test_the_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    # given
    request = RequestFactory().get("/broken/")
    # when
    with translation.override("ru"), django_assert_num_queries(0):
        response = server_error(request)
        alone = loader.get_template("500.html").render()
    # then
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Произошла ошибка</h1>" in page and "<h1>Произошла ошибка</h1>" in alone
    assert 'href="/">Перейти на главную страницу</a>' in page
    assert 'class="topbar"' in page  # the site's layout, not Django's bare page

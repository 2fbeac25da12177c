"""Browser test of issue 12, items 5 and 10 on the demo: no ISO week code on the dashboard; a Russian 404 page with
the site's menu. Fixtures come from test_browser.py (Debian's chromium, the demo seeded once per module)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .test_browser import log_in
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


def test_the_dashboard_has_no_iso_week_and_the_404_page_is_russian_with_the_menu(browser, live_server, demo):
    # given
    page = log_in(browser, live_server, "demo_admin", width=1366)
    dashboard = reverse("school-dashboard", kwargs={"school_id": demo.pk})
    assert page.url == f"{live_server.url}{dashboard}"
    # then: weeks are named by their days
    html = page.content()
    assert ISO_WEEK.findall(html) == []
    assert re.search(r"последняя полная неделя — \d{1,2}–\d{1,2} [а-я]+", page.locator(".subtitle").inner_text())
    # when
    response = page.goto(f"{live_server.url}/no-such-page/")
    # then
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Страница не найдена"
    menu = page.get_by_role("navigation", name="Главное меню")
    assert menu.get_by_role("link", name="Сводка").get_attribute("href") == dashboard
    assert menu.get_by_role("link", name="Классы").is_visible()
    screenshot(page, "404-ru")
    page.get_by_role("link", name="Перейти на главную страницу").click()
    page.wait_for_load_state("load")
    assert page.url == f"{live_server.url}{dashboard}"  # the start page leads the administrator to the dashboard
    page.context.close()

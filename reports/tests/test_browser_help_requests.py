"""Browser test of a help request's way (issue 15, item 5): the demo teacher asks, the school administrator sees it
on the dashboard, answers and closes it, and the teacher reads the answer.

Debian's chromium through Playwright (the `browser` and `demo` fixtures of conftest.py, the login of
test_browser.py), in Russian as a school sees it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from classes.models import AuditEntry
from classes.models import HelpRequest

from .test_browser import log_in
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Как пригласить в чат родителей ученика, который пришёл в класс вчера?"
ANSWER = "Откройте страницу класса и отправьте родителям ссылку-приглашение для родителей."


def test_a_help_request_goes_from_the_teacher_to_the_administrator_and_back(browser, live_server, demo):
    # given: the teacher asks from their pages
    teacher = log_in(browser, live_server, "demo_teacher")
    teacher.locator("nav.mainnav").get_by_role("link", name="Помощь").click()
    teacher.select_option("#id_topic", "chats")
    teacher.fill("#id_text", "   ")  # spaces only: refused, nothing written
    teacher.get_by_role("button", name="Отправить вопрос").click()
    teacher.wait_for_load_state("load")
    refused = teacher.locator("main").inner_text()
    after_refusal = HelpRequest.objects.count()
    teacher.fill("#id_text", QUESTION)
    teacher.get_by_role("button", name="Отправить вопрос").click()
    teacher.wait_for_load_state("load")
    asked = HelpRequest.objects.get(text=QUESTION)
    assert "Напишите вопрос" in refused
    assert after_refusal == 2  # the demo's two
    assert "Вопрос отправлен администратору школы" in teacher.locator(".messages").inner_text()
    assert "Ответа пока нет." in teacher.locator(f"#help-{asked.pk}").inner_text()
    # when: the administrator sees it on the dashboard, answers and closes it
    admin = log_in(browser, live_server, "demo_admin")
    admin.goto(f"{live_server.url}{reverse('school-dashboard', kwargs={'school_id': demo.pk})}")
    panel = admin.locator("#help-requests-panel")
    assert "чаты" in panel.inner_text()
    screenshot(admin, "help-requests-dashboard")
    panel.locator(f"a[href$='#help-{asked.pk}']").click()
    item = admin.locator(f"#help-{asked.pk}")
    assert QUESTION in item.inner_text()
    item.locator("textarea").fill(ANSWER)
    item.get_by_role("button", name="Ответить и закрыть").click()
    admin.wait_for_load_state("load")
    closed = admin.locator(f"#help-{asked.pk}").inner_text()
    screenshot(admin, "help-requests-school")
    # then: the teacher reads the answer
    teacher.reload()
    mine = teacher.locator(f"#help-{asked.pk}").inner_text()
    screenshot(teacher, "help-requests-teacher")
    asked.refresh_from_db()
    assert (asked.state, asked.answer) == ("closed", ANSWER)
    assert "закрыт" in closed and ANSWER in closed
    assert ANSWER in mine and "закрыт" in mine
    actions = AuditEntry.objects.filter(description__contains=f"request {asked.pk}").values_list("action", flat=True)
    assert sorted(actions) == ["help.answer", "help.ask", "help.close"]

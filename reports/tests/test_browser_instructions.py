"""Browser test of issue 15, item 4: an instruction walks from the municipal administrator (issues it) to the school
administrator (sees it on the dashboard, opens it, marks it done with a comment) and back to the municipal
administrator, who sees the school's «done».

Debian's chromium through Playwright, on the seeded demo (reports/tests/conftest.py), in Russian.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from classes.models import AuditEntry
from reports.models import Instruction
from reports.models import InstructionTarget

from .test_browser import accessibility_violations
from .test_browser import log_in
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Сдать отчёт о родительских собраниях"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_instruction_from_the_municipality_to_a_school_and_back(browser, live_server, demo):
    # given: the demo's own open instruction is there already
    seeded = Instruction.objects.count()
    page = log_in(browser, live_server, "demo_municipal")
    # when: the municipal administrator issues one to every school
    page.locator("nav.mainnav").get_by_role("link", name="Распоряжения").click()
    page.get_by_role("link", name="Новое распоряжение").click()
    page.fill("#id_title", TITLE)
    page.fill("#id_text", "Сдать протоколы собраний до конца недели.")
    page.fill("#id_deadline", "2026-12-04")
    page.get_by_label("Все школы").check()
    page.get_by_role("button", name="Выдать распоряжение").click()
    page.wait_for_load_state("load")
    # then
    assert Instruction.objects.count() == seeded + 1
    instruction = Instruction.objects.get(title=TITLE)
    assert "Распоряжение выдано" in page.locator(".messages").inner_text()
    assert "не прочитано" in page.locator("#instruction-targets").inner_text()
    page.context.close()

    # when: the school's administrator sees it on the dashboard and opens it
    admin_page = log_in(browser, live_server, "demo_admin")
    panel = admin_page.locator("#instructions-panel")
    assert TITLE in panel.inner_text()
    panel.get_by_role("link", name=TITLE).click()
    admin_page.wait_for_load_state("load")
    assert InstructionTarget.objects.get(instruction=instruction, school=demo).read_at is not None
    # when: marks it done without a comment, then with one
    admin_page.get_by_role("button", name="Отметить выполненным").click()
    admin_page.wait_for_load_state("load")
    assert InstructionTarget.objects.get(instruction=instruction, school=demo).done_at is None
    admin_page.fill("#id_comment", "Собрания проведены во всех классах, протоколы у секретаря.")
    admin_page.get_by_role("button", name="Отметить выполненным").click()
    admin_page.wait_for_load_state("load")
    # then
    assert "Распоряжение отмечено выполненным" in admin_page.locator(".messages").inner_text()
    assert "выполнено" in admin_page.locator("#instruction-status").inner_text()
    screenshot(admin_page, "instruction-school-done")
    admin_page.context.close()

    # when: the municipal administrator looks again
    back = log_in(browser, live_server, "demo_municipal")
    back.goto(f"{live_server.url}{reverse('instruction-detail', kwargs={'instruction_id': instruction.pk})}")
    row = back.locator(f"#instruction-targets tr[data-school-id='{demo.pk}']")
    # then
    assert "выполнено" in row.inner_text()
    assert "Собрания проведены во всех классах" in row.inner_text()
    screenshot(back, "instruction-issuer-done")
    assert set(AuditEntry.objects.filter(action__startswith="instruction.").values_list("action", flat=True)) >= {
        "instruction.issued",
        "instruction.read",
        "instruction.done",
    }
    back.context.close()


def test_the_instruction_pages_have_no_wcag_violation(browser, live_server, demo):
    # given: the demo's instruction
    instruction = Instruction.objects.get()
    municipal = log_in(browser, live_server, "demo_municipal", bypass_csp=True)
    found = {}
    for path in (
        reverse("instruction-list"),
        reverse("instruction-create"),
        reverse("instruction-detail", kwargs={"instruction_id": instruction.pk}),
    ):
        municipal.goto(f"{live_server.url}{path}")
        found[path] = accessibility_violations(municipal)
    municipal.context.close()
    school = log_in(browser, live_server, "demo_admin", bypass_csp=True)
    for path in (
        reverse("school-instructions", kwargs={"school_id": demo.pk}),
        reverse("school-instruction", kwargs={"school_id": demo.pk, "instruction_id": instruction.pk}),
    ):
        school.goto(f"{live_server.url}{path}")
        found[path] = accessibility_violations(school)
    school.context.close()
    # then
    assert found == {path: [] for path in found}

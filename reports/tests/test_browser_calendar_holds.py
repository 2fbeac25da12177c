"""Browser tests of issue 12, items 8 and 13: an administrator records an absence on the school calendar page,
and releases a mass-removal sync hold only by typing the number of memberships that end.

Debian's chromium through Playwright (the `browser` fixture and login of test_browser.py), against a live server
with a small school of the scenario builders rather than the whole demo.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from chats.models import SyncRun
from chats.tests.scenario import school_build
from chats.tests.scenario import sync_runs_add
from classes.models import StaffAbsence
from classes.tests.factories import StaffAbsenceFactory
from classes.tests.scenario import school_admin

from .browser_support import NOW
from .test_browser import accessibility_violations
from .test_browser import log_in
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(transactional_db, time_machine, settings):
    """A school with one class and its administrator, who logs in with the demo's password."""
    settings.LANGUAGE_CODE = "ru"
    time_machine.move_to(NOW, tick=True)
    data = school_build()
    admin = school_admin(data.school, username="calendar_admin")
    admin.set_password("sferum-demo")
    admin.save()
    return data


def test_the_administrator_records_an_absence_in_the_calendar(browser, live_server, school):
    # given
    teacher = school.teachers[0]
    page = log_in(browser, live_server, "calendar_admin")
    page.goto(f"{live_server.url}{reverse('school-dashboard', kwargs={'school_id': school.school.pk})}")
    # when
    page.locator("nav.mainnav").get_by_role("link", name="Календарь").click()
    page.get_by_role("link", name="Добавить отсутствие").click()
    page.select_option("#id_staff", str(teacher.pk))
    page.select_option("#id_kind", "sick")
    page.fill("#id_starts_on", "2026-12-03")
    page.fill("#id_ends_on", "2026-12-01")
    page.get_by_role("button", name="Сохранить").click()
    refused = page.locator("main").inner_text()
    page.fill("#id_ends_on", "2026-12-04")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_url(f"**{reverse('school-calendar', kwargs={'school_id': school.school.pk})}")
    # then
    assert "Последний день раньше первого" in refused
    absence = StaffAbsence.objects.get()
    assert (absence.staff_id, absence.starts_on, absence.ends_on) == (teacher.pk, date(2026, 12, 3), date(2026, 12, 4))
    assert teacher.full_name in page.locator("#absence-heading + p + .table-scroll").inner_text()
    screenshot(page, "school-calendar")


def test_a_mass_removal_hold_is_released_only_with_the_typed_number(browser, live_server, school):
    # given: 40 memberships would end, the school has 2
    held = sync_runs_add(school.school)[1]
    page = log_in(browser, live_server, "calendar_admin")
    page.goto(f"{live_server.url}{reverse('sync-list', kwargs={'school_id': school.school.pk})}")
    field = page.locator(f"#id_run{held.pk}_removals_typed")
    button = page.get_by_role("button", name="Подтвердить удаления и синхронизировать")
    # when: a wrong number
    field.fill("4")
    button.click()
    page.wait_for_load_state("load")
    wrong = page.locator(".messages").inner_text()
    screenshot(page, "sync-hold-typed-count")
    held.refresh_from_db()
    still_held = held.confirmed_at is None
    # when: the right number
    page.locator(f"#id_run{held.pk}_removals_typed").fill("40")
    page.get_by_role("button", name="Подтвердить удаления и синхронизировать").click()
    page.wait_for_load_state("load")
    # then
    assert "Ничего не подтверждено" in wrong and "40" in wrong
    assert still_held
    assert "Удаления подтверждены" in page.locator(".messages").inner_text()
    assert SyncRun.objects.filter(pk=held.pk).exists()


def test_the_new_pages_have_no_wcag_violation(browser, live_server, school):
    # given: an absence in the calendar and a held sync waiting for its typed number
    StaffAbsenceFactory(staff=school.teachers[0])
    sync_runs_add(school.school)
    school_id = {"school_id": school.school.pk}
    pages = [
        reverse("school-calendar", kwargs=school_id),
        reverse("school-calendar-create", kwargs={**school_id, "kind": "absence"}),
        reverse("school-calendar-create", kwargs={**school_id, "kind": "quarter"}),
        reverse("sync-list", kwargs=school_id),
    ]
    page = log_in(browser, live_server, "calendar_admin", bypass_csp=True)
    # when
    found = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        found[path] = accessibility_violations(page)
    # then
    assert found == {path: [] for path in pages}

"""Browser test of the dashboard as a work list, on the demo: one click from the staff card reaches exactly the
staff who are not activated, and the number of classes below target is the independent count.

The fixtures (chromium, the demo seeded once per module, the logins) are test_browser's.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from .independent_count import independent_count
from .independent_count import independent_staff_not_activated
from .test_browser import log_in
from .test_browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 30)  # test_browser's NOW, Monday in Moscow
LAST_WEEK = date(2026, 11, 23)


def test_one_click_from_the_staff_card_reaches_exactly_the_staff_not_activated(browser, live_server, demo):
    # given
    expected = {str(pk) for pk in independent_staff_not_activated(demo.pk, TODAY)}
    counted = independent_count(demo.code, LAST_WEEK, TODAY)["staff"]
    assert expected and len(expected) == counted["denominator"] - counted["numerator"]
    page = log_in(browser, live_server, "demo_admin", width=1366)
    # when
    page.locator("#rate-staff #staff-not-activated-link").click()
    page.wait_for_load_state("load")
    # then
    assert page.url == f"{live_server.url}{reverse('staff-not-activated', kwargs={'school_id': demo.pk})}"
    rows = page.locator("#staff-table tbody tr[data-staff-id]")
    assert {rows.nth(i).get_attribute("data-staff-id") for i in range(rows.count())} == expected
    assert rows.first.locator("td").nth(1).inner_text().strip()  # the reason …
    assert rows.first.locator("td").nth(2).inner_text().strip()  # … and what to do, in words
    screenshot(page, "demo_admin-staff-not-activated")
    page.context.close()


def test_the_classes_below_target_are_the_independent_count(browser, live_server, demo):
    # given
    classes = independent_count(demo.code, LAST_WEEK, TODAY)["classes"]
    students = {c["class"] for c in classes if c["students"]["passes"] is False}
    parents = {c["class"] for c in classes if c["parents"]["passes"] is False}
    page = log_in(browser, live_server, "demo_admin", width=1366)
    # when
    summary = page.locator("#classes-below-target a[data-count]")
    shown = [int(summary.nth(i).get_attribute("data-count")) for i in range(summary.count())]
    # then
    assert shown == [len(students | parents), len(students), len(parents)]
    screenshot(page, "demo_admin-dashboard-1366")
    # and the number leads to the table filtered to exactly those classes
    summary.first.click()
    page.wait_for_load_state("load")
    names = page.locator("#class-table tbody th[scope=row]").all_inner_texts()
    assert {name.strip() for name in names} == students | parents
    page.context.close()

"""Browser tests: Debian's chromium driven by Playwright for Python, against a live server with the demo.

Outside CI they are skipped when /usr/bin/chromium is missing; in CI (CI=true) a missing browser is a
failure. Screenshots of the main pages are saved in test-artifacts/ (not committed). The demo is seeded once
per test process; every test starts from a copy of that database (`database_copy.py`), so writes stay within a test.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from classes.models import RosterChange
from classes.models import SchoolClass
from classes.models import User

from .browser_support import ARTIFACTS
from .demo_pages import main_pages

# Playwright's sync API runs an event loop in the test's thread; the ORM calls here are plain sync calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The chromium, the seeded demo and each test's copy of it are reports/tests/conftest.py's fixtures, shared by every
# browser test module of the session (the demo is seeded once per test process).
def log_in(browser, live_server, username: str, *, width: int = 1280, bypass_csp: bool = False):
    """Return a page of a new browser context, logged in through the login form.

    `bypass_csp` lets the test inject axe-core (an inline script) into pages whose policy forbids inline code.
    """
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU", bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('account_login')}")
    page.fill("#id_login", username)
    page.fill("#id_password", "sferum-demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    return page


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_each_demo_user_logs_in_and_sees_their_own_page(browser, live_server, demo):
    teacher = User.objects.get(username="demo_teacher")
    expected = {
        "demo_admin": reverse("school-dashboard", kwargs={"school_id": demo.pk}),
        "demo_teacher": reverse("teacher-home"),
        "demo_municipal": reverse("municipal-overview"),
    }
    for username, path in expected.items():
        page = log_in(browser, live_server, username)
        assert page.url == f"{live_server.url}{path}", username
        assert page.locator("html").get_attribute("lang") == "ru"
        assert "Выйти" in page.locator("header").inner_text()
        screenshot(page, f"{username}-main")
        if username == "demo_teacher":
            led = SchoolClass.objects.filter(class_teacher=teacher.staff).first()
            assert led.name in page.locator("main").inner_text()
        if username == "demo_municipal":
            assert demo.short_name in page.locator("main").inner_text()
        page.context.close()


def test_the_dashboard_shows_the_rates_metrics_compute_prints(browser, live_server, demo):
    # given
    out = io.StringIO()
    call_command("metrics_compute", "--school", demo.code, "--json", stdout=out)
    metrics = json.loads(out.getvalue())
    # when
    page = log_in(browser, live_server, "demo_admin")
    # then
    for group in ("staff", "students", "parents"):
        shown = page.locator(f"#rate-{group} .rate")
        expected = metrics["activation"][group]
        assert int(shown.get_attribute("data-numerator")) == expected["numerator"], group
        assert int(shown.get_attribute("data-denominator")) == expected["denominator"], group
        assert float(shown.get_attribute("data-rate")) == pytest.approx(expected["rate"], abs=1e-4), group
    page.context.close()


def test_a_teacher_creates_an_invite_link_and_opens_its_qr_sheet(browser, live_server, demo):
    # given
    teacher = User.objects.get(username="demo_teacher")
    led = SchoolClass.objects.filter(class_teacher=teacher.staff).first()
    page = log_in(browser, live_server, "demo_teacher", width=390)  # a phone
    page.goto(f"{live_server.url}{reverse('teacher-class', kwargs={'class_id': led.pk})}")
    # when
    page.fill("#id_parents_url", "https://sferum.ru/?invite=parents-5a-demo")
    page.locator("form:has(#id_parents_url) button[type=submit]").click()
    page.wait_for_load_state("load")
    # then: the link is there, with a short link to share
    short = page.locator("#short-parents").input_value()
    assert "/i/" in short
    screenshot(page, "demo_teacher-class")
    # and the QR sheet shows a QR code for the parents
    page.goto(f"{live_server.url}{reverse('qr-sheet', kwargs={'class_id': led.pk})}")
    assert page.locator("svg").count() >= 1
    assert led.name in page.locator("body").inner_text()
    screenshot(page, "demo_teacher-qr-sheet")
    # and the short link leads to the Sferum link
    response = page.request.get(short, max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == "https://sferum.ru/?invite=parents-5a-demo"
    page.context.close()


def test_a_teacher_reports_a_departure_and_the_administrator_processes_it(browser, live_server, demo):
    # given
    teacher = User.objects.get(username="demo_teacher")
    led = SchoolClass.objects.filter(class_teacher=teacher.staff).first()
    student = led.enrollments.filter(ends_on__isnull=True).select_related("student").first().student
    page = log_in(browser, live_server, "demo_teacher", width=390)
    # when: the teacher reports that the student left
    page.goto(f"{live_server.url}{reverse('roster-change-report', kwargs={'class_id': led.pk})}")
    departure = page.locator("form:has(input[name=kind][value=departure])")
    departure.locator("select[name=departure-student]").select_option(str(student.pk))
    departure.locator("input[name=departure-happened_on]").fill(date(2026, 11, 27).isoformat())
    departure.locator("input[name=departure-reason]").fill("переезд в другой город")
    departure.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    page.context.close()
    change = RosterChange.objects.get(student=student)
    assert change.state == RosterChange.State.REPORTED
    # when: the administrator processes it from the queue
    admin_page = log_in(browser, live_server, "demo_admin")
    admin_page.goto(f"{live_server.url}{reverse('roster-changes', kwargs={'school_id': demo.pk})}")
    assert student.last_name in admin_page.locator("main").inner_text()
    admin_page.check(f"#sferum-{change.pk}")
    admin_page.locator(f"form:has(#sferum-{change.pk}) button[type=submit]").click()
    admin_page.wait_for_load_state("load")
    screenshot(admin_page, "demo_admin-roster-changes")
    admin_page.context.close()
    # then
    change.refresh_from_db()
    assert change.state == RosterChange.State.PROCESSED
    assert change.processed_by.username == "demo_admin"


def test_a_teacher_who_types_another_class_address_gets_no_data(browser, live_server, demo):
    # given
    teacher = User.objects.get(username="demo_teacher")
    mine = {
        school_class.pk
        for school_class in SchoolClass.objects.filter(school=demo)
        if school_class.class_teacher_id == teacher.staff_id
        or school_class.assignments.filter(staff_id=teacher.staff_id).exists()
    }
    other = SchoolClass.objects.filter(school=demo).exclude(pk__in=mine).first()
    someone = other.enrollments.filter(ends_on__isnull=True).select_related("student").first().student
    page = log_in(browser, live_server, "demo_teacher")
    # when / then
    for name in ("teacher-class", "qr-sheet", "roster-change-report"):
        response = page.goto(f"{live_server.url}{reverse(name, kwargs={'class_id': other.pk})}")
        assert response.status == 404, name
        assert someone.last_name not in page.content()
    page.context.close()


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0), test-only


def accessibility_violations(page) -> list[str]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page; return 'rule: target' for each violation."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    return [f"{v['id']}: {node['target']}" for v in result["violations"] for node in v["nodes"]]


def test_the_main_pages_pass_an_accessibility_check_and_ask_no_outside_host(browser, live_server, demo):
    pages = main_pages(demo)
    found, outside = [], []
    for username, paths in pages.items():
        for width in (360, 1280):
            page = log_in(browser, live_server, username, width=width, bypass_csp=True)
            # schools' networks are closed: every request goes to the product's own host
            page.on(
                "request",
                lambda request: (
                    None if request.url.startswith((live_server.url, "data:", "blob:")) else outside.append(request.url)
                ),
            )
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                found += [f"{username} {width}px {path} {v}" for v in accessibility_violations(page)]
                # no page-wide horizontal scrolling on a phone: wide tables scroll inside their wrapper
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    found.append(f"{username} {width}px {path} overflows by {overflow}px")
            page.context.close()
    assert (found, outside) == ([], [])


# Reports every Content-Security-Policy violation of the page into window.__cspViolations (an init script runs
# outside the page's policy).
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " at "
                              + (event.sourceFile || "?") + ":" + event.lineNumber);
});
"""


def csp_watch(page) -> list[str]:
    """Start collecting the page's CSP violations (events and console errors); return the list they go to."""
    found: list[str] = []
    page.context.add_init_script(CSP_WATCH)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url} console: {message.text}")
            if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text)
            else None
        ),
    )
    return found


def csp_violations(page) -> list[str]:
    return [f"{page.url} {item}" for item in page.evaluate("window.__cspViolations || []")]


def test_the_main_pages_work_under_the_content_security_policy(browser, live_server, demo):
    # given
    pages = main_pages(demo)
    pages["demo_admin"].append(reverse("school-classes-export", kwargs={"school_id": demo.pk}) + "?format=html")
    found = []
    for username, paths in pages.items():
        page = log_in(browser, live_server, username)
        found += csp_watch(page)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            # then: the policy is there, nothing is blocked, and the styles are applied
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            found += csp_violations(page)
            background = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent"), f"{path}: app.css is not applied"
        if username == "demo_admin":
            # htmx still swaps the classes table under the policy (no eval, no injected styles)
            page.goto(f"{live_server.url}{pages['demo_admin'][0]}")
            page.locator("#class-filter select").first.select_option(index=1)
            page.wait_for_load_state("networkidle")
            found += csp_violations(page)
            screenshot(page, "demo_admin-dashboard-csp")
        if username == "demo_teacher":
            # the copy button and the print button are shown by static/js/app.js
            page.goto(f"{live_server.url}{pages['demo_teacher'][1]}")
            page.fill("#id_parents_url", "https://sferum.ru/?invite=parents-csp")
            page.locator("form:has(#id_parents_url) button[type=submit]").click()
            page.wait_for_load_state("load")
            assert page.locator("[data-copy=short-parents]").is_visible()
            page.locator("[data-copy=short-parents]").click()
            page.wait_for_function("document.getElementById('short-parents-status').textContent !== ''")
            page.goto(f"{live_server.url}{pages['demo_teacher'][3]}")
            assert page.locator("[data-print]").is_visible()
            found += csp_violations(page)
        page.context.close()
    # the language switch submits on change (it had an inline onchange before)
    page = log_in(browser, live_server, "demo_admin")
    found += csp_watch(page)
    with page.expect_navigation():  # the form submits on change; under load the old page was still read
        page.select_option("#language", "en")
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    found += csp_violations(page)
    page.context.close()
    assert found == []


def test_the_django_admin_works_under_the_content_security_policy(browser, live_server, demo):
    # given
    User.objects.create_superuser(username="root", email="root@example.org", password="sferum-demo")
    school_class = SchoolClass.objects.filter(school=demo).first()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    context.set_default_timeout(15_000)
    page = context.new_page()
    found = csp_watch(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "sferum-demo")
    page.locator("#login-form [type=submit]").click()
    page.wait_for_load_state("load")
    failed: list[str] = []
    # A request the next navigation cancels (select2 searches as it is typed into) is not a failure.
    page.on(
        "requestfailed",
        lambda request: None if "ERR_ABORTED" in (request.failure or "") else failed.append(request.url),
    )
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    # when
    for path in (
        "/admin/",
        "/admin/classes/school/",
        f"/admin/classes/school/{demo.pk}/change/",
        f"/admin/classes/schoolclass/{school_class.pk}/change/",
        "/admin/classes/staffabsence/add/",
        "/admin/reports/reconciliation/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        # then
        assert response.status == 200, path
        found += csp_violations(page)
        assert page.locator("#content").count() == 1, path
    # the autocomplete widget (select2, jQuery) opens and searches under the policy
    page.goto(f"{live_server.url}/admin/classes/schoolclass/{school_class.pk}/change/")
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("а")
    page.wait_for_selector(".select2-results__option")
    found += csp_violations(page)
    # the date widget's calendar opens
    page.goto(f"{live_server.url}/admin/classes/staffabsence/add/")
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()
    found += csp_violations(page)
    # the admin's own styles are applied
    header = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    screenshot(page, "admin-under-csp")
    page.context.close()
    assert (found, failed) == ([], [])
    assert header not in ("rgba(0, 0, 0, 0)", "transparent")

"""Browser tests: Debian's chromium driven by Playwright for Python, against a live server with the demo.

Outside CI they are skipped when /usr/bin/chromium is missing; in CI (CI=true) a missing browser is a
failure. Screenshots of the main pages are saved in test-artifacts/ (not committed).
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from classes.models import RosterChange, School, SchoolClass, User

# Playwright's sync API runs an event loop in the test's thread; the ORM calls here are plain sync calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it).")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo(transactional_db, time_machine, settings) -> School:
    settings.LANGUAGE_CODE = "ru"  # the product's default, as a school sees it
    time_machine.move_to(NOW, tick=True)
    call_command("seed_demo", "--schools", "1", stdout=io.StringIO())
    return School.objects.get(code="DEMO-1")


def log_in(browser, live_server, username: str, *, width: int = 1280):
    """Return a page of a new browser context, logged in through the login form."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ru-RU")
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
    teacher = User.objects.get(username="demo_teacher")
    led = SchoolClass.objects.filter(class_teacher=teacher.staff).first()
    pages = {
        "demo_admin": [
            reverse("school-dashboard", kwargs={"school_id": demo.pk}),
            reverse("class-list", kwargs={"school_id": demo.pk}),
            reverse("chat-registry", kwargs={"school_id": demo.pk}),
            reverse("roster-upload", kwargs={"school_id": demo.pk}),
            reverse("reconciliation", kwargs={"school_id": demo.pk}),
            reverse("roster-changes", kwargs={"school_id": demo.pk}),
        ],
        "demo_teacher": [
            reverse("teacher-home"),
            reverse("teacher-class", kwargs={"class_id": led.pk}),
            reverse("teacher-activity"),
            reverse("qr-sheet", kwargs={"class_id": led.pk}),
        ],
        "demo_municipal": [reverse("municipal-overview")],
    }
    found, outside = [], []
    for username, paths in pages.items():
        for width in (360, 1280):
            page = log_in(browser, live_server, username, width=width)
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

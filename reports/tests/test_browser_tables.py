"""Browser tests of tables that fit (1366 px: every column inside its frame; 390 px: each row a card, every cell on
screen) and of the sync page that updates itself until the run ends. Debian's chromium, the seeded demo.
"""

from __future__ import annotations

from django.urls import reverse

from chats.models import SyncRun
from classes import clock

from . import test_browser as shared
from .demo_pages import main_pages

# The browser, the demo seeded once and its per-test copy are conftest.py's fixtures.
log_in, screenshot, pytestmark = shared.log_in, shared.screenshot, shared.pytestmark

CUT_TABLES = """() => [...document.querySelectorAll('main .table-scroll')]
    .filter(frame => frame.scrollWidth > frame.clientWidth + 1)
    .map(frame => frame.getAttribute('aria-labelledby') || frame.outerHTML.slice(0, 80))"""
CELLS_OFF_SCREEN = """() => [...document.querySelectorAll('main tbody td, main tbody th, main tfoot td')]
    .filter(cell => cell.getClientRects().length)
    .filter(cell => {
        const box = cell.getBoundingClientRect();
        return box.left < -1 || box.right > window.innerWidth + 1;
    })
    .map(cell => cell.closest('table').id + ': ' + cell.textContent.trim().slice(0, 30))"""
ROW_DISPLAYS = """() => [...document.querySelectorAll('main table.data tbody tr')].slice(0, 3)
    .map(row => getComputedStyle(row).display)"""


def test_no_table_is_cut_at_1366_or_390_px(browser, live_server, demo):
    for width, height in ((1366, 768), (390, 844)):
        for username, urls in main_pages(demo).items():
            page = log_in(browser, live_server, username, width=width)
            page.set_viewport_size({"width": width, "height": height})
            for url in urls:
                page.goto(f"{live_server.url}{url}")
                page.wait_for_load_state("load")
                if width == 1366:
                    assert page.evaluate(CUT_TABLES) == [], (width, url)
                else:
                    assert page.evaluate(CELLS_OFF_SCREEN) == [], (width, url)
                    assert set(page.evaluate(ROW_DISPLAYS)) <= {"block"}, (width, url)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, url)
            if username == "demo_admin":
                page.goto(f"{live_server.url}{urls[0]}")
                screenshot(page, f"dashboard-{width}")
            page.context.close()


def test_the_sync_page_updates_itself_to_the_finished_run(browser, live_server, demo):
    # given: a run of the school is going on
    run = SyncRun.objects.create(
        school=demo,
        backend="simulator",
        status=SyncRun.Status.RUNNING,
        started_at=clock.now(),
        chats_total=91,
        chats_done=40,
        messages_read=5000,
    )
    page = log_in(browser, live_server, "demo_admin")
    page.goto(f"{live_server.url}{reverse('sync-list', kwargs={'school_id': demo.pk})}")
    box = page.locator("#sync-progress")
    assert "40 из 91" in box.inner_text()
    # when: the run ends while the page is open
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.OK, counts={"messages": {"added": 123}, "members": {"added": 4, "removed": 0}}
    )
    # then: the box shows the result within a few polls, and stops polling
    page.locator("#sync-progress", has_text="Готово").wait_for(timeout=10_000)
    assert "123" in box.inner_text()
    assert box.get_attribute("hx-trigger") is None
    page.context.close()

"""Fixtures of the browser tests: Debian's chromium and the demo, seeded once per test process, restored before each
test (so a test that writes never sees another's writes). Between tests the database is flushed as usual
(`transactional_db`), so the demo never reaches a test that does not ask for it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test import override_settings
from django.test.testcases import LiveServerThread
from time_machine import travel

from classes.models import School

from .browser_support import CHROMIUM
from .browser_support import CHROMIUM_ARGS
from .browser_support import IN_CI
from .browser_support import NOW
from .database_copy import DatabaseCopy


class SerialWSGIServer(WSGIServer):
    """The live server without a thread per request: one request at a time, each on a closed connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        # The live server's thread already uses the overridden connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def serial_live_server_on_sqlite():
    """On SQLite, serve the browser tests' requests one at a time.

    The live server's threads share the test's in-memory SQLite connection. Two requests at once (the
    dashboard and its panels) deadlocked: one thread held SQLite's connection mutex inside a query that
    called one of Django's Python functions and waited for the GIL, while the other held the GIL and waited
    for the mutex (py-spy, 4 December). PostgreSQL gives each thread its own connection: it keeps the threads.
    """
    if connection.vendor != "sqlite":
        yield
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = SerialWSGIServer
    yield
    LiveServerThread.server_class = threaded


@pytest.fixture(scope="session")
def chromium():
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
def browser(chromium, transactional_db):
    """The session's chromium for one test: every page the test opened is closed when it ends (before its database
    is emptied), so no page still polling the server reaches the next test."""
    yield chromium
    for context in chromium.contexts:
        context.close()


@pytest.fixture(scope="session")
def seeded_demo(django_db_setup, django_db_blocker) -> Iterator[DatabaseCopy]:
    """Seed the demo once for the test process (in Russian, on the tests' Monday) and keep a copy of the database."""
    with django_db_blocker.unblock():
        with override_settings(LANGUAGE_CODE="ru"), travel(NOW, tick=True):
            call_command("seed_demo", "--schools", "1", stdout=io.StringIO())
        seeded = DatabaseCopy()
    yield seeded
    with django_db_blocker.unblock():
        seeded.close()
        call_command("flush", interactive=False, verbosity=0)  # the demo never outlives the browser tests
        connection.close()  # opened outside any test: nothing else would close it before the test database goes


@pytest.fixture
def demo(seeded_demo, transactional_db, time_machine, settings) -> School:
    """Give each test the freshly seeded demo: the copy is put back, so no test sees another's writes."""
    settings.LANGUAGE_CODE = "ru"  # the product's default, as a school sees it
    time_machine.move_to(NOW, tick=True)
    seeded_demo.restore()
    return School.objects.get(code="DEMO-1")

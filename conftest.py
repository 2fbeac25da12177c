"""Project-wide pytest fixtures: the clock, English, an empty cache."""

from datetime import datetime

import pytest


def pytest_collection_modifyitems(items):
    """Pin the clock before any other fixture runs for every test marked `clock`."""
    for item in items:
        if item.get_closest_marker("clock"):
            if "clock" in item.fixturenames:
                item.fixturenames.remove("clock")
            item.fixturenames.insert(0, "clock")


@pytest.fixture
def clock(request, time_machine):
    """Stop the clock at the moment of the nearest `@pytest.mark.clock(moment)` (a module's `pytestmark` or the
    test's own); return the time machine, whose `move_to(moment, tick=False)` and `shift(delta)` move it on.

    The moment is an aware datetime or an ISO 8601 string with its offset, e.g. "2026-11-30T12:00:00+03:00".
    """
    marker = request.node.get_closest_marker("clock")
    if marker is None or len(marker.args) != 1:
        pytest.fail("Mark the test or its module with @pytest.mark.clock(moment) to use the clock fixture.")
    moment = marker.args[0]
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    time_machine.move_to(moment, tick=False)
    return time_machine


@pytest.fixture
def english():
    """Translate into English outside requests too (services' and commands' messages): `usefixtures("english")`."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Start and end every test with an empty cache: login throttling counts in it (settings.test: local memory)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

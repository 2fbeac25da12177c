"""Project-wide pytest fixtures."""

import pytest
import time_machine


@pytest.fixture
def web_now():
    """Pin the clock at the web tests' moment (reports.tests.web_data.NOW)."""
    from reports.tests.web_data import NOW

    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Start and end every test with an empty cache: login throttling counts in it (settings.test: local memory)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

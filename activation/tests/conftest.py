"""Fixtures of the activation tests: the world of activation.tests.scenario (the clock: `pytest.mark.clock(NOW)`)."""

import pytest

from activation.tests.scenario import World
from activation.tests.scenario import world_build


@pytest.fixture
def world() -> World:
    return world_build()

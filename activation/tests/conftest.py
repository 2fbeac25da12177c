"""Fixtures of the activation tests: the world of activation.tests.scenario (the clock: `pytest.mark.clock(NOW)`)."""

import pytest

from activation.tests.scenario import World, world_build


@pytest.fixture
def world() -> World:
    return world_build()

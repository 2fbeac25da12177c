"""Fixtures of the activation tests: the world of activation.tests.world (the clock: `pytest.mark.clock(NOW)`)."""

import pytest

from activation.tests.world import World, world_build


@pytest.fixture
def world() -> World:
    return world_build()

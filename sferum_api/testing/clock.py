"""A virtual clock for pacing and backoff tests: time moves only when someone sleeps on it."""

from __future__ import annotations


class FakeClock:
    """Pass `clock.monotonic` and `clock.sleep` to a backend; read `sleeps` / `slept` afterwards."""

    def __init__(self, start: float = 1_000.0):
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Let time pass without anyone sleeping (work done between requests)."""
        self.now += seconds

    @property
    def slept(self) -> float:
        return sum(self.sleeps)

"""Exact rates: a numerator over a denominator, compared with a target without floats (every app's pages use them)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

RATE_PLACES = Decimal("0.0001")
T = TypeVar("T")


def sorted_missing_last(rows: Iterable[T], key: Callable[[T], tuple], *, descending: bool = False) -> list[T]:
    """Return the rows sorted by `key(row)` = (missing, value, …), those without a value last in either direction.

    A table sorted by a rate, high to low or low to high, ends with its "no data" rows: no data is neither the
    best nor the worst figure. The sort is stable.
    """
    keyed = [(key(row), row) for row in rows]
    present = sorted((item for item in keyed if not item[0][0]), key=lambda item: item[0][1:], reverse=descending)
    return [row for _, row in present] + [row for flags, row in keyed if flags[0]]


@dataclass(frozen=True)
class Rate:
    """A rate such as activated / enrolled; an empty denominator means "no data", not 0% or 100%."""

    numerator: int
    denominator: int
    target: Decimal | None = None

    def __add__(self, other: Rate) -> Rate:
        """Return the sum of numerators over the sum of denominators (never a mean of rates)."""
        return Rate(self.numerator + other.numerator, self.denominator + other.denominator, self.target)

    def with_target(self, target: Decimal | None) -> Rate:
        return Rate(self.numerator, self.denominator, target)

    @property
    def exact(self) -> Fraction | None:
        """Return the exact rate, or None when the denominator is 0."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def sort_key(self) -> tuple[bool, Fraction | int]:
        """Return a key (missing, rate) for `sorted_missing_last`: "no data" after every rate in either direction."""
        return (self.exact is None, self.exact or 0)

    def change_since(self, before: Rate | None) -> Fraction | None:
        """Return this rate minus the earlier one (an exact fraction), or None unless both have data."""
        if before is None or before.exact is None or self.exact is None:
            return None
        return self.exact - before.exact

    @property
    def passes(self) -> bool | None:
        """Return whether numerator ≥ target × denominator exactly; None without data or target."""
        if not self.denominator or self.target is None:
            return None
        return Fraction(self.numerator) >= Fraction(self.target) * self.denominator

    @property
    def rounded(self) -> float | None:
        """Return the rate rounded half up to 4 places, for output only; None when the denominator is 0."""
        if not self.denominator:
            return None
        return float((Decimal(self.numerator) / Decimal(self.denominator)).quantize(RATE_PLACES, ROUND_HALF_UP))

    def as_json(self, *, target: bool = False, passes: bool = True) -> dict:
        """Return {"numerator", "denominator", "rate"[, "target"][, "passes"]} as the CLI prints it."""
        data: dict = {"numerator": self.numerator, "denominator": self.denominator, "rate": self.rounded}
        if target:
            data["target"] = float(self.target) if self.target is not None else None
        if passes:
            data["passes"] = self.passes
        return data

"""Releasing a safety hold (a roster import or a sync that would remove many people) is a deliberate act.

The one rule for both holds: when the release would remove more than half of the people, the administrator
types the number of people to be removed; a wrong number releases nothing.
"""

from __future__ import annotations

from fractions import Fraction

TYPED_COUNT_SHARE = Fraction(1, 2)


def removals_need_typed_count(*, removals: int, current: int) -> bool:
    """Return True when removing `removals` of `current` people is more than half of them (the count is typed)."""
    return removals > 0 and removals > TYPED_COUNT_SHARE * current


def hold_release_allowed(*, removals: int, current: int, typed: int | None) -> bool:
    """Return True when a confirmed hold may be released: no typing needed, or the typed number is `removals`."""
    return not removals_need_typed_count(removals=removals, current=current) or typed == removals

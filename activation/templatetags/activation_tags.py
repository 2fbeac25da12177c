"""Template filters of the activation pages."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from django import template

register = template.Library()


@register.filter
def percent_floor(rate) -> Decimal | None:
    """Return the rate in percent cut (not rounded) to one decimal, so 89.96 % never shows as 90.0 %.

    Takes anything with `numerator` and `denominator`; None when the denominator is 0 ("no data").
    """
    if rate is None or not rate.denominator:
        return None
    value = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return value.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)


@register.filter
def target_percent(target) -> Decimal | None:
    """Return a target like Decimal("0.9") in percent, without trailing zeros (90)."""
    if target is None:
        return None
    value = (Decimal(target) * 100).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value

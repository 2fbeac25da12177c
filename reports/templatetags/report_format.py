"""Template filters and tags of the dashboards: rates in percent and in words, sortable headers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.exports.tables import teacher_status_label
from reports.rates import Rate

register = template.Library()


def _percent_text(value: Fraction) -> str:
    shown = (Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return number_format(shown, 2)


@register.filter
def percent(value: Rate | Fraction | None) -> str:
    """Return a rate as a percentage with two decimals («89,66 %»), «—» without data."""
    exact = value.exact if isinstance(value, Rate) else value
    if exact is None:
        return "—"
    return f"{_percent_text(Fraction(exact))}\u00a0%"


@register.filter
def target_percent(value) -> str:
    """Return a target as a percentage without needless decimals («90 %», «87,5 %»)."""
    if value is None:
        return "—"
    shown = (Decimal(value) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
    return f"{number_format(shown, max(0, -shown.as_tuple().exponent))}\u00a0%"


@register.filter
def rate_value(value: Rate | None) -> str:
    """Return the rate rounded to 4 places as `metrics_compute --json` prints it (for data attributes)."""
    if value is None or value.rounded is None:
        return ""
    return f"{value.rounded:.4f}"


@register.filter
def points(value: Fraction | None) -> str:
    """Return a change of a rate in percentage points («+1,25 p.p.»), «—» when unknown."""
    if value is None:
        return "—"
    text = _percent_text(Fraction(value))
    sign = "+" if value > 0 else ""
    return _("%(sign)s%(value)s p.p.") % {"sign": sign, "value": text}


@register.filter
def rate_state(value: Rate) -> str:
    """Return the CSS state of a rate: pass, fail or nodata."""
    if value.passes is None:
        return "nodata"
    return "pass" if value.passes else "fail"


@register.filter
def teacher_status(value) -> str:
    """Return a teacher's weekly status in words."""
    return teacher_status_label(value)


@register.inclusion_tag("reports/includes/rate.html")
def rate_figure(rate: Rate, label: str = "", change=None, show_change: bool = False, failing: int = 0) -> dict:
    """Render a rate: the percentage, pass or fail in words and colour, and the numbers behind it.

    `failing`: how many classes fail the target the rate passes; then the verdict says the total passes but
    not green, since the target holds per class.
    """
    return {"rate": rate, "label": label, "change": change, "show_change": show_change, "failing": failing}


@register.filter
def card_state(rate: Rate, failing: int = 0) -> str:
    """Return the CSS state of a rate's card: pass, fail, nodata, or warn when it passes while classes fail."""
    state = rate_state(rate)
    return "warn" if state == "pass" and failing else state


@register.inclusion_tag("reports/includes/sort_th.html", takes_context=True)
def sort_header(context, key: str, label: str, target: str = "", css: str = "") -> dict:
    """Render a sortable <th>: a link that sorts by the column, then reverses; aria-sort tells the order."""
    request = context["request"]
    current = request.GET.get("sort", "")
    if current == key:
        state, following = "ascending", f"-{key}"
    elif current == f"-{key}":
        state, following = "descending", key
    else:
        state, following = "", key
    query = request.GET.copy()
    query["sort"] = following
    query.pop("page", None)
    return {
        "label": label,
        "state": state,
        "url": f"{request.path}?{query.urlencode()}",
        "target": target,
        "css": css,
    }

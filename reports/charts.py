"""Server-rendered SVG charts: accessible (a <title>, a <desc> listing the values, text labels) and printable.

No JavaScript and no outside request: each function returns a self-contained <svg> as a SafeString that a
template inserts as it is. Series differ by dash pattern and marker shape as well as by colour, so a chart
printed in black and white, or read by someone who does not tell the colours apart, still says which is
which. Values are fractions (0–1) for rates or plain counts; None is "no data" and leaves a gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# Colour, dash pattern and marker of the 1st, 2nd, … series (colours keep 4.5:1 contrast on white).
STYLES = [
    ("#0b57d0", "", "circle"),
    ("#a14a00", "6 3", "square"),
    ("#146c2e", "2 3", "triangle"),
    ("#6a1b9a", "8 3 2 3", "diamond"),
]
MUTED = "#5f6368"
GRID = "#d5d9e0"
NO_DATA = "—"


@dataclass(frozen=True)
class Series:
    """One line of a chart: a label and one value per x label (None: no data)."""

    label: str
    values: Sequence[float | int | None]


def value_text(value: float | int | None, *, percent: bool) -> str:
    """Return a value as the charts write it: «89,66 %» for a rate, «5» for a count, «—» for no data."""
    if value is None:
        return NO_DATA
    if percent:
        shown = (Decimal(str(value)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{number_format(shown, 2)}\u00a0%"
    return number_format(value, 0 if float(value).is_integer() else 1)


def axis_text(value: float | int, *, percent: bool) -> str:
    """Return an axis or target value without needless decimals: «100 %», «87,5 %», «40»."""
    if percent:
        shown = (Decimal(str(value)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
        return f"{number_format(shown, max(0, -shown.as_tuple().exponent))}\u00a0%"
    return number_format(round(value), 0)


def text_width(text: str, font_size: int) -> float:
    """Return a generous estimate of a text's width in the chart's sans-serif font, in pixels."""
    return len(text) * font_size * 0.62


def _x_label_indexes(labels: Sequence[str], plot_w: float, font_size: int) -> list[int]:
    """Return the indexes of the x labels to write: evenly spaced, the last always, none overlapping another."""
    count = len(labels)
    if count == 0:
        return []
    if count == 1:
        return [0]
    spacing = plot_w / (count - 1)
    widest = max(text_width(label, font_size) for label in labels) + 8
    every = max(1, -(-int(widest) // max(1, int(spacing))))
    shown = list(range(0, count, every))
    last = count - 1
    # The last label is right-aligned at its point; drop a neighbour that would run into it.
    while shown and shown[-1] != last and (last - shown[-1]) * spacing < widest:
        shown.pop()
    if not shown or shown[-1] != last:
        shown.append(last)
    return shown


def _id(kind: str, *parts: object) -> str:
    digest = hashlib.sha1(repr((kind, *parts)).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _open(*, chart_id: str, title: str, description: str, width: int, height: int, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]


def _marker(shape: str, x: float, y: float, colour: str, label: str) -> str:
    tip = f"<title>{escape(label)}</title>"
    if shape == "square":
        return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}">{tip}</rect>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 3.5:.1f} {x - 4.5:.1f},{y + 3.5:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{tip}</polygon>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{tip}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{tip}</circle>'


def _series_description(series: Sequence[Series], x_labels: Sequence[str], *, percent: bool) -> str:
    parts = []
    for one in series:
        values = ", ".join(
            f"{label}: {value_text(value, percent=percent)}" for label, value in zip(x_labels, one.values, strict=False)
        )
        parts.append(f"{one.label} — {values}." if values else f"{one.label} — {_('no data')}.")
    return " ".join(parts)


def _nice_max(values: Sequence[float | int | None], floor: float) -> float:
    top = max([floor, *(v for v in values if v is not None)])
    if top <= 5:
        return max(top, 1)
    step = 10 ** (len(str(int(top))) - 1)
    return float(-(-top // step) * step)


def line_chart(
    *,
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    x_titles: Sequence[str] | None = None,
    percent: bool = True,
    target: float | None = None,
    target_label: str = "",
    description: str = "",
    width: int = 560,
    height: int = 230,
) -> SafeString:
    """Return a line chart of one or more series over the x labels (weeks or days), with axis labels and legend.

    Rates are drawn on a 0–100 % axis; counts on an axis up to a round maximum. A target draws a dashed
    horizontal line labelled in text. The <desc> lists every value, so the chart reads out in full; it and the
    markers' tips name the points by `x_titles` (the axis's short labels spelt out) when given. Axis labels
    are never cut: labels that would overlap are thinned out, the last one is always written.
    """
    titles = list(x_titles) if x_titles is not None else list(x_labels)
    chart_id = _id("line", title, tuple(x_labels), tuple((s.label, tuple(s.values)) for s in series))
    left, right, top, bottom = 64, 28, 14, 44
    legend_height = 20 * len(series)
    plot_w, plot_h = width - left - right, height - top - bottom
    total_h = height + legend_height
    y_max = 1.0 if percent else _nice_max([v for s in series for v in s.values], 4)
    text = description or _series_description(series, titles, percent=percent)
    if target is not None:
        text += " " + _("Target: %(target)s.") % {"target": axis_text(target, percent=percent)}
    out = _open(chart_id=chart_id, title=title, description=text, width=width, height=total_h, css_class="line-chart")

    def y_of(value: float) -> float:
        return top + plot_h - (float(value) / y_max) * plot_h

    def x_of(index: int) -> float:
        if len(x_labels) <= 1:
            return left + plot_w / 2
        return left + index * plot_w / (len(x_labels) - 1)

    out.append('<g class="chart-grid" aria-hidden="true">')
    for step in range(5):
        value = y_max * step / 4
        y = y_of(value)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        label = axis_text(value, percent=percent)
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    for index in _x_label_indexes(x_labels, plot_w, 13):
        label = x_labels[index]
        anchor = "end" if index == len(x_labels) - 1 and len(x_labels) > 1 else "middle"
        out.append(
            f'<text x="{x_of(index):.1f}" y="{top + plot_h + 20}" text-anchor="{anchor}" font-size="13" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
    out.append("</g>")
    if target is not None:
        y = y_of(target)
        out.append(
            f'<g class="chart-target"><line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#3c4043" stroke-width="1.5" stroke-dasharray="4 4"/>'
            f'<text x="{left + plot_w}" y="{y - 4:.1f}" text-anchor="end" font-size="13" fill="#3c4043">'
            f"{escape(target_label or _('target'))} {escape(axis_text(target, percent=percent))}</text></g>"
        )
    for number, one in enumerate(series):
        colour, dash, shape = STYLES[number % len(STYLES)]
        out.append(f'<g class="chart-series chart-series-{number + 1}">')
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(one.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((x_of(index), y_of(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for index, value in enumerate(one.values):
            if value is None:
                continue
            label = f"{one.label}, {titles[index]}: {value_text(value, percent=percent)}"
            out.append(_marker(shape, x_of(index), y_of(value), colour, label))
        out.append("</g>")
    out.append('<g class="chart-legend">')
    for number, one in enumerate(series):
        colour, dash, shape = STYLES[number % len(STYLES)]
        y = height + 20 * number + 4
        last = next((v for v in reversed(one.values) if v is not None), None)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{left}" x2="{left + 28}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        out.append(_marker(shape, left + 14, y, colour, one.label))
        latest = _("latest: %(value)s") % {"value": value_text(last, percent=percent)}
        out.append(
            f'<text x="{left + 36}" y="{y + 5}" font-size="14" fill="#1a1a1a">'
            f"{escape(one.label)} ({escape(latest)})</text>"
        )
    out.append("</g></svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text is escaped above


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | int | None],
    percent: bool = True,
    target: float | None = None,
    target_label: str = "",
    description: str = "",
    width: int = 400,
    bar_height: int = 28,
) -> SafeString:
    """Return a horizontal bar chart, one labelled bar per item, the value written at the end of each bar.

    Bars below the target are hatched as well as coloured differently, so they stand out in print too.
    """
    chart_id = _id("bar", title, tuple(labels), tuple(values))
    value_w, top = 84, 8
    # The label column fits the longest label (never cut); the chart widens by what the column gains.
    label_w = max(156, int(max((text_width(label, 14) for label in labels), default=0)) + 16)
    width += label_w - 156
    plot_w = width - label_w - value_w
    height = top + bar_height * len(labels) + 30
    x_max = 1.0 if percent else _nice_max(values, 4)
    text = description or _series_description([Series(title, values)], labels, percent=percent)
    if target is not None:
        text += " " + _("Target: %(target)s.") % {"target": axis_text(target, percent=percent)}
    out = _open(chart_id=chart_id, title=title, description=text, width=width, height=height, css_class="bar-chart")
    hatch = f"{chart_id}-below"
    out.append(
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6d2ce"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#b3261e" stroke-width="2"/></pattern></defs>'
    )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * bar_height
        shown = escape(label)
        out.append(
            f'<text x="{label_w - 8}" y="{y + bar_height / 2 + 4:.1f}" text-anchor="end" font-size="14" '
            f'fill="#1a1a1a">{shown}</text>'
        )
        if value is None:
            out.append(
                f'<text x="{label_w + 4}" y="{y + bar_height / 2 + 4:.1f}" font-size="14" fill="{MUTED}">'
                f"{escape(_('no data'))}</text>"
            )
            continue
        below = target is not None and value < target
        bar_w = max(1.0, plot_w * float(value) / x_max)
        fill = f"url(#{hatch})" if below else "#0b57d0"
        tip = f"{label}: {value_text(value, percent=percent)}"
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w:.1f}" height="{bar_height - 6}" fill="{fill}" '
            f'stroke="{"#b3261e" if below else "#0b57d0"}"><title>{escape(tip)}</title></rect>'
        )
        out.append(
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + bar_height / 2 + 4:.1f}" font-size="14" fill="#1a1a1a">'
            f"{escape(value_text(value, percent=percent))}</text>"
        )
    axis_y = top + bar_height * len(labels)
    out.append(f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{axis_y}" stroke="{MUTED}" aria-hidden="true"/>')
    if target is not None:
        x = label_w + plot_w * float(target) / x_max
        out.append(
            f'<g class="chart-target"><line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}" stroke="#3c4043" '
            f'stroke-width="1.5" stroke-dasharray="4 4"/><text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" '
            f'font-size="13" fill="#3c4043">{escape(target_label or _("target"))} '
            f"{escape(axis_text(target, percent=percent))}</text></g>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text is escaped above


def sparkline(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[int | None],
    threshold: int | None = None,
    width: int = 120,
    height: int = 32,
) -> SafeString:
    """Return a small bar sparkline of weekly counts (a bar per week), the threshold as a dotted line.

    Weeks below the threshold are hatched red-outlined bars; a week without data shows a short grey tick.
    The <desc> lists every week's count, so the picture is never the only place the numbers are.
    """
    chart_id = _id("spark", title, tuple(labels), tuple(values))
    count = max(1, len(values))
    gap = 2
    bar_w = (width - gap * (count - 1)) / count
    top_value = max([threshold or 0, *(v for v in values if v is not None), 1])
    pairs = [f"{label}: {value_text(value, percent=False)}" for label, value in zip(labels, values, strict=True)]
    text = ", ".join(pairs) + "."
    if threshold is not None:
        text += " " + _("Threshold: %(threshold)s.") % {"threshold": threshold}
    out = _open(chart_id=chart_id, title=title, description=text, width=width, height=height, css_class="sparkline")
    hatch = f"{chart_id}-below"
    out.append(
        f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="4" height="4" fill="#fbe3e0"/>'
        f'<line x1="0" y1="0" x2="0" y2="4" stroke="#b3261e" stroke-width="1.5"/></pattern></defs>'
    )
    for index, value in enumerate(values):
        x = index * (bar_w + gap)
        tip = f"<title>{escape(pairs[index])}</title>"
        if value is None:
            out.append(f'<rect x="{x:.1f}" y="{height - 2}" width="{bar_w:.1f}" height="2" fill="{GRID}">{tip}</rect>')
            continue
        bar_h = max(1.5, (height - 2) * value / top_value)
        below = threshold is not None and value < threshold
        fill, stroke = (f"url(#{hatch})", "#b3261e") if below else ("#0b57d0", "#0b57d0")
        out.append(
            f'<rect x="{x:.1f}" y="{height - bar_h:.1f}" width="{bar_w:.1f}" height="{bar_h:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="0.75">{tip}</rect>'
        )
    if threshold is not None:
        y = height - (height - 2) * threshold / top_value
        out.append(
            f'<line x1="0" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#3c4043" stroke-width="1" '
            f'stroke-dasharray="2 2" aria-hidden="true"/>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text is escaped above

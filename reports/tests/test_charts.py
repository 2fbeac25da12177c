"""The SVG charts: well-formed, accessible (title, desc with every value, text labels), escaped, printable."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from reports.charts import Series
from reports.charts import bar_chart
from reports.charts import line_chart
from reports.charts import sparkline
from reports.charts import value_text

SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.usefixtures("english")


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def test_a_line_chart_is_labelled_and_describes_every_value():
    # given
    series = [Series("Students", [0.5, None, 0.8966]), Series("Parents", [0.4, 0.45, 0.9])]
    # when
    root = parse(line_chart(title="Activation", x_labels=["W45", "W46", "W47"], series=series, target=0.9))
    # then
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Activation"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert "Students — W45: 50.00\u00a0%, W46: —, W47: 89.66\u00a0%." in desc.text
    assert "Target: 90\u00a0%." in desc.text
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "W46" in texts and "100\u00a0%" in texts
    assert any("Students (latest: 89.66\u00a0%)" in (text or "") for text in texts)


def test_series_differ_by_dash_and_marker_not_only_by_colour():
    # given
    series = [Series("A", [0.1, 0.2]), Series("B", [0.3, 0.4])]
    # when
    root = parse(line_chart(title="Two", x_labels=["1", "2"], series=series))
    # then
    lines = [line for line in root.iter(f"{SVG}polyline")]
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray") == "6 3"
    assert root.find(f".//{SVG}g[@class='chart-series chart-series-1']/{SVG}circle") is not None
    assert root.find(f".//{SVG}g[@class='chart-series chart-series-2']/{SVG}rect") is not None


def test_a_gap_breaks_the_line():
    # when
    root = parse(line_chart(title="Gap", x_labels=list("abcde"), series=[Series("S", [0.1, 0.2, None, 0.3, 0.4])]))
    # then
    assert len(list(root.iter(f"{SVG}polyline"))) == 2


def test_counts_get_a_round_axis():
    # when
    root = parse(line_chart(title="Counts", x_labels=["a", "b"], series=[Series("S", [3, 27])], percent=False))
    # then
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "30" in texts and "S (latest: 27)" in texts


def test_text_is_escaped():
    # given
    title = '<script>alert("x")</script> & co'
    # when
    svg = str(bar_chart(title=title, labels=["<b>Школа</b>"], values=[0.5]))
    # then
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == title


def test_a_bar_chart_hatches_the_bars_below_target_and_writes_every_value():
    # when
    root = parse(bar_chart(title="Parents", labels=["A", "B", "C"], values=[0.95, 0.5, None], target=0.9))
    # then
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert rects[0].get("fill") == "#0b57d0"
    assert rects[1].get("fill").startswith("url(#")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "95.00\u00a0%" in texts and "50.00\u00a0%" in texts and "no data" in texts
    assert "A: 95.00\u00a0%, B: 50.00\u00a0%, C: —." in root.find(f"{SVG}desc").text


def test_a_sparkline_lists_each_week_and_marks_the_threshold():
    # when
    svg = sparkline(title="Ivanova", labels=["W45", "W46", "W47"], values=[5, None, 1], threshold=3)
    root = parse(svg)
    # then
    assert root.find(f"{SVG}desc").text == "W45: 5, W46: —, W47: 1. Threshold: 3."
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["W45: 5", "W46: —", "W47: 1"]
    assert bars[2].get("fill").startswith("url(#") and bars[0].get("fill") == "#0b57d0"
    assert root.find(f"{SVG}line").get("stroke-dasharray") == "2 2"


def test_ids_are_stable_and_distinct_per_chart():
    # when
    first = parse(sparkline(title="A", labels=["1"], values=[1]))
    again = parse(sparkline(title="A", labels=["1"], values=[1]))
    other = parse(sparkline(title="B", labels=["1"], values=[1]))
    # then
    assert first.find(f"{SVG}title").get("id") == again.find(f"{SVG}title").get("id")
    assert first.find(f"{SVG}title").get("id") != other.find(f"{SVG}title").get("id")


def test_value_text_in_russian_uses_a_comma():
    with translation.override("ru"):
        assert value_text(0.8966, percent=True) == "89,66\u00a0%"
    assert value_text(None, percent=True) == "—"


def test_axis_labels_are_whole_percentages_in_russian():
    # when
    with translation.override("ru"):
        root = parse(line_chart(title="Доля", x_labels=["a", "b"], series=[Series("S", [0.5, 0.9])], target=0.9))
    # then
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert {"100\u00a0%", "75\u00a0%", "50\u00a0%", "25\u00a0%", "0\u00a0%"} <= set(texts)
    assert not any("00\u00a0%" in text and "," in text for text in texts if text and text.endswith("%"))
    assert "цель 90\u00a0%" in " ".join(t for t in texts if t)


def test_week_axis_labels_never_overlap_and_the_last_is_written():
    # given: eight long week labels, more than the axis has room for
    labels = [f"{day}.11–{day + 6}.12" for day in range(1, 9)]
    # when
    root = parse(line_chart(title="Weeks", x_labels=labels, series=[Series("S", [0.5] * 8)]))
    # then
    axis = [t for t in root.iter(f"{SVG}text") if t.text in labels]
    assert axis[-1].text == labels[-1] and axis[0].text == labels[0]
    xs = [float(t.get("x")) for t in axis]
    widths = [len(t.text) * 13 * 0.62 for t in axis]
    # centred labels, the last right-aligned: no two of them share a pixel
    rights = [x + w / 2 for x, w in zip(xs[:-1], widths[:-1], strict=True)] + [xs[-1]]
    lefts = [x - w / 2 for x, w in zip(xs[:-1], widths[:-1], strict=True)] + [xs[-1] - widths[-1]]
    assert all(rights[i] < lefts[i + 1] for i in range(len(axis) - 1))


def test_the_points_are_described_by_their_full_titles():
    # when
    root = parse(line_chart(title="T", x_labels=["23–29.11"], x_titles=["23–29 November"], series=[Series("S", [0.5])]))
    # then
    assert "S — 23–29 November: 50.00\u00a0%." in root.find(f"{SVG}desc").text


def test_a_bar_chart_never_cuts_a_label():
    # given
    name = "Средняя общеобразовательная школа № 12 имени А. С. Пушкина"
    # when
    root = parse(bar_chart(title="Parents", labels=[name, "B"], values=[0.95, 0.5]))
    # then
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert name in texts and not any("…" in (text or "") for text in texts)
    label = next(t for t in root.iter(f"{SVG}text") if t.text == name)
    assert float(label.get("x")) >= len(name) * 14 * 0.62

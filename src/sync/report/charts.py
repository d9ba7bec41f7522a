"""The report's charts as inline SVG, drawn in Python: nothing to fetch when the page opens, no script.

Why not a chart library: the report needs four plain chart shapes; an inlined JS library would be larger
than the whole report, and pygal/matplotlib would add a heavy dependency (and pygal's tooltips fetch a
script from a CDN unless turned off). The elements are built with ElementTree, so every label and tooltip
is escaped by construction.

Every chart is a `<figure class="chart" data-chart=ID>`; each drawn data point (a bar, a point on a line)
has class `mark` and a `<title>` tooltip. A chart whose values are all null (or that has no categories)
is a `<figure class="chart no-data">` that says "no data" instead of an empty frame.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from sync.report.axis import Scale, axis_label, nice_ticks, present, value_label

PALETTE = ("#3468b0", "#e3892b", "#3f9a68", "#c8453b", "#8763b3", "#7b7b7b")
WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 34
MAX_X_LABELS = 12
CHAR_WIDTH = 6.0
"""Roughly, in pixels, at the 11 px label font: enough to keep labels from overlapping."""


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category; None where the value is undefined."""

    name: str
    values: Sequence[float | None]


def column_chart(
    chart_id: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str,
    stacked: bool = False,
) -> Markup:
    """Vertical bars per category: side by side per series, or stacked (positives up, negatives down)."""
    if not categories or not any(present(s.values) for s in series):
        return no_data(chart_id, title)
    low, high = _extent(series, stacked)
    svg, y = _frame(low, high, unit)
    band = (WIDTH - LEFT - RIGHT) / len(categories)
    width = band * 0.78 / (1 if stacked else len(series))
    for i, category in enumerate(categories):
        up = down = 0.0
        for j, one in enumerate(series):
            value = one.values[i]
            if value is None:
                continue
            base = (up if value >= 0 else down) if stacked else 0.0
            x = LEFT + band * i + band * 0.11 + (0 if stacked else j * width)
            top, bottom = sorted((y(base), y(base + value)))
            _mark(
                svg,
                "rect",
                f"{category} · {one.name}: {value_label(value, unit)}",
                PALETTE[j % len(PALETTE)],
                x=x,
                y=top,
                width=width,
                height=bottom - top,
            )
            if stacked:
                up, down = (up + value, down) if value >= 0 else (up, down + value)
    _x_labels(svg, categories, band)
    return _figure(chart_id, title, svg, [s.name for s in series] if len(series) > 1 else [])


def line_chart(
    chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series], *, unit: str
) -> Markup:
    """Lines over categories, broken where a value is null, with a point (the mark) at every value."""
    if not categories or not any(present(s.values) for s in series):
        return no_data(chart_id, title)
    low, high = _extent(series, stacked=False)
    svg, y = _frame(low, high, unit)
    band = (WIDTH - LEFT - RIGHT) / len(categories)
    for j, one in enumerate(series):
        color = PALETTE[j % len(PALETTE)]
        segment: list[str] = []
        for i, value in enumerate([*one.values, None]):
            if value is None:
                if len(segment) > 1:
                    ET.SubElement(
                        svg,
                        "polyline",
                        {"points": " ".join(segment), "fill": "none", "stroke": color, "stroke-width": "2"},
                    )
                segment = []
                continue
            cx, cy = LEFT + band * (i + 0.5), y(value)
            segment.append(f"{cx:.1f},{cy:.1f}")
            _mark(
                svg,
                "circle",
                f"{categories[i]} · {one.name}: {value_label(value, unit)}",
                color,
                cx=cx,
                cy=cy,
                r=3.5,
            )
    _x_labels(svg, categories, band)
    return _figure(chart_id, title, svg, [s.name for s in series] if len(series) > 1 else [])


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    unit: str,
    reference: float | None = None,
) -> Markup:
    """Horizontal bars, one row per label (reps, stages); a null value is written out, not drawn as 0.

    `reference` draws a dashed line at that value (quota attainment: 100%).
    """
    if not labels or not present(values):
        return no_data(chart_id, title)
    label_width, row = 170, 22
    height = TOP + BOTTOM + row * len(labels)
    shown = present(values) + ([reference] if reference is not None else [])
    ticks = nice_ticks(min(shown), max(shown))
    x = Scale(ticks[0], ticks[-1], label_width, WIDTH - RIGHT - 60)
    svg = _svg(height)
    for tick in ticks:
        _line(svg, x(tick), x(tick), TOP, height - BOTTOM, "grid")
        _text(svg, axis_label(tick, unit), x(tick), height - BOTTOM + 16, anchor="middle")
    if reference is not None:
        _line(svg, x(reference), x(reference), TOP, height - BOTTOM, "reference")
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        top = TOP + row * i
        _text(svg, _shorten(label, 26), label_width - 8, top + row * 0.68, anchor="end")
        if value is None:
            _text(svg, "no value", x(0) + 6, top + row * 0.68, anchor="start", css="muted")
            continue
        left, right = sorted((x(0), x(value)))
        _mark(
            svg,
            "rect",
            f"{label}: {value_label(value, unit)}",
            PALETTE[0],
            x=left,
            y=top + 3,
            width=right - left,
            height=row - 6,
        )
        _text(svg, value_label(value, unit), right + 4, top + row * 0.68, anchor="start")
    return _figure(chart_id, title, svg, [])


def no_data(chart_id: str, title: str) -> Markup:
    """The figure of a chart with nothing to draw: it says so, rather than leaving an empty frame."""
    figure = ET.Element("figure", {"class": "chart no-data", "data-chart": chart_id})
    ET.SubElement(figure, "figcaption").text = title
    ET.SubElement(figure, "p", {"class": "no-data-note"}).text = "no data"
    return Markup(ET.tostring(figure, encoding="unicode"))


def _extent(series: Sequence[Series], stacked: bool) -> tuple[float, float]:
    if not stacked:
        values = [v for s in series for v in present(s.values)]
        return min(values), max(values)
    n = len(series[0].values)
    ups = [sum(v for s in series if (v := s.values[i]) is not None and v > 0) for i in range(n)]
    downs = [sum(v for s in series if (v := s.values[i]) is not None and v < 0) for i in range(n)]
    return min(downs), max(ups)


def _frame(low: float, high: float, unit: str) -> tuple[ET.Element, Scale]:
    """An SVG with a horizontal grid and y-axis labels for [low, high]; returns it and its y scale."""
    ticks = nice_ticks(low, high)
    y = Scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    svg = _svg(HEIGHT)
    for tick in ticks:
        _line(svg, LEFT, WIDTH - RIGHT, y(tick), y(tick), "axis" if tick == 0 else "grid")
        _text(svg, axis_label(tick, unit), LEFT - 6, y(tick) + 4, anchor="end")
    return svg, y


def _x_labels(svg: ET.Element, categories: Sequence[str], band: float) -> None:
    """Category labels under the plot; every n-th only, when all of them would overlap."""
    label_width = max(len(c) for c in categories) * CHAR_WIDTH + 10
    every = max(-(-len(categories) // MAX_X_LABELS), math.ceil(label_width / band))
    for i, category in enumerate(categories):
        if i % every == 0:
            _text(svg, category, LEFT + band * (i + 0.5), HEIGHT - BOTTOM + 16, anchor="middle")


def _svg(height: int) -> ET.Element:
    return ET.Element(
        "svg", {"viewBox": f"0 0 {WIDTH} {height}", "width": str(WIDTH), "height": str(height), "role": "img"}
    )


def _mark(svg: ET.Element, tag: str, tooltip: str, color: str, **geometry: float) -> None:
    mark = ET.SubElement(
        svg, tag, {"class": "mark", "fill": color, **{k: _n(v) for k, v in geometry.items()}}
    )
    ET.SubElement(mark, "title").text = tooltip


def _line(svg: ET.Element, x1: float, x2: float, y1: float, y2: float, css: str) -> None:
    ET.SubElement(svg, "line", {"x1": _n(x1), "x2": _n(x2), "y1": _n(y1), "y2": _n(y2), "class": css})


def _text(svg: ET.Element, text: str, x: float, y: float, *, anchor: str, css: str = "label") -> None:
    ET.SubElement(svg, "text", {"x": _n(x), "y": _n(y), "text-anchor": anchor, "class": css}).text = text


def _figure(chart_id: str, title: str, svg: ET.Element, legend: list[str]) -> Markup:
    figure = ET.Element("figure", {"class": "chart", "data-chart": chart_id})
    ET.SubElement(figure, "figcaption").text = title
    figure.append(svg)
    if legend:
        items = ET.SubElement(figure, "ul", {"class": "legend"})
        for j, name in enumerate(legend):
            item = ET.SubElement(items, "li")
            ET.SubElement(
                item, "span", {"class": "swatch", "style": f"background:{PALETTE[j % len(PALETTE)]}"}
            )
            ET.SubElement(item, "span").text = name
    return Markup(ET.tostring(figure, encoding="unicode", short_empty_elements=False))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _n(value: float) -> str:
    return f"{value:.1f}"

"""A still image of a plot spec (SVG or PNG) for exports, drawn with matplotlib off screen.

matplotlib is imported only when an image is made, and only its object API is used (a
`Figure` with the Agg/SVG canvases, never pyplot): no display, no global figure list, safe in
a worker. Text stays text in the SVG (selectable, searchable, small).
"""

from __future__ import annotations

import io
import math
from typing import Any, Literal

from desktop_app.core.plots.spec import PlotSpec, Series

WIDTH_IN, HEIGHT_IN = 7.0, 4.4
_PALETTE = ("#1f6fd1", "#d1492f", "#2c9a4b", "#8a4fc9", "#c98a12", "#16909a")
_MARKER_COLOUR = "#111111"
_AREA_COLOUR = "#1f6fd1"
_BAND_COLOUR = "#2c9a4b"
_STYLES = {"tangent": "--", "derivative": "-.", "antiderivative": ":"}


def plot_svg(spec: PlotSpec) -> bytes:
    """The plot as a standalone SVG document (light background, points labelled)."""
    return _render(spec, "svg")


def plot_png(spec: PlotSpec, dpi: int = 144) -> bytes:
    """The plot as a PNG image."""
    return _render(spec, "png", dpi)


def _render(spec: PlotSpec, fmt: Literal["svg", "png"], dpi: int = 100) -> bytes:
    import matplotlib

    # Labels come from model text: "$...$" in one must stay text, never become mathtext.
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "qwen-math-plot",
            "font.size": 9,
            "text.parse_math": False,
        }
    ):
        figure = _figure(spec)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buffer.getvalue()


def _figure(spec: PlotSpec) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained", facecolor="white")
    axes = figure.add_subplot()
    axes.set_facecolor("white")
    axes.set_xlim(*spec.x_range)
    axes.set_ylim(*spec.y_range)
    if spec.equal_axes:
        axes.set_aspect("equal", adjustable="box")
    axes.grid(True, color="#e4e4e8", linewidth=0.6)
    axes.axhline(0, color="#9a9aa0", linewidth=0.8, zorder=1)
    axes.axvline(0, color="#9a9aa0", linewidth=0.8, zorder=1)
    axes.set_xlabel(spec.variable)
    axes.set_title(spec.title, fontsize=10)
    for band_index, band in enumerate(spec.bands):
        start = spec.x_range[0] if band.start is None else band.start
        end = spec.x_range[1] if band.end is None else band.end
        span = axes.axvspan(start, end, color=_BAND_COLOUR, alpha=0.13, linewidth=0)
        span.set_gid(f"band-{band_index}")
        span.set_label(band.label)
    for area_index, area in enumerate(spec.areas):
        fill = axes.fill_between(
            area.x, area.lower, area.upper, color=_AREA_COLOUR, alpha=0.22, linewidth=0
        )
        fill.set_gid(f"area-{area_index}")
        fill.set_label(area.label)
    for x in spec.asymptotes:
        axes.axvline(x, color="#9a9aa0", linestyle=(0, (4, 4)), linewidth=0.8)
    for index, series in enumerate(spec.series):
        _draw_series(axes, series, index)
    _draw_markers(axes, spec)
    if spec.series or spec.areas or spec.bands:
        axes.legend(loc="best", fontsize=8, framealpha=0.9)
    return figure


def _draw_series(axes: Any, series: Series, index: int) -> None:
    (line,) = axes.plot(
        series.x,
        series.y,
        color=_PALETTE[index % len(_PALETTE)],
        linestyle=_STYLES.get(series.role, "-"),
        linewidth=1.8,
        label=series.name,
        zorder=3,
    )
    line.set_gid(f"series-{index}")


def _draw_markers(axes: Any, spec: PlotSpec) -> None:
    if not spec.points:
        return
    xs = [p.x for p in spec.points]
    ys = [p.y for p in spec.points]
    dots = axes.scatter(xs, ys, s=22, color=_MARKER_COLOUR, zorder=4)
    dots.set_gid("points")
    height = spec.y_range[1] - spec.y_range[0]
    near = 0.15 * (spec.x_range[1] - spec.x_range[0])
    last_x, last_above = -math.inf, False
    for point in sorted(spec.points, key=lambda p: p.x):
        if not (math.isfinite(point.x) and math.isfinite(point.y)):
            continue
        below = point.y > spec.y_range[1] - 0.12 * height  # near the top: label under it
        below = below or (last_above and point.x - last_x < near)  # not on its neighbour's
        last_x, last_above = point.x, not below
        axes.annotate(
            point.label,
            (point.x, point.y),
            xytext=(5, -12 if below else 6),
            textcoords="offset points",
            fontsize=8,
            color=_MARKER_COLOUR,
            zorder=5,
        )

"""Sampling curves with NumPy: gaps at poles, jumps and domain edges; implicit curves; ranges.

A plotting library joins consecutive samples with straight lines, so a curve sampled across
a pole of 1/x or tan x grows a vertical line that is not there. Every step between two samples
that rises unusually fast is bisected: if the rise does not shrink as the step does, the
curve is discontinuous there and a NaN goes in between (a gap). Where the rise grows without
bound the gap is a pole (a vertical asymptote).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

SAMPLES = 800  # per explicit curve (over 1.5 windows): smooth when drawn, ~16 kB of JSON
GRID = 201  # per side of the grid an implicit curve is traced on
_MAX_SUSPECTS = 300
_HALVINGS = 50
_POLE_SIZE = 1e4  # |y| beyond this many times the curve's scale, at a break: a pole


@dataclass(frozen=True)
class Sampled:
    """A sampled curve: xs and ys (NaN gaps), and where it breaks."""

    x: Any  # numpy arrays
    y: Any
    poles: tuple[float, ...] = ()
    jumps: tuple[float, ...] = ()


def sample_explicit(
    fn: Callable[[Any], Any], lo: float, hi: float, n: int = SAMPLES, extra: Iterable[float] = ()
) -> Sampled:
    """`fn` sampled on [lo, hi] (plus the `extra` xs), broken at poles, jumps and domain edges."""
    import numpy as np

    xs = np.linspace(lo, hi, n)
    more = [x for x in extra if lo < x < hi and math.isfinite(x)]
    if more:
        xs = np.unique(np.concatenate([xs, np.asarray(more, dtype=float)]))
    ys = fn(xs)
    edge_x, edge_y = _domain_edges(fn, xs, ys)
    if edge_x.size:
        order = np.argsort(np.concatenate([xs, edge_x]), kind="stable")
        xs, ys = np.concatenate([xs, edge_x])[order], np.concatenate([ys, edge_y])[order]
    breaks = _breaks(fn, xs, ys)
    if not breaks:
        return Sampled(xs, ys)
    near_x, near_y = _near_poles(fn, xs, breaks)
    gap_x = np.asarray([b for b, _, _ in breaks])
    all_x = np.concatenate([xs, near_x, gap_x])
    all_y = np.concatenate([ys, near_y, np.full(gap_x.size, np.nan)])
    order = np.argsort(all_x, kind="stable")
    pole_xs = tuple(b for b, pole, _ in breaks if pole)
    jump_xs = tuple(b for b, pole, _ in breaks if not pole)
    return Sampled(all_x[order], all_y[order], pole_xs, jump_xs)


def _scale(ys: Any) -> float:
    """A robust height of the curve: outliers near a pole do not count."""
    import numpy as np

    finite = ys[np.isfinite(ys)]
    if finite.size < 2:
        return 1.0
    low, high = np.percentile(finite, [5, 95])
    return float(max(high - low, 1e-9 * max(1.0, abs(float(high)))))


def _domain_edges(fn: Callable[[Any], Any], xs: Any, ys: Any) -> tuple[Any, Any]:
    """Where the curve starts or stops being defined between two samples (√x at 0, circles)."""
    import numpy as np

    finite = np.isfinite(ys)
    change = np.nonzero(finite[:-1] != finite[1:])[0]
    if change.size == 0:
        return np.empty(0), np.empty(0)
    good = np.where(finite[change], xs[change], xs[change + 1])
    bad = np.where(finite[change], xs[change + 1], xs[change])
    for _ in range(_HALVINGS):
        mid = (good + bad) / 2
        ok = np.isfinite(fn(mid))
        good, bad = np.where(ok, mid, good), np.where(ok, bad, mid)
    return good, fn(good)


def _breaks(fn: Callable[[Any], Any], xs: Any, ys: Any) -> list[tuple[float, bool, int]]:
    """(x, is_pole, sample index before it) for each break between consecutive finite samples."""
    import numpy as np

    rise = np.abs(np.diff(ys))
    both = np.isfinite(rise)
    scale = _scale(ys)
    padded = np.concatenate([[0.0], np.where(both, rise, 0.0), [0.0]])
    neighbours = np.maximum(padded[:-2], padded[2:])
    # Both ends far above the curve's body: a pole of even order (1/x^2) may sit between two
    # samples of equal height, so a small rise there proves nothing.
    median = np.nanmedian(ys) if np.isfinite(ys).any() else 0.0
    high = np.abs(ys - median) > 5 * scale
    suspect = both & (
        (rise > 0.1 * scale)
        | ((rise > 2.5 * neighbours) & (rise > 1e-6 * scale))
        | (high[:-1] & high[1:])
    )
    index = np.nonzero(suspect)[0]
    if index.size > _MAX_SUSPECTS:
        index = index[np.argsort(rise[index])[-_MAX_SUSPECTS:]]
    if index.size == 0:
        return []
    a, b = xs[index].copy(), xs[index + 1].copy()
    ya, yb = ys[index].copy(), ys[index + 1].copy()
    hole = np.zeros(index.size, dtype=bool)
    hole_x = np.zeros(index.size)  # where the function was found undefined (1/x at 0)
    halfway_rise = np.zeros(index.size)
    for step in range(_HALVINGS):
        mid = (a + b) / 2
        ym = fn(mid)
        undefined = ~np.isfinite(ym)
        hole_x = np.where(undefined & ~hole, mid, hole_x)
        hole |= undefined
        left = np.abs(ym - ya) >= np.abs(yb - ym)
        b, yb = np.where(left, mid, b), np.where(left, ym, yb)
        a, ya = np.where(left, a, mid), np.where(left, ya, ym)
        if step == _HALVINGS // 2:
            halfway_rise = np.abs(yb - ya)
    final_rise = np.abs(yb - ya)
    # A jump keeps its height as the step shrinks, a pole's grows; a steep curve's vanishes.
    broken = hole | ~np.isfinite(final_rise) | (final_rise > 0.5 * halfway_rise)
    pole = hole | (np.maximum(np.abs(ya), np.abs(yb)) > _POLE_SIZE * (scale + 1.0))
    where = np.where(hole, hole_x, (a + b) / 2)
    return [(float(where[i]), bool(pole[i]), int(index[i])) for i in np.nonzero(broken)[0]]


def _near_poles(
    fn: Callable[[Any], Any], xs: Any, breaks: list[tuple[float, bool, int]]
) -> tuple[Any, Any]:
    """A few samples closing in on each pole, so the curve visibly runs off to infinity."""
    import numpy as np

    near = []
    for pole, is_pole, i in breaks:
        if not is_pole:
            continue
        left, right = float(xs[i]), float(xs[i + 1])
        for k in (1, 2, 3):
            shrink = 1 - 4.0**-k
            near += [left + (pole - left) * shrink, right - (right - pole) * shrink]
    near_x = np.asarray(near, dtype=float)
    return near_x, fn(near_x) if near else np.empty(0)


def sample_implicit(
    fn: Callable[[Any, Any], Any], x_range: tuple[float, float], y_range: tuple[float, float]
) -> tuple[Any, Any]:
    """The curve F(x, y) = 0 traced on a grid over the window (contourpy), NaN between pieces."""
    import contourpy
    import numpy as np

    xs = np.linspace(*x_range, GRID)
    ys = np.linspace(*y_range, GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        values = np.asarray(np.broadcast_to(fn(grid_x, grid_y), grid_x.shape), dtype=float)
    values = np.ma.masked_invalid(values)
    lines = contourpy.contour_generator(
        grid_x, grid_y, values, line_type=contourpy.LineType.ChunkCombinedNan
    ).lines(0.0)
    chunks = [chunk for chunk in lines[0] if chunk is not None]
    if not chunks:
        return np.empty(0), np.empty(0)
    points = np.concatenate(chunks)
    return points[:, 0], points[:, 1]


def nice_step(span: float) -> float:
    """1, 2 or 5 times a power of ten, about a tenth of `span`."""
    raw = max(span, 1e-9) / 10
    power = 10 ** math.floor(math.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def pick_x_range(points: Iterable[float], default: tuple[float, float]) -> tuple[float, float]:
    """A window around the interesting xs: padded, the origin in when it is close, rounded."""
    xs = [x for x in points if math.isfinite(x)]
    if not xs:
        return default
    lo, hi = min(xs), max(xs)
    span = max(hi - lo, 3.0)
    centre = (lo + hi) / 2
    lo, hi = min(lo, centre - span / 2) - 0.25 * span, max(hi, centre + span / 2) + 0.25 * span
    if 0 < lo <= span:
        lo = -0.1 * span
    elif -span <= hi < 0:
        hi = 0.1 * span
    step = nice_step(hi - lo)
    return float(math.floor(lo / step) * step), float(math.ceil(hi / step) * step)


def pick_y_range(
    curves: Iterable[Any], marked: Iterable[float], poles: bool = False
) -> tuple[float, float]:
    """A window that shows the curves' body (not their runs to a pole) and every marked y."""
    import numpy as np

    values = [np.asarray(c, dtype=float) for c in curves]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.empty(0)
    must = [y for y in marked if math.isfinite(y)]
    if finite.size and poles:  # near a pole many samples are huge: keep to the middle
        low, high = (float(v) for v in np.percentile(finite, [10, 90]))
        low, high = low - 0.3 * (high - low), high + 0.3 * (high - low)
    elif finite.size:
        low, high = (float(v) for v in np.percentile(finite, [3, 97]))
        full_low, full_high = float(finite.min()), float(finite.max())
        # Keep the true extremes unless they are a pole's run-off far beyond the body.
        body = max(high - low, 1e-9)
        low = full_low if full_low >= low - 0.5 * body else low
        high = full_high if full_high <= high + 0.5 * body else high
    elif must:
        low, high = min(must), max(must)
    else:
        return -10.0, 10.0
    low, high = min([low, *must]), max([high, *must])
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    span = high - low
    if 0 < low <= 0.5 * span:
        low = 0.0
    elif -0.5 * span <= high < 0:
        high = 0.0
    pad = 0.08 * (high - low)
    return float(low - pad), float(high + pad)


def clip(ys: Any, y_range: tuple[float, float]) -> Any:
    """Values far outside the window brought in to 50 window-heights: short JSON, same picture."""
    import numpy as np

    height = y_range[1] - y_range[0]
    return np.clip(ys, y_range[0] - 50 * height, y_range[1] + 50 * height)

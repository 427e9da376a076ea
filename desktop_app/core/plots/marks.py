"""Labels for marked points, fewer markers when there are many, and an inequality's bands."""

from __future__ import annotations

import math
from typing import Any

from desktop_app.core.plots.spec import Band, Marker

_PRIORITY = ("solution", "intersection", "tangent", "bound", "root", "extremum")
_GRID = 4001


def fmt(value: float) -> str:
    """A number for a label: integers as integers, others to three decimals."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞"
    nearest = round(value)
    if abs(value - nearest) <= 1e-7 * max(1.0, abs(value)):
        return str(int(nearest))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def tidy(value: float) -> float:
    """Rounding noise dropped: 8.9e-16 at a root is 0, 1.9999999999999996 is 2."""
    if abs(value) < 1e-12:
        return 0.0
    nearest = round(value)
    return float(nearest) if abs(value - nearest) <= 1e-12 * max(1.0, abs(value)) else value


def point_label(x: float, y: float) -> str:
    """`(2, 0)`."""
    return f"({fmt(x)}, {fmt(y)})"


def thin_out(
    markers: list[Marker],
    limit: int,
    window: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> tuple[Marker, ...]:
    """At most `limit` markers, none on top of another (within 4% of the window); solutions
    before intersections before roots before extrema."""
    ordered = sorted(markers, key=lambda m: (_PRIORITY.index(m.kind), abs(m.x)))
    if window is None:
        sizes = [max(1.0, abs(m.x), abs(m.y)) * 1e-6 for m in ordered]
        width = height = max(sizes, default=1.0)
        gap = 1.0
    else:
        (x0, x1), (y0, y1) = window
        width, height, gap = x1 - x0, y1 - y0, 0.04
    kept: list[Marker] = []
    for marker in ordered:
        if not (math.isfinite(marker.x) and math.isfinite(marker.y)):
            continue
        if any(abs(marker.x - k.x) / width + abs(marker.y - k.y) / height <= gap for k in kept):
            continue
        kept.append(Marker(tidy(marker.x), tidy(marker.y), marker.label, marker.kind))
        if len(kept) == limit:
            break
    return tuple(sorted(kept, key=lambda m: m.x))


def bands_for(problem: Any, x_range: tuple[float, float], boundaries: list[float]) -> list[Band]:
    """The stretches of the window where every inequality of the problem holds."""
    import numpy as np

    xs = np.linspace(*x_range, _GRID)
    holds = _holds(problem, xs, tolerance=0.0)
    step = xs[1] - xs[0]
    bands = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], holds.astype(np.int8), [0]])))
    for first, after in zip(edges[::2], edges[1::2], strict=True):
        start = None if first == 0 else _snap((xs[first - 1] + xs[first]) / 2, boundaries, step)
        end = None if after == _GRID else _snap((xs[after - 1] + xs[after]) / 2, boundaries, step)
        closed_start = start is not None and _closed_at(problem, start)
        closed_end = end is not None and _closed_at(problem, end)
        label = (
            ("[" if closed_start else "(")
            + (fmt(start) if start is not None else "-∞")
            + ", "
            + (fmt(end) if end is not None else "∞")
            + ("]" if closed_end else ")")
        )
        bands.append(Band(label, start, end, closed_start, closed_end))
    return bands


def _snap(x: float, boundaries: list[float], step: float) -> float:
    """The exact boundary (a root, a pole) nearest a grid crossing, if there is one."""
    near = [b for b in boundaries if abs(b - x) <= 2 * step]
    return min(near, key=lambda b: abs(b - x)) if near else float(x)


def _closed_at(problem: Any, x: float) -> bool:
    """Whether a band's end belongs to it: every relation holds there, and each one that is
    tight there (its sides equal) allows equality."""
    import numpy as np

    from desktop_app.core.plots.curves import explicit

    if not bool(_holds(problem, np.array([x]), 1e-9)[0]):
        return False
    for lhs, op, rhs in problem.relations:
        left = explicit(lhs, problem.var).numeric()(np.array([x]))[0]
        right = explicit(rhs, problem.var).numeric()(np.array([x]))[0]
        if abs(left - right) <= 1e-9 * (1 + abs(left)) and op in ("<", ">"):
            return False
    return True


def _holds(problem: Any, xs: Any, tolerance: float) -> Any:
    """Where all the problem's relations hold (equality within `tolerance` of the scale)."""
    import numpy as np

    from desktop_app.core.plots.curves import explicit

    holds = np.ones(xs.shape, dtype=bool)
    for lhs, op, rhs in problem.relations:
        left = explicit(lhs, problem.var).numeric()(xs)
        right = explicit(rhs, problem.var).numeric()(xs)
        slack = tolerance * (1 + np.abs(left))
        with np.errstate(invalid="ignore"):
            result = {
                "<": left < right,
                "<=": left <= right + slack,
                ">": left > right,
                ">=": left >= right - slack,
                "=": np.abs(left - right) <= slack,
            }[op]
        holds &= result & np.isfinite(left) & np.isfinite(right)
    return holds

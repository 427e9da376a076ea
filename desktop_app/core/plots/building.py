"""From a read problem to a plot spec: the window, the sampled curves, the marked points.

The window is chosen from the points that matter: the solutions, intersections, bounds and
the tangent point always show; roots, extrema and poles show when they are near the rest.
"""

from __future__ import annotations

import math
from typing import Any

from desktop_app.core.plots.curves import Curve, explicit, sample
from desktop_app.core.plots.features import (
    extrema,
    fn_at,
    real_roots,
    system_solutions,
)
from desktop_app.core.plots.marks import (
    bands_for,
    fmt,
    point_label,
    thin_out,
    tidy,
)
from desktop_app.core.plots.sampling import (
    clip,
    pick_x_range,
    pick_y_range,
    sample_explicit,
    sample_implicit,
)
from desktop_app.core.plots.spec import Area, Marker, PlotSpec, Series

DEFAULT_WINDOW = (-10.0, 10.0)
MAX_MARKERS = 12
MAX_NICE = 5  # optional points that decide the window: an oscillating curve has many


def window_for(curve: Curve, must: list[float], domain: tuple[float, float] | None) -> Any:
    """Where to look for roots and extrema: the domain, two periods, or around the must-see xs."""
    if domain is not None:
        return domain
    if must:
        lo, hi = min(must), max(must)
        pad = max(5.0, hi - lo)
        return lo - pad, hi + pad
    period = _period(curve)
    if period is not None and 0 < period <= 10:
        return -2 * period, 2 * period
    return DEFAULT_WINDOW


def _period(curve: Curve) -> float | None:
    import sympy  # type: ignore[import-untyped]

    if curve.implicit or not curve.expr.has(sympy.sin, sympy.cos, sympy.tan, sympy.cot):
        return None
    try:
        period = sympy.periodicity(curve.expr, curve.var)
    except (NotImplementedError, TypeError, ValueError):
        return None
    return float(period) if period is not None and period.is_number else None


class Builder:
    """Collects markers and series for one problem, then fits the window around them."""

    def __init__(self, problem: Any) -> None:
        self.problem = problem
        self.must: list[float] = []  # xs the window must show
        self.nice: list[float] = []  # xs the window shows when they are near
        self.markers: list[Marker] = []
        self.extra_curves: list[Curve] = []
        self.areas: list[Area] = []
        # How far beyond the must-see xs a root or extremum still counts: an absolute
        # distance or a share of their spread, whichever is more.
        self.reach, self.reach_share = 3.0, 1.0

    def add_features(self, curve: Curve, window: tuple[float, float], roots: bool = True) -> None:
        """Roots, extrema and poles of an explicit curve, as optional points."""
        fn = curve.numeric()
        if roots:
            for r in real_roots(curve.expr, curve.var, fn, window):
                self.nice.append(r)
                self.markers.append(Marker(r, 0.0, point_label(r, 0.0), "root"))
        for e in extrema(curve.expr, curve.var, fn, window):
            self.nice.append(e.x)
            self.markers.append(Marker(e.x, e.y, f"{e.kind} {point_label(e.x, e.y)}", "extremum"))
        self.nice += sample_explicit(fn, *window).poles

    def spec(
        self,
        kind: Any,
        curves: list[Curve],
        default_window: tuple[float, float],
        x_range: tuple[float, float] | None = None,
    ) -> PlotSpec | None:
        """Sample everything over the chosen window and assemble the spec."""
        problem = self.problem
        if x_range is None:
            x_range = _defined_part(curves[0], self.x_range(default_window), self.must)
        visible = [m for m in self.markers if x_range[0] <= m.x <= x_range[1]]
        extra = tuple(m.x for m in visible)
        # Curves run on past the window's edges, so panning a little shows no empty edge.
        wide = _widened(x_range)
        explicit_series, samples, implicit_curves, asymptotes = [], [], [], []
        for curve in [*curves, *self.extra_curves]:
            if curve.implicit:
                implicit_curves.append(curve)
                continue
            series, sampled = sample(curve, wide, extra=extra)
            explicit_series.append(series)
            samples.append(_inside(sampled, x_range))
            asymptotes += [p for p in sampled.poles if x_range[0] <= p <= x_range[1]]
        marked_y = [m.y for m in visible]
        y_range = pick_y_range(samples[:1] or samples, marked_y, poles=bool(asymptotes))
        if implicit_curves:
            y_range = _fit_implicit(implicit_curves, x_range, y_range, marked_y)
        drawn = [_clipped(s, y_range) for s in explicit_series]
        for curve in implicit_curves:
            drawn.append(sample(curve, wide, _widened(y_range))[0])
        if not any(any(math.isfinite(v) for v in s.y) for s in drawn):
            return None
        boundaries = [m.x for m in self.markers if m.kind == "solution"] + asymptotes
        bands = bands_for(problem, x_range, boundaries) if kind == "inequality" else []
        return PlotSpec(
            kind=kind,
            variable=problem.var.name,
            title=problem.title,
            series=tuple(drawn),
            x_range=x_range,
            y_range=y_range,
            points=thin_out(visible, MAX_MARKERS, (x_range, y_range)),
            areas=tuple(self.areas),
            bands=tuple(bands),
            asymptotes=tuple(sorted({round(a, 9) + 0.0 for a in asymptotes})),
            equal_axes=bool(implicit_curves),  # a circle should look round
        )

    def x_range(self, default: tuple[float, float]) -> tuple[float, float]:
        domain = self.problem.domain
        if domain is not None and self.problem.kind in ("function", "derivative"):
            pad = 0.05 * (domain[1] - domain[0])
            return domain[0] - pad, domain[1] + pad
        must = [x for x in self.must if math.isfinite(x)]
        nice = [x for x in self.nice if math.isfinite(x)]
        centre = 0.0
        if must:
            lo, hi = min(must), max(must)
            reach = max(self.reach, self.reach_share * (hi - lo))
            nice = [x for x in nice if lo - reach <= x <= hi + reach]
            centre = (lo + hi) / 2
        nice = sorted(nice, key=lambda x: abs(x - centre))[:MAX_NICE]
        return pick_x_range([*must, *nice], default)


def _widened(window: tuple[float, float], share: float = 0.25) -> tuple[float, float]:
    pad = share * (window[1] - window[0])
    return window[0] - pad, window[1] + pad


def _inside(sampled: Any, x_range: tuple[float, float]) -> Any:
    """The sampled ys within the window (what the y window is fitted to)."""
    import numpy as np

    xs = np.asarray(sampled.x)
    return np.asarray(sampled.y)[(xs >= x_range[0]) & (xs <= x_range[1])]


def _defined_part(
    curve: Curve, x_range: tuple[float, float], must: list[float]
) -> tuple[float, float]:
    """The window narrowed to where the curve exists, when that is well under all of it (√x)."""
    import numpy as np

    if curve.implicit:
        return x_range
    xs = np.linspace(*x_range, 401)
    defined = xs[np.isfinite(curve.numeric()(xs))]
    if defined.size == 0 or defined.size > 0.75 * xs.size:
        return x_range
    low, high = float(defined.min()), float(defined.max())
    pad = 0.08 * max(high - low, 1e-3)
    low, high = min([low - pad, *must]), max([high + pad, *must])
    return max(x_range[0], low), min(x_range[1], high)


def _clipped(series: Series, y_range: tuple[float, float]) -> Series:
    import numpy as np

    ys = clip(np.asarray(series.y, dtype=float), y_range)
    return Series(series.name, series.latex, series.text, series.role, series.x, tuple(ys.tolist()))


def _fit_implicit(
    curves: list[Curve], x_range: tuple[float, float], y_range: Any, marked: list[float]
) -> tuple[float, float]:
    """A y window that holds each implicit curve's part above the x window (a whole circle)."""
    import numpy as np
    import sympy

    span = x_range[1] - x_range[0]
    wide = (min(-span, y_range[0] - span), max(span, y_range[1] + span))
    ys: list[float] = []
    for curve in curves:
        fn = sympy.lambdify(curve.var, curve.expr, modules="numpy")
        _, traced = sample_implicit(fn, x_range, wide)
        ys += [float(v) for v in np.asarray(traced) if np.isfinite(v)]
    if not ys:
        return (float(y_range[0]), float(y_range[1]))
    low = min([*ys, *marked, y_range[0]])
    high = max([*ys, *marked, y_range[1]])
    pad = 0.05 * (high - low)
    return low - pad, high + pad


def build_function(problem: Any) -> PlotSpec | None:
    """A function of one variable: its roots and extrema marked."""
    builder = Builder(problem)
    curve = problem.curves[0]
    window = window_for(curve, [], problem.domain)
    builder.add_features(curve, window)
    return builder.spec("function", problem.curves, window)


def build_relation(problem: Any) -> PlotSpec | None:
    """An equation's or inequality's sides; its solutions (or boundaries) marked and in view."""
    import sympy

    builder = Builder(problem)
    var = problem.var
    first = problem.curves[0]
    window = window_for(first, list(problem.answer_values), problem.domain)
    solutions: list[tuple[float, Any]] = []
    for lhs, _op, rhs in problem.relations:
        difference = explicit(sympy.sympify(lhs) - rhs, var)
        for r in real_roots(difference.expr, var, difference.numeric(), window):
            solutions.append((r, lhs))
    for value in problem.answer_values:  # the answer's solutions, when they check out
        lhs, _, rhs = problem.relations[0]
        left, right = (fn_at(explicit(s, var).numeric(), [value])[0] for s in (lhs, rhs))
        if math.isfinite(left) and abs(left - right) <= 1e-6 * (1 + abs(left)):
            solutions.append((value, lhs))
    seen: list[float] = []
    for r, side in sorted(solutions, key=lambda s: abs(s[0])):
        if any(abs(r - s) <= 1e-7 * max(1.0, abs(r)) for s in seen):
            continue
        seen.append(r)
        y = tidy(fn_at(explicit(sympy.sympify(side), var).numeric(), [r])[0])
        builder.markers.append(Marker(r, y, f"{var.name} = {fmt(r)}", "solution"))
    if len(seen) > MAX_MARKERS:
        seen = seen[:MAX_MARKERS]  # a trigonometric equation: the ones nearest 0
    builder.must += seen
    for curve in problem.curves:
        poles = sample_explicit(curve.numeric(), *window).poles
        # An inequality's solution set ends at poles too: they must show.
        (builder.must if problem.kind == "inequality" else builder.nice).extend(poles)
    if not seen:
        builder.add_features(first, window, roots=False)
    return builder.spec(problem.kind, problem.curves, window)


def build_system(problem: Any) -> PlotSpec | None:
    """Two curves in x and y, their intersections marked."""
    import sympy

    builder = Builder(problem)
    x, y = sympy.Symbol("x"), sympy.Symbol("y")
    first, second = problem.curves[:2]
    points = system_solutions(_as_zero(first, y), _as_zero(second, y), x, y)
    if not points and not first.implicit and not second.implicit:
        difference = explicit(first.expr - second.expr, x)
        roots = real_roots(difference.expr, x, difference.numeric(), DEFAULT_WINDOW)
        points = [(r, fn_at(first.numeric(), [r])[0]) for r in roots]
    for px, py in points:
        builder.must.append(px)
        builder.markers.append(Marker(px, py, point_label(px, py), "intersection"))
    for curve in problem.curves:
        builder.nice += _extent(curve)
    return builder.spec("system", problem.curves, DEFAULT_WINDOW)


def _as_zero(curve: Curve, y: Any) -> Any:
    """The curve as an expression that is zero on it (F(x, y) = 0)."""
    return curve.expr if curve.implicit else y - curve.expr


def _extent(curve: Curve) -> list[float]:
    """The x extent of an implicit curve within a wide box (a circle's left and right)."""
    import numpy as np
    import sympy

    if not curve.implicit:
        return []
    fn = sympy.lambdify(curve.var, curve.expr, modules="numpy")
    xs, _ = sample_implicit(fn, (-50.0, 50.0), (-50.0, 50.0))
    finite = np.asarray(xs)[np.isfinite(xs)]
    return [float(finite.min()), float(finite.max())] if finite.size else []


def build_derivative(problem: Any) -> PlotSpec | None:
    """The function and its tangent at the point, or the function and its derivative."""
    import sympy

    builder = Builder(problem)
    curve, var = problem.curves[0], problem.var
    real = sympy.Symbol(var.name, real=True)
    slope_expr = sympy.diff(curve.expr.subs(var, real), real).subs(real, var)
    a = problem.point
    must = [a] if a is not None else []
    window = window_for(curve, must, problem.domain)
    builder.add_features(curve, window)
    if a is not None:
        y0 = fn_at(curve.numeric(), [a])[0]
        slope = _slope(curve, slope_expr, a)
        if not (math.isfinite(y0) and slope.imag == 0 and math.isfinite(slope.real)):
            raise ValueError("no tangent there")
        exact = _exact(a)
        tangent_expr = sympy.nsimplify(y0, rational=False) + sympy.nsimplify(
            slope.real, rational=False
        ) * (var - exact)
        tangent = explicit(sympy.expand(tangent_expr), var, role="tangent")
        tangent = Curve(f"tangent: y = {tangent.text}", *_tail(tangent))
        builder.extra_curves.append(tangent)
        builder.must.append(a)
        builder.markers.append(Marker(a, y0, point_label(a, y0), "tangent"))
    else:
        try:
            derivative = explicit(slope_expr, var, role="derivative")
        except (ValueError, TypeError):
            derivative = None
        if derivative is not None:
            name = f"f'({var.name}) = {derivative.text}"
            builder.extra_curves.append(Curve(name, *_tail(derivative)))
    return builder.spec("derivative", problem.curves, window)


def _slope(curve: Curve, slope_expr: Any, a: float) -> complex:
    """f'(a): exactly when SymPy can, else numerically where both one-sided slopes agree."""
    try:
        return complex(slope_expr.subs(curve.var, a).evalf(15))
    except TypeError:  # an unevaluated Derivative (of floor, say)
        h = 1e-6 * max(1.0, abs(a))
        left, here, right = fn_at(curve.numeric(), [a - h, a, a + h])
        if abs((here - left) - (right - here)) > 1e-3 * max(1.0, abs(right - left)):
            return complex(math.nan)  # a corner or a jump: no tangent
        return complex((right - left) / (2 * h))


def _exact(a: float) -> Any:
    import sympy

    return sympy.nsimplify(a, [sympy.pi], tolerance=1e-12, rational=False)


def _tail(curve: Curve) -> tuple[Any, ...]:
    return (curve.expr, curve.var, curve.implicit, curve.latex, curve.text, curve.role)

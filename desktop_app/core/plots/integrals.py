"""An integral's plot: the integrand, the area between the bounds shaded and its value.

Without bounds (an antiderivative) the integrand is drawn with the answer's antiderivative
when the answer differentiates back to the integrand. Two curves and the words "area between"
shade the region between them, from their first to their last intersection.
"""

from __future__ import annotations

import math
from typing import Any

from desktop_app.core.plots.building import DEFAULT_WINDOW, Builder, window_for
from desktop_app.core.plots.curves import Curve, explicit
from desktop_app.core.plots.expressions import PlotInputError
from desktop_app.core.plots.features import fn_at, real_roots
from desktop_app.core.plots.marks import fmt
from desktop_app.core.plots.sampling import sample_explicit
from desktop_app.core.plots.spec import Area, Marker, PlotSpec

AREA_SAMPLES = 241
_QUADRATURE = 4001


def build_integral(problem: Any) -> PlotSpec | None:
    """The integrand with the area between the bounds (or between two curves) shaded."""
    builder = Builder(problem)
    builder.reach, builder.reach_share = 0.5, 0.25  # the area is the point: keep close to it
    curves: list[Curve] = problem.curves
    first = curves[0]
    bounds = _float_bounds(problem.bounds)
    second = curves[1] if len(curves) > 1 else None
    if bounds is None and second is not None:
        bounds = _crossings(first, second)
    if bounds is None:
        builder.must.clear()
        antiderivative = _antiderivative(first, problem.answer)
        if antiderivative is not None:
            builder.extra_curves.append(antiderivative)
        window = window_for(first, [], problem.domain)
        builder.add_features(first, window)
        return builder.spec("integral", curves, window)
    a, b = bounds
    finite = [v for v in (a, b) if math.isfinite(v)]
    builder.must += finite
    if len(finite) == 1:  # an improper integral: show a stretch of the infinite side
        builder.must.append(finite[0] + (10.0 if math.inf in (a, b) else -10.0))
    window = window_for(first, builder.must, None)
    builder.add_features(first, window)
    x_range = builder.x_range(window)
    fn = first.numeric()
    for bound in finite:
        y = fn_at(fn, [bound])[0]
        if math.isfinite(y):
            builder.markers.append(Marker(bound, y, f"{problem.var.name} = {fmt(bound)}", "bound"))
    area = _area(first, second, (a, b), x_range, problem.answer)
    if area is not None:
        builder.areas.append(area)
    return builder.spec("integral", curves, window, x_range)


def _float_bounds(bounds: Any) -> tuple[float, float] | None:
    if bounds is None:
        return None
    try:
        a, b = (float(v) for v in bounds)
    except (TypeError, ValueError):  # symbolic bounds (∫_0^a)
        return None
    return None if math.isnan(a) or math.isnan(b) or a == b else (a, b)


def _crossings(first: Curve, second: Curve) -> tuple[float, float] | None:
    difference = explicit(first.expr - second.expr, first.var)
    roots = real_roots(difference.expr, first.var, difference.numeric(), DEFAULT_WINDOW)
    return (roots[0], roots[-1]) if len(roots) >= 2 else None


def _area(
    first: Curve,
    second: Curve | None,
    bounds: tuple[float, float],
    x_range: tuple[float, float],
    answer: Any,
) -> Area | None:
    """The shaded region (clipped to the window) and its label: the integral's value."""
    import numpy as np

    low, high = sorted(bounds)
    lo, hi = max(low, x_range[0]), min(high, x_range[1])
    if not lo < hi:
        return None
    upper = sample_explicit(first.numeric(), lo, hi, n=AREA_SAMPLES)
    xs = np.asarray(upper.x)
    lower_ys = np.zeros_like(xs) if second is None else second.numeric()(xs)
    value = _integral_value(first, second, bounds, answer)
    name = "area" if second is not None else "∫"
    label = f"{name} = {fmt(value)}" if value is not None else name
    return Area(
        label,
        tuple(xs.tolist()),
        tuple(np.where(np.isfinite(upper.y), lower_ys, np.nan).tolist()),
        tuple(np.asarray(upper.y).tolist()),
    )


def _integral_value(
    first: Curve, second: Curve | None, bounds: tuple[float, float], answer: Any
) -> float | None:
    """The integral numerically (trapezoid rule), or the answer's number for an improper one."""
    import numpy as np

    a, b = bounds
    if not (math.isfinite(a) and math.isfinite(b)):
        return _answer_number(answer)
    xs = np.linspace(min(a, b), max(a, b), _QUADRATURE)
    ys = first.numeric()(xs)
    if second is not None:
        ys = np.abs(ys - second.numeric()(xs))
    if not np.all(np.isfinite(ys)) or sample_explicit(first.numeric(), a, b).poles:
        return _answer_number(answer)  # improper inside the bounds: trust no quadrature
    value = float(np.sum((ys[1:] + ys[:-1]) / 2 * np.diff(xs)))
    return value if a < b or second is not None else -value


def _answer_number(answer: Any) -> float | None:
    if answer is None or not getattr(answer, "is_number", False):
        return None
    try:
        value = complex(answer)
    except TypeError:
        return None
    return value.real if value.imag == 0 and math.isfinite(value.real) else None


def _antiderivative(integrand: Curve, answer: Any) -> Curve | None:
    """The answer as F(x) (its constant dropped) when F' matches the integrand numerically."""
    import numpy as np
    import sympy  # type: ignore[import-untyped]

    if answer is None or not isinstance(answer, sympy.Expr):
        return None
    var = integrand.var
    constants = {s: 0 for s in answer.free_symbols if s.name in ("c", "k", "c_1", "c_{1}")}
    body = answer.subs(constants)
    if body.free_symbols != {var}:
        return None
    try:
        candidate = explicit(body, var, role="antiderivative")
    except PlotInputError:
        return None
    xs = np.array([0.37, 0.81, 1.29, 1.93, 2.71, -0.63, -1.47])
    h = 1e-5
    fn, f = candidate.numeric(), integrand.numeric()
    slope = (fn(xs + h) - fn(xs - h)) / (2 * h)
    target = f(xs)
    ok = np.isfinite(slope) & np.isfinite(target)
    if ok.sum() < 3 or not np.allclose(slope[ok], target[ok], rtol=1e-4, atol=1e-6):
        return None
    name = f"F({var.name}) = {candidate.text}"
    return Curve(
        name, candidate.expr, var, False, candidate.latex, candidate.text, "antiderivative"
    )

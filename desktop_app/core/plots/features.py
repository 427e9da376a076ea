"""The interesting points of a curve: roots, extrema, intersections of two curves.

Polynomials get their roots from NumPy's eigenvalue solver (all of them, wherever they are);
anything else is scanned on a dense grid inside a window and refined by bisection. Systems of
two polynomial equations in x and y are reduced to one polynomial in x by a resultant. No
call here can run long: degrees and sizes are capped, iterations are fixed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_DEGREE = 12  # polynomial degree solved exactly
MAX_SYSTEM_DEGREE = 4  # total degree of each equation of a system
_SCAN = 4001
_REFINE = 60


@dataclass(frozen=True)
class Extremum:
    """A local maximum or minimum of a curve."""

    x: float
    y: float
    kind: str  # "max" | "min"


def polynomial_coefficients(expr: Any, var: Any) -> list[float] | None:
    """Float coefficients (highest power first) when `expr` is a small polynomial in `var`."""
    import sympy  # type: ignore[import-untyped]

    if not expr.is_polynomial(var):
        return None
    try:
        poly = sympy.Poly(expr, var)
    except sympy.PolynomialError:
        return None
    if poly.degree() > MAX_DEGREE or poly.free_symbols - {var}:
        return None
    try:
        return [float(c) for c in poly.all_coeffs()]
    except TypeError:  # a symbolic coefficient
        return None


def _real_polynomial_roots(coefficients: list[float]) -> list[float]:
    import numpy as np

    while coefficients and coefficients[0] == 0:
        coefficients = coefficients[1:]
    if len(coefficients) < 2:
        return []
    roots = np.roots(coefficients)
    size = max(1.0, float(np.max(np.abs(roots))))
    real = sorted(float(r.real) for r in roots if abs(r.imag) <= 1e-7 * size)
    merged: list[float] = []
    for r in real:  # a double root comes back as two nearly equal values
        if merged and abs(r - merged[-1]) <= 1e-6 * max(1.0, abs(r)):
            continue
        merged.append(0.0 if abs(r) < 1e-12 else r)
    return merged


def real_roots(
    expr: Any, var: Any, fn: Callable[[Any], Any], window: tuple[float, float]
) -> list[float]:
    """Real roots of `expr`: all of them when it is a polynomial over a polynomial, else
    those found in `window`."""
    import sympy

    numerator, denominator = sympy.fraction(sympy.together(expr))
    coefficients = polynomial_coefficients(sympy.expand(numerator), var)
    if coefficients is None:
        return scan_roots(fn, window)
    roots = _real_polynomial_roots(coefficients)
    if denominator.free_symbols:  # a root of the denominator too is a hole, not a root
        values = [abs(complex(denominator.subs(var, r))) for r in roots]
        roots = [r for r, v in zip(roots, values, strict=True) if v > 1e-9]
    return roots


def fn_at(fn: Callable[[Any], Any], xs: list[float]) -> list[float]:
    """`fn` at a few points, as floats (NaN where undefined)."""
    import numpy as np

    if not xs:
        return []
    return [float(v) for v in fn(np.asarray(xs, dtype=float))]


def scan_roots(fn: Callable[[Any], Any], window: tuple[float, float]) -> list[float]:
    """Sign changes of `fn` on a dense grid, refined by bisection; poles and jumps left out."""
    import numpy as np

    xs = np.linspace(*window, _SCAN)
    ys = fn(xs)
    scale = _height(ys)
    exact = [float(x) for x, y in zip(xs, ys, strict=True) if y == 0]
    change = np.nonzero((ys[:-1] * ys[1:] < 0) & np.isfinite(ys[:-1]) & np.isfinite(ys[1:]))[0]
    a, b, ya = xs[change], xs[change + 1], ys[change]
    for _ in range(_REFINE):
        mid = (a + b) / 2
        ym = fn(mid)
        same = np.sign(ym) == np.sign(ya)
        a, ya = np.where(same, mid, a), np.where(same, ym, ya)
        b = np.where(same, b, mid)
    roots = (a + b) / 2
    values = np.abs(fn(roots))
    found = [float(r) for r, v in zip(roots, values, strict=True) if v <= 1e-6 * (1 + scale)]
    return sorted({round(r, 10) for r in exact + found})


def _height(ys: Any) -> float:
    import numpy as np

    finite = ys[np.isfinite(ys)]
    if finite.size < 2:
        return 1.0
    low, high = np.percentile(finite, [5, 95])
    return float(high - low)


def extrema(
    expr: Any, var: Any, fn: Callable[[Any], Any], window: tuple[float, float]
) -> list[Extremum]:
    """Local maxima and minima: from the derivative's roots for a polynomial, else on a grid."""
    import sympy

    coefficients = polynomial_coefficients(sympy.expand(expr), var)
    if coefficients is not None:
        import numpy as np

        derivative = list(np.polyder(np.asarray(coefficients))) if len(coefficients) > 1 else []
        xs = _real_polynomial_roots([float(c) for c in derivative])
    else:
        xs = _scan_turns(fn, window)
    found = []
    for x in xs:
        width = 1e-3 * max(1.0, abs(x))
        left, here, right = fn_at(fn, [x - width, x, x + width])
        if not all(math.isfinite(v) for v in (left, here, right)):
            continue
        if here >= left and here >= right and (here > left or here > right):
            found.append(Extremum(x, here, "max"))
        elif here <= left and here <= right and (here < left or here < right):
            found.append(Extremum(x, here, "min"))
    return found


def _scan_turns(fn: Callable[[Any], Any], window: tuple[float, float]) -> list[float]:
    """Where the sampled curve turns from rising to falling or back, refined (golden section)."""
    import numpy as np

    xs = np.linspace(*window, _SCAN)
    ys = fn(xs)
    step = np.diff(ys)
    small = np.abs(step) <= 0.05 * _height(ys)  # beside a pole the steps are huge: no turn
    turn = np.nonzero((step[:-1] * step[1:] < 0) & small[:-1] & small[1:])
    found = []
    for i in turn[0]:
        a, b = float(xs[i]), float(xs[i + 2])
        sign = 1.0 if step[i] > 0 else -1.0  # rising then falling: a maximum

        def cost(x: float, sign: float = sign) -> float:
            return -sign * fn_at(fn, [x])[0]

        found.append(_golden(cost, a, b))
    return found


def _golden(cost: Callable[[float], float], a: float, b: float) -> float:
    ratio = (math.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = cost(c), cost(d)
    for _ in range(_REFINE):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = cost(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = cost(d)
    return (a + b) / 2


def system_solutions(first: Any, second: Any, x: Any, y: Any) -> list[tuple[float, float]]:
    """Real common points of two polynomial curves F(x, y) = 0 and G(x, y) = 0 (empty if the
    curves are not small polynomials or share a whole piece)."""
    import numpy as np
    import sympy

    polys = []
    for expr in (first, second):
        numerator = sympy.expand(sympy.fraction(sympy.together(expr))[0])
        if not numerator.is_polynomial(x, y) or numerator.free_symbols - {x, y}:
            return []
        poly = sympy.Poly(numerator, x, y)
        if poly.total_degree() > MAX_SYSTEM_DEGREE or poly.is_zero:
            return []
        polys.append(poly)
    with_y = [p for p in polys if p.degree(y) > 0]
    if not with_y:
        return []
    eliminated = sympy.Poly(sympy.resultant(polys[0].as_expr(), polys[1].as_expr(), y), x)
    if eliminated.is_zero:
        return []
    xs = _real_polynomial_roots([float(c) for c in eliminated.all_coeffs()])
    solutions = []
    for x0 in xs:
        in_y = sympy.Poly(with_y[0].as_expr().subs(x, x0), y)
        for y0 in _real_polynomial_roots([float(c) for c in in_y.all_coeffs()]):
            residuals = [abs(float(p.as_expr().subs({x: x0, y: y0}))) for p in polys]
            scale = 1.0 + max(abs(x0), abs(y0)) ** max(p.total_degree() for p in polys)
            if all(r <= 1e-6 * scale for r in residuals):
                solutions.append((x0, y0))
    unique: list[tuple[float, float]] = []
    for point in solutions:
        if all(np.hypot(point[0] - p[0], point[1] - p[1]) > 1e-6 for p in unique):
            unique.append(point)
    return unique

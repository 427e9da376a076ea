"""Comparing SymPy values and functions numerically, at high precision, with a witness."""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

_DIGITS = 30
_ZERO = 1e-12  # relative: below this a difference is rounding noise of a 30-digit evaluation
_CLEAR = 1e-7  # relative: above this two values clearly differ
# Sample points: both signs, no special values (0, 1, multiples of pi), distinct per variable.
_POINTS = tuple(
    sympy.Rational(n, d)
    for n, d in ((7, 5), (-13, 7), (23, 9), (-2, 3), (31, 11), (5, 17), (-29, 13), (17, 3), (3, 8))
)
MIN_AGREEING_POINTS = 4


def number(value: Any) -> complex | None:
    """A SymPy value as a finite complex number, or None."""
    if not isinstance(value, sympy.Basic) or not value.is_number:
        return None
    try:
        result = complex(sympy.N(value, _DIGITS))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if result != result or abs(result) == float("inf"):
        return None
    return result


def same_number(a: Any, b: Any) -> bool | None:
    """True if two numbers are equal, False if clearly different, None if it cannot tell."""
    x, y = number(a), number(b)
    if x is None or y is None:
        return None
    scale = max(1.0, abs(x), abs(y))
    if abs(x - y) <= _ZERO * scale:
        return True
    if abs(x - y) > _CLEAR * scale:
        return False
    return None


def real_number(value: Any) -> float | None:
    """The value as a real number, or None when it is not one (complex, undefined)."""
    x = number(value)
    if x is None or abs(x.imag) > _ZERO * max(1.0, abs(x.real)):
        return None
    return x.real


def compare_functions(
    f: Any, g: Any, symbols: list[sympy.Symbol]
) -> tuple[str, dict[sympy.Symbol, Any] | None]:
    """How two functions of `symbols` compare at sample points where both are real:
    ("same", None); ("positive", None) when they agree wherever every letter is positive but
    not elsewhere (textbooks simplify sqrt(x^2 y^2) to xy assuming so); ("different", point)
    with a positive point where they clearly differ; ("unknown", None)."""
    positive, point = _sample(f, g, symbols, [p for p in _POINTS if p > 0])
    if positive is False:
        return "different", point
    everywhere, _ = _sample(f, g, symbols, list(_POINTS))
    if everywhere is True:
        return "same", None
    if positive is True and everywhere is False:
        return "positive", None
    return "unknown", None


def _sample(
    f: Any, g: Any, symbols: list[sympy.Symbol], points: list[Any]
) -> tuple[bool | None, dict[sympy.Symbol, Any] | None]:
    """(True, None) if f and g agree at every point where both are real numbers and there
    are enough of them; (False, point) at the first point where they clearly differ;
    (None, None) when the samples cannot tell."""
    agreeing = 0
    for k in range(len(points)):
        point = {s: points[(k + j) % len(points)] for j, s in enumerate(symbols)}
        try:
            fx, gx = real_number(f.subs(point)), real_number(g.subs(point))
        except (TypeError, ValueError, ZeroDivisionError, RecursionError):
            continue
        if fx is None or gx is None:
            continue
        scale = max(1.0, abs(fx), abs(gx))
        if abs(fx - gx) > _CLEAR * scale:
            return False, point
        if abs(fx - gx) <= _ZERO * scale:
            agreeing += 1
    return (True, None) if agreeing >= MIN_AGREEING_POINTS else (None, None)


def point_text(point: dict[sympy.Symbol, Any]) -> str:
    """`x = 7/5` or `x = 7/5, y = -13/7`."""
    return ", ".join(f"{s} = {v}" for s, v in point.items())

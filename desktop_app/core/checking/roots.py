"""Solution sets SymPy can vouch for: solveset's answer, cross-checked before it is trusted.

A contradiction built on a solver bug would call a right answer wrong, so a solution set is
used only when every element substitutes back to zero and a numeric scan for sign changes
finds no root the set lacks. Anything less and the set is None ("could not find them all").
"""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.compare import number, real_number

_SCAN_RANGE = (-60.0, 60.0)
_SCAN_STEPS = 480
_BISECTIONS = 60
_ROOT = 1e-9


def unsafe_for_solving(expr: Any, unknowns: set[sympy.Symbol]) -> str | None:
    """Why SymPy's solution of `expr = 0` cannot be trusted here, or None."""
    if expr.free_symbols - unknowns:
        names = ", ".join(sorted(str(s) for s in expr.free_symbols - unknowns))
        return f"The equation has other letters ({names}) besides the unknown."
    if expr.atoms(sympy.Derivative, sympy.Integral, sympy.Sum, sympy.Product):
        return "The equation holds derivatives, integrals or sums."
    if any(isinstance(f, sympy.core.function.AppliedUndef) for f in expr.atoms(sympy.Function)):
        return "The equation uses a function that is not defined in the problem."
    for power in expr.atoms(sympy.Pow):
        exponent = power.exp
        if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 1:
            # SymPy's x**(1/3) is the principal (complex) root; for x < 0 students mean the
            # real root, so SymPy would miss real solutions.
            return "Odd roots of negative numbers are read differently by SymPy."
    if expr.atoms(sympy.floor, sympy.ceiling, sympy.factorial, sympy.Mod):
        return "The equation uses rounding, factorials or remainders."
    return None


def solution_set(expr: Any, var: sympy.Symbol, domain: Any) -> list[Any] | None:
    """All solutions of `expr = 0` for `var` in `domain`, or None when not certain."""
    try:
        found = sympy.solveset(expr, var, domain)
    except Exception:  # solveset raises many kinds on hard input; not knowing is the answer
        return None
    if found is sympy.S.EmptySet:
        roots: list[Any] = []
    elif isinstance(found, sympy.FiniteSet):
        roots = list(found)
    else:
        return None
    if any(number(r) is None or residual_is_zero(expr, var, r) is not True for r in roots):
        return None
    if domain.is_subset(sympy.S.Reals):
        # ln(8 - x^2) = ln(2 - x) at x = 3 is ln(-1) = ln(-1) in SymPy's complex logarithm;
        # on the reals both sides are undefined there, so 3 is no solution.
        roots = [r for r in roots if defined_on_reals(expr, var, r)]
        if unseen_real_root(expr, var, roots, domain):
            return None
    return roots


def defined_on_reals(expr: Any, var: sympy.Symbol, value: Any) -> bool:
    """Whether every function and root in `expr` is a real number at `value`."""
    for part in sympy.preorder_traversal(expr):
        if (
            isinstance(part, sympy.Function | sympy.Pow)
            and part.has(var)
            and real_number(part.subs(var, value)) is None
        ):
            return False
    return True


def residual_is_zero(expr: Any, var: sympy.Symbol, value: Any) -> bool | None:
    """True if `value` makes `expr` zero, False if clearly not, None if it cannot tell."""
    try:
        at = expr.subs(var, value)
    except Exception:  # substitution into unusual objects; cannot tell
        return None
    if at.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    x = number(at)
    if x is None:
        return None
    size = max(1.0, abs(number(value) or 0.0))
    if abs(x) <= 1e-12 * size:
        return True
    if abs(x) > 1e-7 * size:
        return False
    return None


def unseen_real_root(expr: Any, var: sympy.Symbol, roots: list[Any], domain: Any) -> bool:
    """Whether a sign change of `expr` on a grid hides a real root that `roots` lacks."""
    low, high = _scan_bounds(domain)
    try:
        f = sympy.lambdify(var, expr, modules="mpmath")
    except Exception:  # an expression lambdify cannot translate: no scan, no trust
        return True
    known = [r for r in (real_number(x) for x in roots) if r is not None]
    step = (high - low) / _SCAN_STEPS
    previous: tuple[float, float] | None = None
    for k in range(_SCAN_STEPS + 1):
        x = low + k * step + step * 1e-3  # off the grid's round numbers
        y = _real(f, x)
        if y is None:
            previous = None
            continue
        if previous is not None and (previous[1] < 0) != (y < 0):
            a, b = previous[0], x
            if not any(a - 1e-9 <= r <= b + 1e-9 for r in known) and _bisects_to_root(f, a, b):
                return True
        previous = (x, y)
    return False


def _scan_bounds(domain: Any) -> tuple[float, float]:
    low, high = _SCAN_RANGE
    if isinstance(domain, sympy.Interval):
        start, end = real_number(domain.start), real_number(domain.end)
        low = start if start is not None else low
        high = end if end is not None else high
    return low, high


def _real(f: Any, x: float) -> float | None:
    try:
        value = complex(f(x))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
        return None
    if value != value or abs(value.imag) > 1e-12 * max(1.0, abs(value.real)):
        return None
    if abs(value.real) == float("inf"):
        return None
    return value.real


def _bisects_to_root(f: Any, a: float, b: float) -> bool:
    """Whether the sign change on [a, b] is a root (it shrinks to 0), not a pole."""
    fa = _real(f, a)
    if fa is None:
        return False
    for _ in range(_BISECTIONS):
        m = (a + b) / 2
        fm = _real(f, m)
        if fm is None:
            return False
        if (fa < 0) == (fm < 0):
            a, fa = m, fm
        else:
            b = m
    end = _real(f, (a + b) / 2)
    return end is not None and abs(end) < _ROOT

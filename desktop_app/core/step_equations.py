"""Consecutive equations of a derivation: their real solutions compared, one step to the next.

`2x + 3 = 11` then `2x = 8` keep the solution x = 4: ok. `2x = 14` shares none: wrong, with
x = 4 as the counterexample. A step that keeps every solution and may add some (squaring,
multiplying by an expression) is ok; one that loses some (dividing by x, restricting the
domain, picking a case) is left unjudged. Linear inequalities are compared the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from desktop_app.core.step_judge import number, show

__all__ = ["Equation", "compare_equations", "compare_inequalities", "roots", "show_root"]

_MAX_DEGREE = 6
Compared = tuple[Literal["ok", "wrong"], str, str] | None


@dataclass(frozen=True)
class Equation:
    """One equation or inequality in one symbol, with its real solutions (boundary)."""

    symbol: Any
    latex: str
    roots: tuple[float, ...]
    index: int  # which formula of the solution it was
    left: Any
    right: Any
    relation: str
    solved: bool  # "x = 4": a result, not an equation to transform


def roots(difference: Any, symbol: Any) -> tuple[float, ...] | None:
    """The real solutions of `difference = 0` in x; None unless a small rational equation."""
    from sympy import Poly, fraction, together  # type: ignore[import-untyped]

    try:
        numerator, denominator = fraction(together(difference))
        if not numerator.is_polynomial(symbol) or not denominator.is_polynomial(symbol):
            return None
        poly = Poly(numerator, symbol)
        if not 1 <= poly.degree() <= _MAX_DEGREE:
            return None
        found = [complex(r) for r in poly.nroots(n=15, maxsteps=60)]
    except Exception:  # no convergence, or not a polynomial after all
        return None
    real = sorted({round(r.real, 9) for r in found if abs(r.imag) < 1e-9})
    valid = []
    for r in real:
        den = number(denominator.subs(symbol, r))
        if den is not None and abs(den) > 1e-9:
            valid.append(r)
    return tuple(valid)


def _solution_sets(before: tuple[float, ...], after: tuple[float, ...]) -> str:
    """How two solution sets compare: same, more (after adds some), fewer, disjoint or overlap."""

    def within(xs: tuple[float, ...], ys: tuple[float, ...]) -> bool:
        return all(any(abs(x - y) <= 1e-6 * max(1.0, abs(x)) for y in ys) for x in xs)

    if within(before, after) and within(after, before):
        return "same"
    if within(before, after):
        return "more"
    if within(after, before):
        return "fewer"
    if not any(within((x,), after) for x in before):
        return "disjoint"
    return "overlap"


def compare_equations(
    earlier: list[Equation], now: Equation
) -> tuple[Literal["ok", "wrong"], str, str] | None:
    """Same solutions as an equation just before it: ok; none in common with any of them: wrong."""
    x = now.symbol
    for e in reversed(earlier):
        relation = _solution_sets(e.roots, now.roots)
        if relation == "same":
            listed = ", ".join(f"{x} = {show_root(r)}" for r in now.roots)
            return "ok", f"same solutions as {e.latex}: {listed}", e.latex
        if relation == "more":
            return (
                "ok",
                f"keeps every solution of {e.latex} (it may add some, as squaring does)",
                e.latex,
            )
    if all(_solution_sets(e.roots, now.roots) == "disjoint" for e in earlier):
        e = earlier[-1]
        r = e.roots[0]
        left, right = now.left.subs(x, r), now.right.subs(x, r)
        return (
            "wrong",
            f"{x} = {show_root(r)} solves {e.latex}, but in {now.latex} the left side "
            f"is {show(left)}, the right side is {show(right)}",
            e.latex,
        )
    return None


def compare_inequalities(
    earlier: list[Equation], now: Equation
) -> tuple[Literal["ok", "wrong"], str, str] | None:
    """Linear inequalities: the same half-line is ok; no common point (lost sign flip) is wrong."""
    x = now.symbol
    for e in reversed(earlier):
        if not (_linear(e, x) and _linear(now, x)):
            return None
        boundary, other = e.roots[0], now.roots[0]
        probes = tuple(
            sorted(
                {
                    boundary - 1,
                    boundary,
                    boundary + 1,
                    other - 1,
                    other,
                    other + 1,
                    (boundary + other) / 2,
                }
            )
        )
        before = [_holds(e, x, p) for p in probes]
        after = [_holds(now, x, p) for p in probes]
        if before == after and abs(boundary - other) < 1e-9:
            return "ok", f"same solutions as {e.latex}", e.latex
        if not any(b and a for b, a in zip(before, after, strict=True)):
            p = next(p for p, b in zip(probes, before, strict=True) if b)
            return (
                "wrong",
                f"{x} = {show_root(p)} satisfies {e.latex} but not {now.latex}",
                e.latex,
            )
    return None


def _linear(e: Equation, x: Any) -> bool:
    difference = e.left - e.right
    return bool(difference.is_polynomial(x)) and difference.as_poly(x).degree() == 1


def _holds(e: Equation, x: Any, point: float) -> bool:
    a, b = float(e.left.subs(x, point)), float(e.right.subs(x, point))
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[e.relation]


def show_root(r: float) -> str:
    """A root as written: 4, -2.5, 1.41421."""
    return str(int(r)) if float(r).is_integer() else f"{r:.6g}"

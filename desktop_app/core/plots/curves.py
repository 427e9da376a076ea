"""Curves: a function of one variable, or an equation in x and y; sampled into series.

An equation in x and y is drawn as y = g(x) when it is linear in y (`2x + 3y = 7`, `xy = 90`),
so it keeps exact gaps at its poles; otherwise (`x^2 + y^2 = 25`, `x = 3`) it is an implicit
curve, traced as the zero line of F(x, y) on a grid over the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from desktop_app.core.plots.expressions import (
    PlotInputError,
    latex_of,
    numeric,
    parse_typed,
    plain_text,
    plot_problem,
)
from desktop_app.core.plots.sampling import Sampled, sample_explicit, sample_implicit
from desktop_app.core.plots.spec import Series, SeriesRole


@dataclass(frozen=True)
class Curve:
    """Something to draw: y = expr(var), or (implicit) the points where expr(x, y) = 0."""

    name: str
    expr: Any
    var: Any
    implicit: bool
    latex: str
    text: str
    role: SeriesRole = "function"

    def numeric(self) -> Any:
        """NumPy function of the variable (explicit curves only)."""
        return numeric(self.expr, self.var)


def explicit(expr: Any, var: Any, role: SeriesRole = "function", name: str = "") -> Curve:
    """y = expr(var); PlotInputError when the expression cannot be sampled."""
    problem = plot_problem(expr, frozenset({var.name}))
    if problem is not None:
        raise PlotInputError(problem)
    expr = expr.doit()
    text = plain_text(expr)
    return Curve(name or f"y = {text}", expr, var, False, latex_of(expr), text, role)


def from_equation(lhs: Any, rhs: Any, role: SeriesRole = "curve") -> Curve:
    """The curve lhs = rhs in x and y: y = g(x) when linear in y, else implicit."""
    import sympy  # type: ignore[import-untyped]

    x, y = sympy.Symbol("x"), sympy.Symbol("y")
    if _is_function_of_x(lhs) or lhs == y:
        return explicit(rhs, x, role, f"y = {plain_text(rhs)}")
    if rhs == y:
        return explicit(lhs, x, role, f"y = {plain_text(lhs)}")
    for side in (lhs, rhs):
        problem = plot_problem(side, frozenset({"x", "y"}))
        if problem is not None:
            raise PlotInputError(problem)
    lhs, rhs = lhs.doit(), rhs.doit()
    difference = lhs - rhs
    equation = f"{plain_text(lhs)} = {plain_text(rhs)}"
    solved = _solve_linear_in_y(difference, y)
    if solved is not None and plot_problem(solved, frozenset({"x"})) is None:
        curve = explicit(solved, x, role, equation)
        return Curve(equation, curve.expr, x, False, curve.latex, curve.text, role)
    latex = f"{latex_of(lhs)} = {latex_of(rhs)}"
    numerator = sympy.fraction(sympy.together(difference))[0]
    return Curve(equation, numerator, (x, y), True, latex, equation, role)


def _is_function_of_x(expr: Any) -> bool:
    """f(x): a named function applied to the variable (the left side of a definition)."""
    from sympy.core.function import AppliedUndef  # type: ignore[import-untyped]

    return isinstance(expr, AppliedUndef) and len(expr.args) == 1 and expr.args[0].is_Symbol


def _solve_linear_in_y(difference: Any, y: Any) -> Any | None:
    """g(x) when difference = a(x)*y + b(x) with a nonzero a, else None."""
    import sympy

    numerator = sympy.expand(sympy.fraction(sympy.together(difference))[0])
    if y not in numerator.free_symbols or not numerator.is_polynomial(y):
        return None
    poly = sympy.Poly(numerator, y)
    if poly.degree() != 1:
        return None
    a, b = poly.all_coeffs()
    return None if a == 0 else sympy.cancel(-b / a)


def sample(
    curve: Curve,
    x_range: tuple[float, float],
    y_range: tuple[float, float] | None = None,
    extra: tuple[float, ...] = (),
) -> tuple[Series, Sampled]:
    """The curve sampled over the window, as a series (and the raw samples with its breaks)."""
    import numpy as np

    if curve.implicit:
        x, y = curve.var
        import sympy

        fn = sympy.lambdify((x, y), curve.expr, modules="numpy")
        xs, ys = sample_implicit(fn, x_range, y_range or x_range)
        sampled = Sampled(xs, ys)
    else:
        sampled = sample_explicit(curve.numeric(), x_range[0], x_range[1], extra=extra)
    series = Series(
        curve.name,
        curve.latex,
        curve.text,
        curve.role,
        tuple(float(v) for v in np.asarray(sampled.x, dtype=float)),
        tuple(float(v) for v in np.asarray(sampled.y, dtype=float)),
    )
    return series, sampled


def curve_from_typed(text: str, variable: str = "x") -> Curve:
    """The curve a user typed: `x^2-3`, `sin(x)/x`, `y = 2x+1`, `f(x) = ...`, `x^2+y^2=25`."""
    import sympy

    parsed = parse_typed(text)
    var = sympy.Symbol(variable)
    if isinstance(parsed, sympy.Equality):
        lhs, rhs = parsed.args
        if variable != "x" and not (_is_function_of_x(lhs) or lhs == sympy.Symbol("y")):
            raise PlotInputError(f"Type a function of {variable}, for example {variable}^2 - 3.")
        if _is_function_of_x(lhs) and lhs.args[0] != var:
            raise PlotInputError(f"A plotted function may use only {variable}.")
        curve = from_equation(lhs, rhs, "user")
        if not curve.implicit and curve.var != var:
            curve = explicit(curve.expr.subs(curve.var, var), var, "user", curve.name)
        return curve
    if isinstance(parsed, sympy.core.relational.Relational):
        raise PlotInputError("Type a function or an equation, not an inequality.")
    if not isinstance(parsed, sympy.Expr):
        raise PlotInputError("That is not a function I can read; try something like sin(x)/x.")
    return explicit(parsed, var, "user")


def sample_function(
    text: str,
    x_range: tuple[float, float],
    y_range: tuple[float, float] | None = None,
    variable: str = "x",
) -> Series:
    """What a user typed, sampled over `x_range`; PlotInputError (one sentence) if it cannot be.

    Accepts plain text (`x^2-3`, `sin(x)/x`, `sqrt(x+1)`, `y = 2x + 1`, `x^2 + y^2 = 25`) and
    LaTeX (`\\frac{1}{x}`). An implicit curve is traced over `y_range` (default: `x_range`).
    """
    lo, hi = x_range
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi and hi - lo < 1e9):
        raise PlotInputError("The range to plot over must be two finite numbers, low to high.")
    curve = curve_from_typed(text, variable)
    return sample(curve, (lo, hi), y_range)[0]

"""Derivatives (recomputed), antiderivatives (the answer differentiated), and values SymPy
computes: limits, definite integrals, sums, products, arithmetic, and simplified forms."""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.compare import compare_functions, number, point_text, same_number
from desktop_app.core.checking.equivalence import same_value
from desktop_app.core.checking.latex import (
    answer_object,
    drop_constant,
    says_does_not_exist,
    show,
)
from desktop_app.core.checking.outcome import Outcome, contradicted, unchecked, verified

_CONSTANT_NAMES = {"c", "k", "c_1", "c_{1}", "c1"}


def check_derivative(function: Any, var: sympy.Symbol, order: int, answer: str) -> Outcome:
    """The answer to "differentiate `function` (`order` times) with respect to `var`"."""
    claimed = _expression_answer(answer, {var})
    if claimed is None:
        return unchecked(f"The answer could not be read as a function of {var}.")
    names = "derivative" if order == 1 else ("second derivative" if order == 2 else "derivative")
    try:
        truth = sympy.diff(_real_symbols(function), _real(var), order)
    except Exception:  # SymPy could not differentiate it
        return unchecked("SymPy could not differentiate the function.")
    same, point = compare_functions(truth, _real_symbols(claimed), [_real(var)])
    if same == "same":
        return verified(f"The {names} is {show(truth)}, which equals the answer.")
    if same == "different" and point is not None:
        return contradicted(
            f"At {point_text(point)} the {names} is {show(_at(truth, point))}, "
            f"but the answer gives {show(_at(_real_symbols(claimed), point))}."
        )
    return unchecked(f"The {names} could not be compared with the answer.")


def check_antiderivative(integrand: Any, var: sympy.Symbol, answer: str) -> Outcome:
    """The answer to "integrate `integrand` d`var`": differentiating it must give it back."""
    claimed = _expression_answer(drop_constant(answer), {var}, constants=True)
    if claimed is None:
        return unchecked(f"The answer could not be read as a function of {var}.")
    x = _real(var)
    if not claimed.has(var):
        return unchecked(f"The answer does not depend on {var}; its reading is doubtful.")
    try:
        derivative = sympy.diff(_real_symbols(claimed), x)
    except Exception:  # SymPy could not differentiate it
        return unchecked("SymPy could not differentiate the answer.")
    same, point = compare_functions(derivative, _real_symbols(integrand), [x])
    if same == "same":
        return verified(f"Differentiating the answer gives back {show(integrand)}.")
    if same == "different" and point is not None:
        return contradicted(
            f"The derivative of the answer is {show(_at(derivative, point))} at "
            f"{point_text(point)}, but the integrand there is "
            f"{show(_at(_real_symbols(integrand), point))}."
        )
    return unchecked("The answer's derivative could not be compared with the integrand.")


def check_value(expression: Any, answer: str, what: str, *, one_sided: bool = False) -> Outcome:
    """The answer to "compute `expression`" (a limit, an integral, a sum, a product, or
    arithmetic); `what` names it for the reason ("The limit"). `one_sided`: the limit is
    written x -> a^+ or a^- (latex2sympy marks a plain x -> a with '+' as well)."""
    if isinstance(expression, sympy.Limit):
        return _check_limit(expression, answer, one_sided)
    truth = _compute(expression)
    if truth is None:
        return unchecked(f"SymPy could not compute {what.lower()}.")
    if truth.free_symbols:
        return unchecked(f"{what} depends on {', '.join(map(str, truth.free_symbols))}.")
    claimed = answer_object(answer)
    if claimed is None or not isinstance(claimed, sympy.Expr):
        return unchecked("The answer could not be read as a number.")
    if isinstance(claimed, sympy.Eq):
        claimed = claimed.rhs
    if claimed.free_symbols:
        return unchecked("The answer is not a single number.")
    if same_value(truth, claimed):
        return verified(f"{what} is {show(truth)}, as the answer says.")
    if _clearly_different(truth, claimed):
        return contradicted(f"{what} is {show(truth)}, not {show(claimed)}.")
    return unchecked(f"{what} is {show(truth)}; the answer could not be compared with it.")


def check_same_expression(expression: Any, answer: str, form: str) -> Outcome:
    """The answer to "simplify / expand / factor `expression`": equal everywhere, in the form."""
    symbols = sorted(expression.free_symbols, key=str)
    if any(f.free_symbols for f in expression.atoms(sympy.binomial, sympy.factorial, sympy.gamma)):
        return unchecked("Factorials and binomials of letters hold only for whole numbers.")
    claimed = _expression_answer(answer, set(symbols))
    if claimed is None:
        return unchecked("The answer could not be read as an expression in the same letters.")
    if not symbols:
        return check_value(expression, answer, "The expression")
    same, point = compare_functions(
        _real_symbols(expression), _real_symbols(claimed), [_real(s) for s in symbols]
    )
    if same == "different" and point is not None:
        expected, given = _at(_real_symbols(expression), point), _at(_real_symbols(claimed), point)
        return contradicted(
            f"At {point_text(point)} the expression is {show(expected)}, "
            f"but the answer gives {show(given)}."
        )
    if same == "positive":
        return unchecked("The answer equals the expression when every letter is positive, "
                         "not for all values.")  # fmt: skip
    if same != "same":
        return unchecked("The answer could not be compared with the expression.")
    if form == "factored" and not _is_factored(claimed):
        return unchecked("The answer equals the expression, but it is not factored.")
    if form == "expanded" and sympy.expand(claimed) != claimed:
        return unchecked("The answer equals the expression, but it is not expanded.")
    if form == "simplified" and sympy.count_ops(claimed) > sympy.count_ops(expression):
        return unchecked("The answer equals the expression, but it is not simpler.")
    return verified("The answer equals the expression for every value of its letters.")


def _check_limit(limit: Any, answer: str, one_sided: bool) -> Outcome:
    expr, var, point = limit.args[0], limit.args[1], limit.args[2]
    direction = str(limit.args[3])
    try:
        if point.is_infinite:
            truth = sympy.limit(expr, var, point)
            sides = None
        elif direction in ("+", "-") and one_sided:
            truth, sides = sympy.limit(expr, var, point, dir=direction), None
        else:
            left = sympy.limit(expr, var, point, dir="-")
            right = sympy.limit(expr, var, point, dir="+")
            sides = (left, right)
            truth = left if left == right else None
    except Exception:  # SymPy's limit raises on what it cannot do
        return unchecked("SymPy could not compute the limit.")
    if says_does_not_exist(answer):
        if sides is not None and truth is None and all(s.is_number for s in sides):
            return verified(
                f"The limit does not exist: from the left it is {show(sides[0])}, "
                f"from the right {show(sides[1])}."
            )
        if truth is not None and truth.is_number and truth.is_finite:
            return contradicted(f"The limit is {show(truth)}.")
        return unchecked("Whether the limit exists could not be settled.")
    if truth is None or isinstance(truth, sympy.Limit) or truth.has(sympy.AccumBounds):
        return unchecked("SymPy could not compute the limit.")
    claimed = answer_object(answer)
    if claimed is None or not isinstance(claimed, sympy.Expr) or claimed.free_symbols:
        return unchecked("The answer could not be read as a number.")
    if truth.is_infinite or claimed.is_infinite:
        if truth == claimed:
            return verified(f"The limit is {show(truth)}, as the answer says.")
        return contradicted(f"The limit is {show(truth)}, not {show(claimed)}.")
    if same_value(truth, claimed):
        return verified(f"The limit is {show(truth)}, as the answer says.")
    if _clearly_different(truth, claimed):
        return contradicted(f"The limit is {show(truth)}, not {show(claimed)}.")
    return unchecked("The limit could not be compared with the answer.")


def _compute(expression: Any) -> Any:
    try:
        value = expression.doit()
    except Exception:  # SymPy could not carry it out
        return None
    if value.atoms(sympy.Integral):
        # An integral SymPy cannot do in closed form: a numeric value is still a value.
        definite = all(len(limits) == 3 for i in value.atoms(sympy.Integral) for limits in i.limits)
        return sympy.N(value, 30) if definite and not value.free_symbols else None
    if value.atoms(sympy.Sum, sympy.Product, sympy.Limit, sympy.Derivative):
        return None
    if value.has(sympy.zoo, sympy.nan):
        return None
    return sympy.simplify(value) if value.is_number else value


def _clearly_different(truth: Any, claimed: Any) -> bool:
    if same_number(truth, claimed) is not False:
        return False
    if claimed.atoms(sympy.Float):
        # A decimal answer is wrong only beyond its own rounding (same_value tried that).
        x, y = number(truth), number(claimed)
        return x is not None and y is not None and abs(x - y) > 1e-3 * max(1.0, abs(x))
    return True


def _expression_answer(answer: str, allowed: set[Any], *, constants: bool = False) -> Any:
    """The answer as an expression in the allowed letters (the right side of `f'(x) = ...`)."""
    claimed = answer_object(answer)
    if isinstance(claimed, sympy.Eq):
        claimed = claimed.rhs
    if not isinstance(claimed, sympy.Expr) or isinstance(claimed, sympy.Set):
        return None
    names = {str(s) for s in allowed}
    extra = {s for s in claimed.free_symbols if str(s) not in names}
    if constants:
        constant = {s for s in extra if str(s).lower() in _CONSTANT_NAMES}
        claimed = claimed.xreplace({s: 0 for s in constant})
        extra -= constant
    if extra:
        return None
    by_name = {str(s): s for s in allowed}
    return claimed.xreplace({s: by_name[str(s)] for s in claimed.free_symbols})


def _real(symbol: Any) -> sympy.Symbol:
    return sympy.Symbol(str(symbol), real=True)


def _real_symbols(expr: Any) -> Any:
    """The same expression over real letters (so |x|, log|x| differentiate as on paper)."""
    return expr.xreplace({s: _real(s) for s in expr.free_symbols})


def _at(expr: Any, point: dict[Any, Any]) -> Any:
    value = expr.subs(point)
    try:
        return sympy.nsimplify(sympy.simplify(value)) if value.is_number else value
    except Exception:  # showing the value is a courtesy; the raw one will do
        return value


def _is_factored(expr: Any) -> bool:
    """A product (or power) of non-constant factors: what "factor" asks for."""
    if isinstance(expr, sympy.Pow):
        return not expr.base.is_number
    if isinstance(expr, sympy.Mul):
        return sum(1 for f in expr.args if not f.is_number) >= 2 or any(
            isinstance(f, sympy.Pow) and not f.base.is_number for f in expr.args
        )
    return False

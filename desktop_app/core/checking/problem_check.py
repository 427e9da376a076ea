"""verify_answer's work in the checker: read the problem, pick the one check that fits it,
and run it. A problem that fits none, or fits in more than one way, is not checked."""

from __future__ import annotations

import re
from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.calculus import (
    check_antiderivative,
    check_derivative,
    check_same_expression,
    check_value,
)
from desktop_app.core.checking.equations import check_equation, check_system
from desktop_app.core.checking.inequalities import check_inequality
from desktop_app.core.checking.latex import answer_object, to_sympy
from desktop_app.core.checking.outcome import Outcome, unchecked
from desktop_app.core.checking.problem_text import Problem, read_problem

NOT_THIS_KIND = (
    "Only equations, inequalities, derivatives, integrals, limits, sums, products and "
    "arithmetic are checked, and this question asks for something else."
)
_ONE_SIDED = re.compile(r"\\lim\s*_\s*\{[^}]*\^\s*\{?\s*[+-]")
_VALUE_KINDS = ((sympy.Limit, "The limit"), (sympy.Sum, "The sum"), (sympy.Product, "The product"))


def verify_answer(problem: str, answer: str) -> list[str]:
    """[check, reason] for `answer` to `problem` (the checker task behind verify.verify_answer)."""
    outcome = check_answer(problem, answer)
    return [outcome.check, outcome.reason]


def check_answer(problem: str, answer: str) -> Outcome:
    """The answer checked against the problem by independent SymPy work."""
    if not answer.strip():
        return unchecked("There is no final answer to check.")
    read = read_problem(problem)
    if not read.formulas:
        return unchecked("The problem holds no formula to check the answer against.")
    if read.not_checked:
        return unchecked(NOT_THIS_KIND)
    parsed = [to_sympy(f) for f in read.formulas]
    if any(p is None for p in parsed):
        return unchecked("Part of the problem could not be read as mathematics.")
    unclear = sorted({str(s) for p in parsed for s in p.free_symbols if not _one_letter(s)})
    if unclear:
        return unchecked(f"The name {unclear[0]} could be one quantity or a product of letters.")
    if read.asks_for_derivative:
        return _derivative(read, parsed, answer)
    if len(parsed) == 1 and not _is_relation(parsed[0]):
        return _single_expression(read, parsed[0], answer)
    if all(_is_relation(p) for p in parsed) and read.asks_to_solve:
        return _relations(read, parsed, answer)
    return unchecked(NOT_THIS_KIND)


def _derivative(read: Problem, parsed: list[Any], answer: str) -> Outcome:
    if len(parsed) != 1:
        return unchecked(
            "The problem has more than one formula; which to differentiate is unclear."
        )
    function, order = parsed[0], read.derivative_order
    if isinstance(function, sympy.Eq):
        if not _names_a_function(function.lhs):
            return unchecked("The formula is an equation, not a function to differentiate.")
        function = function.rhs
    if isinstance(function, sympy.Derivative):
        function, order = function.expr, function.derivative_count
    var = _the_variable(function, read.target)
    if var is None:
        return unchecked("The variable to differentiate by is unclear.")
    return check_derivative(function, var, order, answer)


def _single_expression(read: Problem, expr: Any, answer: str) -> Outcome:
    if isinstance(expr, sympy.Integral):
        if all(len(limits) == 1 for limits in expr.limits) and len(expr.limits) == 1:
            return check_antiderivative(expr.function, expr.limits[0][0], answer)
        if all(len(limits) == 3 for limits in expr.limits):
            return check_value(expr, answer, "The integral")
        return unchecked(NOT_THIS_KIND)
    if isinstance(expr, sympy.Derivative):
        return check_derivative(expr.expr, expr.variables[0], expr.derivative_count, answer)
    if read.asks_for_antiderivative:
        var = _the_variable(expr, read.target)
        if var is None:
            return unchecked("The variable of integration is unclear.")
        return check_antiderivative(expr, var, answer)
    for kind, what in _VALUE_KINDS:
        if isinstance(expr, kind):
            one_sided = bool(_ONE_SIDED.search(read.formulas[0]))
            return check_value(expr, answer, what, one_sided=one_sided)
    if expr.atoms(sympy.Limit, sympy.Integral, sympy.Sum, sympy.Product, sympy.Derivative):
        return unchecked("The formula mixes a limit, integral or sum with other terms.")
    if not read.asks_to_compute:
        return unchecked(NOT_THIS_KIND)
    if expr.free_symbols:
        return check_same_expression(expr, answer, read.form)
    return check_value(expr, answer, "The expression")


def _relations(read: Problem, parsed: list[Any], answer: str) -> Outcome:
    domain = _domain(read)
    if domain is None:
        return unchecked("The interval the solutions must lie in could not be read.")
    unknowns = sorted(set().union(*(p.free_symbols for p in parsed)), key=str)
    if all(isinstance(p, sympy.Eq) for p in parsed):
        if len(parsed) == 1:
            equation = parsed[0]
            if read.asks_for_zeros and _names_a_function(equation.lhs):
                # "the roots of f(x) = x^2 - 5x + 6": where the function is zero
                equation = sympy.Eq(equation.rhs, 0)
            var = _the_variable(equation, read.target)
            if var is None:
                return unchecked("The equation has more than one letter; the unknown is unclear.")
            return check_equation(equation, var, answer, domain)
        if 2 <= len(unknowns) <= len(parsed) and read.target is None:
            return check_system(parsed, unknowns, answer)
        return unchecked("The equations do not form a system with as many unknowns.")
    if len(parsed) == 1 and len(unknowns) == 1:
        return check_inequality(parsed[0], unknowns[0], answer, domain)
    return unchecked(NOT_THIS_KIND)


def _domain(read: Problem) -> Any:
    """The reals, or the interval named in the problem ("which lie in [0, 2\\pi)")."""
    if read.restriction is None:
        return sympy.S.Reals
    value = answer_object(f"${read.restriction}$")
    if isinstance(value, sympy.Rel | sympy.And):
        if len(value.free_symbols) != 1:
            return None
        try:
            value = value.as_set()
        except Exception:  # a relation SymPy cannot turn into a set
            return None
    if isinstance(value, sympy.Interval) and value.is_subset(sympy.S.Reals):
        return value
    return None


def _the_variable(expr: Any, target: str | None) -> sympy.Symbol | None:
    symbols = sorted(expr.free_symbols, key=str)
    if target is not None:
        named = [s for s in symbols if str(s) == target]
        return named[0] if named and len(symbols) == 1 else None
    return symbols[0] if len(symbols) == 1 else None


def _names_a_function(lhs: Any) -> bool:
    """`f(x)`, `y`, `G(x)`: the left side of a function's definition."""
    if isinstance(lhs, sympy.core.function.AppliedUndef):
        return True
    return isinstance(lhs, sympy.Symbol) and str(lhs) in ("y", "f", "g", "h")


def _one_letter(symbol: Any) -> bool:
    """x, x_1, x_{12}, theta: one quantity; `ab` (from \\mathrm{ab}) may be a times b."""
    name = str(symbol)
    return bool(re.fullmatch(r"[A-Za-z](?:_\{?\w+\}?)?", name)) or name in _GREEK


_GREEK_NAMES = (
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu "
    "xi omicron rho sigma tau upsilon phi varphi chi psi omega"
)
_GREEK = frozenset(_GREEK_NAMES.split())


def _is_relation(value: Any) -> bool:
    if isinstance(value, sympy.And):
        return all(isinstance(a, sympy.Rel) for a in value.args)
    return isinstance(value, sympy.Rel)

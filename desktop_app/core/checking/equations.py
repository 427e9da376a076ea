"""Equations and systems: the answer's values substituted back, and the full solution set
compared, so a wrong value, a missing root and an extra root are each caught."""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.compare import number, real_number, same_number
from desktop_app.core.checking.equivalence import same_value
from desktop_app.core.checking.latex import answer_object, says_no_solution, show
from desktop_app.core.checking.outcome import Outcome, contradicted, unchecked, verified
from desktop_app.core.checking.roots import (
    residual_is_zero,
    solution_set,
    unsafe_for_solving,
)


def check_equation(equation: Any, var: sympy.Symbol, answer: str, domain: Any) -> Outcome:
    """The answer to "solve `equation` for `var`" (`domain`: the reals or a restriction)."""
    expr = equation.lhs - equation.rhs
    why_not = unsafe_for_solving(expr, {var})
    if why_not:
        return unchecked(why_not)
    claimed = claimed_values(answer, var)
    if claimed is None:
        return unchecked(f"The answer could not be read as values of {var}.")
    if any(_is_complex(v) for v in claimed):
        domain = sympy.S.Complexes
    roots = solution_set(expr, var, domain)
    exact = []
    for value in claimed:
        if isinstance(value, sympy.Float) and roots is not None:
            match = next((r for r in roots if same_value(r, value)), None)
            if match is None:
                return unchecked(f"{var} = {show(value)} is rounded; it matches no exact root.")
            value = match
        wrong = _fails(equation, var, value, domain)
        if wrong is not None:
            return wrong
        exact.append(value)
    if roots is None:
        if exact:
            return unchecked(
                f"{_values_text(var, exact)} each solve it, but SymPy could not confirm "
                "there are no other solutions."
            )
        return unchecked("SymPy could not find all the solutions to compare.")
    missing = [r for r in roots if not any(same_number(r, v) for v in exact)]
    if missing:
        root = missing[0]
        return contradicted(f"{var} = {show(root)} also solves {_equation_text(equation)}.")
    if any(not any(same_number(v, r) for r in roots) for v in exact):
        return unchecked("The answer's values solve it, but SymPy found a different set.")
    if not exact:
        return verified(f"{_equation_text(equation)} has no solution, as the answer says.")
    return verified(
        f"{_values_text(var, exact)} {'solves' if len(exact) == 1 else 'solve'} "
        f"{_equation_text(equation)}, and there are no other solutions."
    )


def check_system(equations: list[Any], unknowns: list[sympy.Symbol], answer: str) -> Outcome:
    """The answer to a system of equations in `unknowns` (sorted by name)."""
    for equation in equations:
        why_not = unsafe_for_solving(equation.lhs - equation.rhs, set(unknowns))
        if why_not:
            return unchecked(why_not)
    claimed = claimed_assignments(answer, unknowns)
    if claimed is None:
        names = ", ".join(str(u) for u in unknowns)
        return unchecked(f"The answer could not be read as values of {names}.")
    for assignment in claimed:
        for equation in equations:
            wrong = _system_fails(equation, assignment)
            if wrong is not None:
                return wrong
    solutions = _system_solutions(
        equations, unknowns, complex_ok=any(_is_complex(v) for a in claimed for v in a.values())
    )
    if solutions is None:
        return unchecked("The answer satisfies every equation, but SymPy could not confirm it "
                         "has found all the solutions.")  # fmt: skip
    missing = [s for s in solutions if not any(_same_assignment(s, c) for c in claimed)]
    if missing:
        return contradicted(f"{_tuple_text(missing[0], unknowns)} also solves the system.")
    if any(not any(_same_assignment(c, s) for s in solutions) for c in claimed):
        return unchecked("The answer satisfies the system, but SymPy found a different set.")
    if not claimed:
        return verified("The system has no solution, as the answer says.")
    shown = " and ".join(_tuple_text(c, unknowns) for c in claimed)
    return verified(f"{shown} {'solves' if len(claimed) == 1 else 'solve'} every equation, "
                    "and there are no other solutions.")  # fmt: skip


def claimed_values(answer: str, var: sympy.Symbol) -> list[Any] | None:
    """The numbers the answer gives for `var` ([] for "no solution"), or None."""
    if says_no_solution(answer):
        return []
    value = answer_object(answer)
    if value is None:
        return None
    values: list[Any] = []
    for item in _items(value):
        if isinstance(item, sympy.Eq):
            if str(item.lhs) != str(var):
                return None
            values.extend(_items(item.rhs))
        else:
            values.append(item)
    if not values or any(not isinstance(v, sympy.Expr) or not v.is_number for v in values):
        return None
    return values


def claimed_assignments(answer: str, unknowns: list[sympy.Symbol]) -> list[dict[str, Any]] | None:
    """The solutions the answer gives, as {name: value} each ([] for "no solution"), or None."""
    if says_no_solution(answer):
        return []
    value = answer_object(answer)
    if value is None:
        return None
    names = [str(u) for u in unknowns]
    items = _items(value)
    if all(isinstance(i, sympy.Eq) for i in items):
        one = {str(i.lhs): i.rhs for i in items}
        return [one] if sorted(one) == sorted(names) and _numbers(one) else None
    assignments = []
    for item in items:
        pair = _as_tuple(item)
        if pair is None or len(pair) != len(names):
            return None
        assignments.append(dict(zip(names, pair, strict=True)))
    return assignments if all(_numbers(a) for a in assignments) else None


def _items(value: Any) -> list[Any]:
    if isinstance(value, sympy.FiniteSet | sympy.And):
        args = value._unsorted_args if hasattr(value, "_unsorted_args") else value.args
        return [x for arg in args for x in _items(arg)]
    return [value]


def _as_tuple(item: Any) -> tuple[Any, ...] | None:
    if isinstance(item, sympy.Tuple):
        return tuple(item.args)
    if isinstance(item, sympy.Interval) and item.left_open and item.right_open:
        return (item.start, item.end)  # "(3, 4)" reads as an open interval: here it is a point
    return None


def _numbers(assignment: dict[str, Any]) -> bool:
    return all(isinstance(v, sympy.Expr) and v.is_number for v in assignment.values())


def _is_complex(value: Any) -> bool:
    x = number(value)
    return x is not None and abs(x.imag) > 1e-12 * max(1.0, abs(x.real))


def _fails(equation: Any, var: sympy.Symbol, value: Any, domain: Any) -> Outcome | None:
    """A contradiction when `value` clearly does not solve `equation`; None if it does."""
    if domain.is_subset(sympy.S.Reals):
        real = real_number(value)
        if real is not None and isinstance(domain, sympy.Interval) and not domain.contains(value):
            return contradicted(f"{var} = {show(value)} is outside {show(domain)}.")
    for side in (equation.lhs, equation.rhs):
        if side.subs(var, value).has(sympy.zoo, sympy.nan):
            return contradicted(f"{var} = {show(value)} makes {show(side)} undefined.")
    zero = residual_is_zero(equation.lhs - equation.rhs, var, value)
    if zero is not False:
        if (
            zero is True
            and domain.is_subset(sympy.S.Reals)
            and not _real_sides(equation, {str(var): value})
        ):
            return contradicted(f"{var} = {show(value)} makes a side of the equation non-real.")
        return (
            None
            if zero is True
            else unchecked(f"Substituting {var} = {show(value)} is inconclusive.")
        )
    return contradicted(f"{var} = {show(value)} gives {_sides_text(equation, {var: value})}.")


def _system_fails(equation: Any, assignment: dict[str, Any]) -> Outcome | None:
    symbols = {s: assignment[str(s)] for s in equation.free_symbols if str(s) in assignment}
    try:
        residual = (equation.lhs - equation.rhs).subs(symbols)
    except Exception:  # cannot substitute: cannot tell
        return unchecked("Substituting the answer into the system is inconclusive.")
    close = same_number(residual, sympy.Integer(0))
    if close is True:
        return None
    if close is None:
        return unchecked("Substituting the answer into the system is inconclusive.")
    given = ", ".join(f"{name} = {show(v)}" for name, v in assignment.items())
    return contradicted(f"{given} gives {_sides_text(equation, symbols)}.")


def _system_solutions(
    equations: list[Any], unknowns: list[sympy.Symbol], *, complex_ok: bool
) -> list[dict[str, Any]] | None:
    try:
        found = sympy.solve(equations, unknowns, dict=True)
    except Exception:  # SymPy could not solve it: not knowing is the answer
        return None
    solutions = []
    for solution in found:
        if set(solution) != set(unknowns) or not all(v.is_number for v in solution.values()):
            return None  # a family of solutions (a free parameter) or an unsolved part
        named = {str(k): v for k, v in solution.items()}
        if complex_ok or not any(_is_complex(v) for v in named.values()):
            solutions.append(named)
    for solution in solutions:
        if any(_system_fails(e, solution) is not None for e in equations):
            return None
    return solutions


def _same_assignment(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.keys() == b.keys() and all(same_number(a[k], b[k]) is True for k in a)


def _real_sides(equation: Any, assignment: dict[str, Any]) -> bool:
    symbols = {s: assignment[str(s)] for s in equation.free_symbols if str(s) in assignment}
    return all(real_number(side.subs(symbols)) is not None for side in (equation.lhs, equation.rhs))


def _sides_text(equation: Any, symbols: dict[Any, Any]) -> str:
    """`2x + 3y = 17, not 16`, or both sides when the right one has unknowns too."""
    left, right = (_value_text(side.subs(symbols)) for side in (equation.lhs, equation.rhs))
    if not (equation.rhs.free_symbols & set(symbols)):
        return f"{show(equation.lhs)} = {left}, not {right}"
    return f"{left} on the left of {_equation_text(equation)} and {right} on the right"


def _value_text(value: Any) -> str:
    if value.has(sympy.zoo, sympy.nan):
        return "undefined"
    simple = sympy.nsimplify(value) if value.is_number else value
    return show(simple if len(str(simple)) <= 24 else sympy.N(value, 6))


def _equation_text(equation: Any) -> str:
    return f"{show(equation.lhs)} = {show(equation.rhs)}"


def _values_text(var: sympy.Symbol, values: list[Any]) -> str:
    return " and ".join(f"{var} = {show(v)}" for v in values)


def _tuple_text(assignment: dict[str, Any], unknowns: list[sympy.Symbol]) -> str:
    names = [str(u) for u in unknowns]
    return f"({', '.join(names)}) = ({', '.join(show(assignment[n]) for n in names)})"

"""Inequalities in one unknown: the answer's set against SymPy's, with a point that shows
the difference, and SymPy's set itself tested at sample points before it is trusted."""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.compare import real_number
from desktop_app.core.checking.latex import answer_object, says_no_solution, show
from desktop_app.core.checking.outcome import Outcome, contradicted, unchecked, verified
from desktop_app.core.checking.roots import unsafe_for_solving

_SAMPLES = 240
_SAMPLE_RANGE = (-50.0, 50.0)


def check_inequality(relation: Any, var: sympy.Symbol, answer: str, domain: Any) -> Outcome:
    """The answer to "solve `relation` for `var`" over `domain` (the reals or an interval)."""
    for part in _parts(relation):
        why_not = unsafe_for_solving(part.lhs - part.rhs, {var})
        if why_not:
            return unchecked(why_not)
    claimed = claimed_set(answer, var)
    if claimed is None:
        return unchecked(f"The answer could not be read as a set of values of {var}.")
    truth = _solution(relation, var, domain)
    if truth is None:
        return unchecked("SymPy could not solve the inequality with certainty.")
    claimed = claimed.intersect(domain)
    missing, extra = _difference(truth, claimed), _difference(claimed, truth)
    if missing is None or extra is None:
        return unchecked("SymPy could not compare the two sets.")
    if missing is sympy.S.EmptySet and extra is sympy.S.EmptySet:
        return verified(f"The solution set is {show(truth)}, as the answer says.")
    if missing is not sympy.S.EmptySet:
        point = _point_in(missing)
        if point is not None and _holds(relation, var, point) is True:
            return contradicted(
                f"{var} = {show(point)} satisfies the inequality but is not in the answer "
                f"(the solution set is {show(truth)})."
            )
    if extra is not sympy.S.EmptySet:
        point = _point_in(extra)
        if point is not None and _holds(relation, var, point) is False:
            return contradicted(
                f"{var} = {show(point)} is in the answer but does not satisfy the inequality "
                f"(the solution set is {show(truth)})."
            )
    return unchecked("The sets differ, but no point could show it for certain.")


def claimed_set(answer: str, var: sympy.Symbol) -> Any:
    """The set of values the answer describes, or None."""
    if says_no_solution(answer):
        return sympy.S.EmptySet
    value = answer_object(answer)
    if value is None:
        return None
    if isinstance(value, sympy.Eq) and isinstance(value.rhs, sympy.Set):
        value = value.rhs  # "x \in (1, 2)"
    if isinstance(value, sympy.Set):
        return value if value.is_subset(sympy.S.Reals) else None
    if isinstance(value, sympy.Rel | sympy.And | sympy.Or):
        if {str(s) for s in value.free_symbols} != {str(var)}:
            return None
        try:
            return value.xreplace({s: var for s in value.free_symbols}).as_set()
        except Exception:  # a relation SymPy cannot turn into a set
            return None
    return None


def _parts(relation: Any) -> list[Any]:
    return list(relation.args) if isinstance(relation, sympy.And) else [relation]


def _solution(relation: Any, var: sympy.Symbol, domain: Any) -> Any:
    """SymPy's solution set, kept only if it agrees with the relation at every sample."""
    try:
        truth = domain
        for part in _parts(relation):  # a chain a < f(x) < b is both of its parts
            truth = truth.intersect(sympy.solveset(part, var, domain))
    except Exception:  # solveset raises many kinds on hard input
        return None
    if isinstance(truth, sympy.ConditionSet) or truth.atoms(sympy.ConditionSet):
        return None
    low: float | None = _SAMPLE_RANGE[0]
    high: float | None = _SAMPLE_RANGE[1]
    if isinstance(domain, sympy.Interval):
        low = real_number(domain.start) if domain.start.is_finite else low
        high = real_number(domain.end) if domain.end.is_finite else high
    if low is None or high is None:
        return None
    step = (high - low) / _SAMPLES
    for k in range(_SAMPLES):
        x = sympy.Float(low + (k + 0.37) * step, 30)
        holds = _holds(relation, var, x)
        if holds is None:
            continue
        inside = truth.contains(x)
        if inside not in (sympy.true, sympy.false) or bool(inside) != holds:
            return None
    return truth


def _holds(relation: Any, var: sympy.Symbol, point: Any) -> bool | None:
    """Whether the relation is true at `point`; None when a side is not a real number."""
    try:
        exact = relation.subs(var, point)
    except Exception:  # substitution into unusual objects; fall back to numbers
        exact = None
    if exact in (sympy.true, sympy.false) and all(
        real_number(side.subs(var, point)) is not None
        for part in _parts(relation)
        for side in (part.lhs, part.rhs)
    ):
        return bool(exact)
    for part in _parts(relation):
        left, right = real_number(part.lhs.subs(var, point)), real_number(part.rhs.subs(var, point))
        if left is None or right is None:
            return None
        if abs(left - right) < 1e-9 * max(1.0, abs(left), abs(right)):
            return None  # on the boundary: rounding decides, so it proves nothing
        if not part.func(left, right):
            return False
    return True


def _difference(a: Any, b: Any) -> Any:
    try:
        result = sympy.Complement(a, b)
    except Exception:  # set algebra on unusual sets
        return None
    if isinstance(result, sympy.Complement) or result.atoms(sympy.ConditionSet):
        return None
    return result


def _point_in(region: Any) -> Any:
    """A simple point inside a non-empty set (an element, or the middle of an interval)."""
    if isinstance(region, sympy.FiniteSet):
        return next(iter(region), None)
    if isinstance(region, sympy.Union):
        return _point_in(region.args[0])
    if isinstance(region, sympy.Interval):
        start, end = region.start, region.end
        if start.is_infinite and end.is_infinite:
            return sympy.Integer(0)
        if start.is_infinite:
            return sympy.floor(end) - 1
        if end.is_infinite:
            return sympy.ceiling(start) + 1
        if start == end:
            return start
        middle = (start + end) / 2
        nice = sympy.Rational(round(float(middle) * 2), 2)
        return nice if region.contains(nice) is sympy.true and nice not in (start, end) else middle
    return None

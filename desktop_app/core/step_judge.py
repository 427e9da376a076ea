"""The judgments behind step checking: numbers, identities, calculus, solution sets.

Each judge returns (verdict, reason) or None when it cannot tell. Identities are tested at
fixed positive rational points before anything symbolic runs; `simplify` is never called,
so the cost of a judgment is bounded by the size limits of `core/step_latex.py`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Literal

Verdict = Literal["ok", "wrong"]
Judgment = tuple[Verdict, str] | None

__all__ = [
    "Judgment",
    "calculus",
    "judge_calculus",
    "judge_identity",
    "judge_numbers",
    "show",
    "value",
]

# Positive points: most quantities in school problems are positive, and roots and logs of
# positive numbers are real, so a domain restriction is not mistaken for an error.
_POINTS = (
    Fraction(2),
    Fraction(3),
    Fraction(5, 2),
    Fraction(7, 3),
    Fraction(11, 5),
    Fraction(13, 4),
)
_REL = 1e-9


def show(value: Any) -> str:
    """A value as a student would write it: 12, -3/4, 2.5, 0.333333."""
    from sympy import Float, Integer, Rational  # type: ignore[import-untyped]

    if isinstance(value, Integer | int):
        return str(int(value))
    if isinstance(value, Rational | Fraction) and not isinstance(value, Float):
        frac = Fraction(int(value.p), int(value.q)) if isinstance(value, Rational) else value
        if frac.denominator == 1:
            return str(frac.numerator)
        return f"{frac.numerator}/{frac.denominator}" if frac.denominator <= 12 else _float(frac)
    found = number(value)
    return "undefined" if found is None else _float(found.real)


def _float(x: float | Fraction) -> str:
    value = float(x)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def number(expr: Any) -> complex | None:
    try:
        value = complex(expr.evalf(30) if hasattr(expr, "evalf") else expr)
    except (TypeError, ValueError, OverflowError, ZeroDivisionError):
        return None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        return None
    return value


def judge_numbers(
    left: Any, right: Any, relation: str, decimals: int | None, percent: bool
) -> Judgment:
    """A relation between two numeric expressions, allowing for the decimals written down."""
    a, b = number(left), number(right)
    if a is None or b is None or abs(a.imag) > 1e-9 or abs(b.imag) > 1e-9:
        return None
    x, y = a.real, b.real
    pairs = [(x, y)]
    if percent:  # "0.4 x 100 = 40%": a result written as a percentage of a count
        pairs.append((x, y * 100))
    # 2/3 = 0.67 rounds and 5/3 = 1.6 truncates: both are how a result is written down, and
    # 5.56 x 10^5 keeps three significant figures.
    tolerance = 0.0 if decimals is None else 10.0**-decimals
    relative = _REL if decimals is None else 5e-3
    said = f"the left side is {show(left)}, the right side is {show(right)}"
    if relation == "=":
        if any(_close(p, q, tolerance, relative) for p, q in pairs):
            return "ok", f"both sides are {show(right)}"
        if decimals is None and _rounded_to_whole(x, y):
            return None  # 800/3 = 266 bags: rounding for the story, not arithmetic
        return "wrong", said
    if relation == "~":
        if any(abs(p - q) <= max(0.05 * max(abs(p), abs(q)), tolerance, 1e-9) for p, q in pairs):
            return "ok", f"{show(left)} is about {show(right)}"
        return "wrong", f"the left side is {show(left)}, not about {show(right)}"
    holds = {
        "<": x < y + tolerance,
        "<=": x <= y + tolerance,
        ">": x > y - tolerance,
        ">=": x >= y - tolerance,
    }.get(relation)
    if holds is None:
        return None
    if holds:
        return "ok", f"{show(left)} {relation} {show(right)} holds"
    return "wrong", f"the left side is {show(left)}, the right side is {show(right)}"


def _close(p: float, q: float, tolerance: float, relative: float = _REL) -> bool:
    return abs(p - q) <= tolerance + relative * max(1.0, abs(p), abs(q))


def _rounded_to_whole(x: float, y: float) -> bool:
    whole_x, whole_y = float(x).is_integer(), float(y).is_integer()
    return whole_x != whole_y and abs(x - y) < 1


def judge_identity(left: Any, right: Any, claimed: bool, computed: bool = False) -> Judgment:
    """`left = right` for every value of the symbols; a wrong verdict names a point.

    `claimed`: the step says it rewrites one expression (a chain's later link, "expand",
    "factor"); otherwise the equality may be an equation to solve, and only "ok" is reported.
    `computed`: one side was worked out here (a derivative carried out), so any difference is
    an error, as long as it shows at every point checked.
    """
    difference = left - right
    symbols = sorted(difference.free_symbols | left.free_symbols | right.free_symbols, key=str)
    failures: list[tuple[dict[Any, Fraction], Any, Any]] = []
    checked = 0
    for k in range(len(_POINTS)):
        point = {s: _POINTS[(k + j) % len(_POINTS)] for j, s in enumerate(symbols)}
        values = [_at(side, point) for side in (left, right)]
        if values[0] is None or values[1] is None:
            continue
        if abs(values[0].imag) > 1e-9 or abs(values[1].imag) > 1e-9:
            continue  # outside the real domain at this point: no evidence either way
        checked += 1
        if not _close(values[0].real, values[1].real, 0):
            failures.append((point, values[0], values[1]))
    if checked < 3:
        return None
    if not failures:
        return "ok", f"equal for every value (checked at {checked} points)"
    if computed:
        if len(failures) < checked:
            return None
    elif not claimed or not _differs_by_one_term(left, right, symbols):
        return None
    point, a, b = failures[0]
    where = ", ".join(f"{s} = {show(v)}" for s, v in point.items())
    return (
        "wrong",
        f"at {where} the left side is {_float(a.real)}, the right side is {_float(b.real)}",
    )


def _at(expr: Any, point: dict[Any, Fraction]) -> complex | None:
    from sympy import Rational

    try:
        value = expr.subs({s: Rational(v.numerator, v.denominator) for s, v in point.items()})
    except Exception:  # SymPy raises many kinds on odd input; unknown is the answer
        return None
    return number(value)


def _differs_by_one_term(left: Any, right: Any, symbols: list[Any]) -> bool:
    """Whether two rational expressions differ by a constant or a single term.

    That is how a slip in a rewriting looks: a dropped constant, a wrong coefficient, a lost
    cross term 2ab. A difference of several terms (`x - 7`, `a + b - 5`) is more often an
    equation written as a chain, or a relation given in the problem used in passing, so such
    steps are left unjudged. Roots, absolute values, logarithms and trigonometry change with
    the domain and are never called wrong here.
    """
    from sympy import Add, expand, fraction, together

    if not all(side.is_rational_function(*symbols) for side in (left, right)):
        return False
    try:
        numerator, _ = fraction(together(left - right))
        numerator = expand(numerator)
    except Exception:  # an expression SymPy cannot bring to one fraction is not judged
        return False
    return numerator != 0 and not isinstance(numerator, Add)


def value(expr: Any) -> Any:
    """A numeric term with finite sums and derivatives carried out (integrals stay numeric)."""
    from sympy import Derivative, Sum

    if expr.has(Sum):
        for s in expr.atoms(Sum):
            low, high = s.limits[0][1:]
            if abs(int(high) - int(low)) > 1000:
                raise ValueError("sum too long to carry out")
        expr = expr.doit()
    if expr.has(Derivative):
        expr = expr.doit()
    return expr


def calculus(a: Any, b: Any) -> bool:
    from sympy import Derivative, Integral

    return bool(a.has(Derivative, Integral) or b.has(Derivative, Integral))


def judge_calculus(a: Any, b: Any) -> Judgment:
    """d/dx f = g by differentiating; \\int f dx = F (+ C) by checking F' = f."""
    from sympy import Derivative, Integral

    for side, other in ((a, b), (b, a)):
        if isinstance(side, Integral) and len(side.limits) == 1 and len(side.limits[0]) == 1:
            x = side.limits[0][0]
            judged = judge_identity(other.diff(x), side.function, True, computed=True)
            if judged is not None and judged[0] == "wrong":
                reason = judged[1].replace("the left side is", "the derivative of the result is")
                return "wrong", reason.replace("the right side is", "the integrand is")
            return None if judged is None else ("ok", "its derivative is the integrand")
    if a.has(Integral) or b.has(Integral):
        return judge_identity(a, b, True) if a.free_symbols == b.free_symbols else None
    left = a.doit() if a.has(Derivative) else a
    right = b.doit() if b.has(Derivative) else b
    return judge_identity(left, right, True, computed=True)

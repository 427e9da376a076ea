"""What a problem asks to see: a function, an equation's two sides, an inequality, a system
of two curves, a derivative (with its tangent) or an integral (with its area) — or nothing.

Counting, number theory, matrices and word problems with no function in them get no plot:
a graph of `n!` or of a matrix says nothing to a student.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from desktop_app.core.plots.curves import Curve, explicit, from_equation
from desktop_app.core.plots.expressions import PlotInputError, parse_latex
from desktop_app.core.plots.hints import answer_values, stated_bounds, tangent_point
from desktop_app.core.plots.reading import Formula, formulas, prose
from desktop_app.core.plots.spec import PlotKind

_DISCRETE_WORDS = re.compile(
    r"\b(?:integers?|primes?|digits?|remainders?|divisible|divisors?|gcd|lcm|modulo|"
    r"probability|matrix|matrices|vectors?|determinants?|eigen\w*|sequences?|series|"
    r"permutations?|combinations?|how many ways|dice|coins?)\b"
)
_DISCRETE_COMMANDS = re.compile(r"\\(?:pmod|bmod|mod|binom|equiv)(?![A-Za-z])")
_INTEGRAL_WORDS = ("integral", "integrate", "antiderivative", "area under", "area between",
                   "area of the region", "bounded by", "enclosed by")  # fmt: skip
_DERIVATIVE_WORDS = ("derivative", "differentiate", "tangent", "slope of the curve",
                     "rate of change", "f'(", "\\prime", "dy/dx")  # fmt: skip
_FUNCTION_WORDS = (
    "graph", "plot", "sketch", "function", "zero", "root", "domain", "range", "asymptote",
    "maximum", "minimum", "extrem", "vertex", "intercept", "increasing", "decreasing",
    "concav", "inflection", "period", "amplitude", "limit",
)  # fmt: skip


@dataclass
class Problem:
    """A problem read for plotting: its kind, its curves, and the points that matter."""

    kind: PlotKind
    var: Any
    curves: list[Curve]
    title: str
    relations: list[tuple[Any, str, Any]] = field(default_factory=list)  # lhs, op, rhs
    bounds: tuple[Any, Any] | None = None  # an integral's (SymPy numbers, maybe ±oo)
    point: float | None = None  # where the tangent touches
    domain: tuple[float, float] | None = None
    answer_values: list[float] = field(default_factory=list)
    answer: Any = None  # the final answer, parsed


def read_problem(transcript: str, question: str, answer: str | None) -> Problem | None:
    """The problem's plot-worthy content, or None when there is nothing to plot."""
    import sympy  # type: ignore[import-untyped]

    text = f"{transcript}\n{question}"
    words = prose(text)
    if _DISCRETE_WORDS.search(words) or _DISCRETE_COMMANDS.search(text):
        return None
    found = formulas(text)
    if any(_is_discrete(f.value) for f in found):
        return None
    found = _substitute_definitions(found)
    parsed_answer = parse_latex(answer) if answer else None
    reader = _Reader(found, words, _flat(text), parsed_answer)
    for attempt in (reader.integral, reader.derivative, reader.system, reader.relation):
        try:
            problem = attempt()
        except (PlotInputError, TypeError, ValueError, sympy.SympifyError):
            problem = None
        if problem is not None:
            return problem
    try:
        return reader.function()
    except (PlotInputError, TypeError, ValueError, sympy.SympifyError):
        return None


def _is_discrete(value: Any) -> bool:
    import sympy

    if isinstance(value, sympy.MatrixBase):
        return True
    kinds = (sympy.Sum, sympy.Product, sympy.factorial, sympy.binomial)
    return bool(getattr(value, "has", lambda *_: False)(*kinds))


def _flat(text: str) -> str:
    """The text with math delimiters and LaTeX spacing removed, for the pattern searches."""
    text = re.sub(r"\$+|\\[()\[\]]|\\[,;! ]|\\left|\\right|\\dfrac", " ", text)
    return re.sub(r"\s+", " ", text).lower()


def _substitute_definitions(found: list[Formula]) -> list[Formula]:
    """`f(x) = x^2 - 4` then `f(x) > 0`: the second becomes `x^2 - 4 > 0`."""
    import sympy

    definitions = {}
    for formula in found:
        value = formula.value
        if isinstance(value, sympy.Equality) and _defines_function(value):
            lhs, rhs = value.args
            definitions[lhs.func] = (lhs.args[0], rhs)
    if not definitions:
        return found
    out = []
    for formula in found:
        value = formula.value
        if not (isinstance(value, sympy.Equality) and _defines_function(value)):
            for func, (var, body) in definitions.items():
                value = value.replace(func, sympy.Lambda(var, body))
        out.append(Formula(formula.latex, value))
    return out


def _defines_function(value: Any) -> bool:
    from sympy.core.function import AppliedUndef  # type: ignore[import-untyped]

    lhs, rhs = value.args
    return (
        isinstance(lhs, AppliedUndef)
        and len(lhs.args) == 1
        and _is_variable(lhs.args[0])
        and rhs.free_symbols == {lhs.args[0]}
    )


def _is_variable(symbol: Any) -> bool:
    """A plotted variable is one letter (or θ): `lb` or `mph` in a word problem is a unit."""
    name = getattr(symbol, "name", "")
    return bool(symbol.is_Symbol and (re.fullmatch(r"[a-df-hj-z]", name) or name == "theta"))


class _Reader:
    """Tries each kind of problem in turn against the same parsed formulas."""

    def __init__(self, found: list[Formula], words: str, flat: str, answer: Any) -> None:
        self.values = [f.value for f in found]
        self.words, self.flat, self.answer = words, flat, answer

    def _has(self, words: tuple[str, ...]) -> bool:
        return any(w in self.words or w in self.flat for w in words)

    def _functions(self) -> list[tuple[Any, Any]]:
        """(variable, expression) of each function the problem defines or names."""
        import sympy

        out = []
        for value in self.values:
            if isinstance(value, sympy.Equality):
                if _defines_function(value):
                    out.append((value.args[0].args[0], value.args[1]))
                    continue
                lhs, rhs = value.args
                y, x = sympy.Symbol("y"), sympy.Symbol("x")
                if lhs == y and rhs.free_symbols == {x}:
                    out.append((x, rhs))
            elif (
                isinstance(value, sympy.Expr)
                and len(value.free_symbols) == 1
                and _is_variable(next(iter(value.free_symbols)))
                and not value.is_Symbol
                and not value.has(sympy.Integral, sympy.Derivative)
            ):
                out.append((next(iter(value.free_symbols)), value))
        return out

    def _domain(self) -> tuple[float, float] | None:
        import sympy

        for value in self.values:
            interval = None
            if isinstance(value, sympy.Interval):
                interval = value
            elif isinstance(value, sympy.Equality) and isinstance(value.args[1], sympy.Interval):
                interval = value.args[1]
            elif isinstance(value, sympy.And):
                interval = _as_interval(value)
            if interval is not None and interval.start.is_finite and interval.end.is_finite:
                return float(interval.start), float(interval.end)
        return None

    def integral(self) -> Problem | None:
        import sympy

        for value in self.values:
            integral = _first(value, sympy.Integral)
            if integral is None or len(integral.limits) != 1:
                continue
            limit = integral.limits[0]
            var, integrand = limit[0], integral.function
            if integrand.free_symbols != {var} or not _is_variable(var):
                continue
            curve = explicit(integrand, var)
            bounds = (limit[1], limit[2]) if len(limit) == 3 else None
            title = f"∫ {curve.text} d{var.name}"
            if bounds is not None:
                title += f" from {_plain(bounds[0])} to {_plain(bounds[1])}"
            return Problem("integral", var, [curve], title, bounds=bounds, answer=self.answer)
        if not self._has(_INTEGRAL_WORDS):
            return None
        functions = self._functions()
        if not functions:
            return None
        var = functions[0][0]
        curves = [explicit(expr, v) for v, expr in functions[:2] if v == var]
        bounds = stated_bounds(self.flat) or self._domain()
        if len(curves) > 1:
            title = "area between " + " and ".join(c.name for c in curves)
        else:
            title = f"∫ {curves[0].text} d{var.name}"
        return Problem("integral", var, curves, title, bounds=bounds, answer=self.answer)

    def derivative(self) -> Problem | None:
        import sympy

        target = None
        for value in self.values:
            derivative = _first(value, sympy.Derivative)
            if derivative is not None and len(derivative.variables) == 1:
                expr, var = derivative.expr, derivative.variables[0]
                if expr.free_symbols == {var} and _is_variable(var):
                    target = (var, expr)
                    break
        if target is None:
            if not self._has(_DERIVATIVE_WORDS):
                return None
            functions = self._functions()
            if not functions:
                return None
            target = functions[0]
        var, expr = target
        curve = explicit(expr, var, name=f"f({var.name}) = {explicit(expr, var).text}")
        return Problem(
            "derivative",
            var,
            [curve],
            curve.name,
            point=tangent_point(self.flat),
            domain=self._domain(),
        )

    def system(self) -> Problem | None:
        import sympy

        x, y = sympy.Symbol("x"), sympy.Symbol("y")
        equations: list[tuple[Any, Any]] = []
        for value in self.values:
            if not isinstance(value, sympy.Equality) or _defines_function(value):
                continue
            lhs, rhs = value.args
            symbols = value.free_symbols
            curve_in_x_y = y in symbols and symbols <= {x, y} and not _trivial(lhs, rhs)
            line_in_x = symbols == {x} and len(equations) == 1 and not _is_number(rhs)
            if curve_in_x_y or line_in_x:
                equations.append((lhs, rhs))
        if len(equations) < 2:
            return None
        curves = [from_equation(lhs, rhs) for lhs, rhs in equations[:2]]
        title = "; ".join(c.name for c in curves)
        return Problem("system", x, curves, title, answer=self.answer)

    def relation(self) -> Problem | None:
        """An equation or inequality in one unknown (its sides are the curves)."""
        import sympy

        for value in self.values:
            if isinstance(value, sympy.Equality) and _defines_function(value):
                continue
            relations = _relations(value)
            if not relations or any(r is None for r in relations):
                continue
            symbols = set().union(
                *(lhs.free_symbols | rhs.free_symbols for lhs, _, rhs in relations)
            )
            if len(symbols) != 1 or all(_trivial(lhs, rhs) for lhs, _, rhs in relations):
                continue
            if not _is_variable(next(iter(symbols))):
                continue
            var = next(iter(symbols))
            kind: PlotKind = "equation" if relations[0][1] == "=" else "inequality"
            try:
                curves = [
                    explicit(sympy.sympify(side), var, role="side")
                    for side in dict.fromkeys(s for lhs, _, rhs in relations for s in (lhs, rhs))
                    if side != 0 or len(relations) > 1
                ]
                title = _relation_title(relations, var)
            except PlotInputError:
                continue
            values = answer_values(self.answer)
            return Problem(
                kind, var, curves, title, relations=relations, answer_values=values,
                answer=self.answer, domain=self._domain(),
            )  # fmt: skip
        return None

    def function(self) -> Problem | None:
        import sympy

        functions = self._functions()
        named = any(isinstance(v, sympy.Equality) for v in self.values)  # f(x) = .., y = ..
        if not functions or not (named or self._has(_FUNCTION_WORDS)):
            return None
        var, expr = functions[0]
        curve = explicit(expr, var)
        return Problem("function", var, [curve], curve.name, domain=self._domain())


def _plain(value: Any) -> str:
    from desktop_app.core.plots.expressions import plain_text

    return plain_text(value).replace("oo", "∞")


def _first(value: Any, kind: type) -> Any | None:
    if isinstance(value, kind):
        return value
    atoms = value.atoms(kind) if hasattr(value, "atoms") else set()
    return next(iter(sorted(atoms, key=str)), None)


def _trivial(lhs: Any, rhs: Any) -> bool:
    """`x = 5` or `x > 3`: a value or a condition, not something to draw."""
    return bool((lhs.is_Symbol and _is_number(rhs)) or (rhs.is_Symbol and _is_number(lhs)))


def _is_number(value: Any) -> bool:
    return bool(getattr(value, "is_number", False))


_OPS = {"Equality": "=", "StrictLessThan": "<", "LessThan": "<=", "StrictGreaterThan": ">",
        "GreaterThan": ">="}  # fmt: skip


def _relations(value: Any) -> list[Any]:
    """[(lhs, op, rhs)] of an equation, an inequality, or a chain of them (`-1 < 2x+1 < 5`)."""
    import sympy

    parts = value.args if isinstance(value, sympy.And) else (value,)
    out: list[Any] = []
    for part in parts:
        op = _OPS.get(type(part).__name__)
        if op is None or not all(isinstance(a, sympy.Expr) for a in part.args):
            return [None]
        out.append((part.args[0], op, part.args[1]))
    return out


def _relation_title(relations: list[tuple[Any, str, Any]], var: Any) -> str:
    ops = {"<=": "≤", ">=": "≥"}
    parts = []
    for lhs, op, rhs in relations:
        left, right = explicit(lhs, var).text, explicit(rhs, var).text
        parts.append(f"{left} {ops.get(op, op)} {right}")
    return ", ".join(parts)


def _as_interval(value: Any) -> Any | None:
    """`0 <= x <= 2pi` as an Interval, or None."""
    relations = _relations(value)
    if len(relations) != 2 or None in relations:
        return None
    try:
        return value.as_set()
    except (NotImplementedError, TypeError, ValueError):
        return None

"""Reading formulas safely: LaTeX (or what a student types) -> a checked SymPy expression.

LaTeX goes through latex2sympy2_extended. Text is never evaluated: typed input is only
respelled as LaTeX (`sin(x)` -> `\\sin(x)`, `x**2` -> `x^{2}`) before the same parser reads it.
Every expression is size-checked before SymPy works on it, so no formula from a model or a
user can make SymPy compute a tower of powers or a huge factorial.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

MAX_LATEX = 300  # characters of one formula
MAX_TYPED = 200  # characters of one typed function
MAX_NODES = 160  # nodes of a SymPy expression tree
MAX_NUMBER = 10**6  # largest literal number in a plotted formula
MAX_EXPONENT = 64  # largest literal exponent

_TOWER = re.compile(r"\^\s*\{[^{}]*\^|\^\s*(?:\{[^{}]*\}|\w+)\s*\^")  # 9^{9^{9}}, 9^{9}^{9}
_BIG_EXPONENT = re.compile(r"\^\s*\{?\s*-?\s*\d{3,}")  # x^{1000000}
_LONG_NUMBER = re.compile(r"\d{9,}")
_TYPED_CHARS = re.compile(r"[A-Za-z0-9\s+\-*/^().,=<>|_'\[\]{}\\]*")
_UNICODE = {
    "−": "-", "×": "*", "·": "*", "÷": "/", "π": "\\pi ", "²": "^2", "³": "^3", "≤": "<=",
    "≥": ">=",
}  # fmt: skip
_TYPED_NAMES = {
    "arcsin": "\\arcsin", "arccos": "\\arccos", "arctan": "\\arctan", "asin": "\\arcsin",
    "acos": "\\arccos", "atan": "\\arctan", "sinh": "\\sinh", "cosh": "\\cosh", "tanh": "\\tanh",
    "sin": "\\sin", "cos": "\\cos", "tan": "\\tan", "cot": "\\cot", "sec": "\\sec", "csc": "\\csc",
    "ln": "\\ln", "log": "\\log", "exp": "\\exp", "pi": "\\pi ",
}  # fmt: skip
_WRAPPED = {  # name(...) -> LaTeX around the argument
    "sqrt": ("\\sqrt{", "}"), "abs": ("\\left|", "\\right|"),
    "floor": ("\\lfloor ", "\\rfloor "), "ceil": ("\\lceil ", "\\rceil "),
}  # fmt: skip
_NAME = re.compile(
    r"(?<![A-Za-z\\])(" + "|".join(sorted([*_TYPED_NAMES, *_WRAPPED], key=len, reverse=True)) + r")"
    r"(?![A-Za-z])"
)

log = logging.getLogger(__name__)


class PlotInputError(ValueError):
    """A formula that cannot be plotted; the message is one sentence for the user."""


def parse_latex(latex: str) -> Any | None:
    """A SymPy object for a LaTeX formula, or None when it is too big or cannot be read."""
    latex = latex.strip()
    if not latex or len(latex) > MAX_LATEX:
        return None
    if _TOWER.search(latex) or _BIG_EXPONENT.search(latex) or _LONG_NUMBER.search(latex):
        return None
    from latex2sympy2_extended import latex2sympy  # type: ignore[import-untyped]

    try:
        result = latex2sympy(latex)
    except Exception:  # the parser raises bare Exceptions for text it cannot read
        return None
    return _e_is_euler(result)


def _e_is_euler(obj: Any) -> Any:
    """The letter e means Euler's number in a school formula."""
    import sympy  # type: ignore[import-untyped]

    free: set[Any] = getattr(obj, "free_symbols", set())
    e = sympy.Symbol("e")
    return obj.subs(e, sympy.E) if e in free and hasattr(obj, "subs") else obj


def typed_to_latex(text: str) -> str:
    """What a student types (`sin(x)/x`, `x**2-3`, `sqrt(x+1)`) respelled as LaTeX."""
    for char, replacement in _UNICODE.items():
        text = text.replace(char, replacement)
    if not _TYPED_CHARS.fullmatch(text):
        raise PlotInputError(
            "Only numbers, x, operators and functions like sin, sqrt and ln can be plotted."
        )
    text = text.replace("**", "^")
    if "\\" not in text:
        text = _respell_names(text)
    return _brace_exponents(text)


def _respell_names(text: str) -> str:
    out, i = [], 0
    for match in _NAME.finditer(text):
        if match.start() < i:
            continue
        out.append(text[i : match.start()])
        name = match.group(1)
        i = match.end()
        if name in _TYPED_NAMES:
            out.append(_TYPED_NAMES[name])
            continue
        rest = text[i:].lstrip()
        if not rest.startswith("("):
            raise PlotInputError(f"Write {name} with brackets, for example {name}(x).")
        start = len(text) - len(rest)
        end = _closing(text, start)
        left, right = _WRAPPED[name]
        out.append(left + _respell_names(text[start + 1 : end]) + right)
        i = end + 1
    out.append(text[i:])
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    raise PlotInputError("A bracket is not closed.")


def _brace_exponents(text: str) -> str:
    """`x^-2` -> `x^{-2}`, `e^(2x)` -> `e^{(2x)}`: LaTeX wants one group after ^."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "^":
            out.append(text[i])
            i += 1
            continue
        j = i + 1
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == "(":
            end = _closing(text, j)
            out.append("^{" + _brace_exponents(text[j : end + 1]) + "}")
            i = end + 1
            continue
        match = re.match(r"-?\s*(?:\d+(?:\.\d+)?|[A-Za-z])", text[j:])
        if match:
            out.append("^{" + match.group(0) + "}")
            i = j + match.end()
            continue
        out.append("^")
        i += 1
    return "".join(out)


def parse_typed(text: str) -> Any:
    """A SymPy object for a typed function or equation; PlotInputError with one sentence if not."""
    text = text.strip()
    if not text:
        raise PlotInputError("Type a function of x, for example x^2 - 3.")
    if len(text) > MAX_TYPED:
        raise PlotInputError(f"That function is too long to plot (at most {MAX_TYPED} characters).")
    parsed = parse_latex(typed_to_latex(text))
    if parsed is None:
        raise PlotInputError("That is not a function I can read; try something like sin(x)/x.")
    return parsed


def plot_problem(expr: Any, symbols: frozenset[str]) -> str | None:
    """Why `expr` cannot be sampled (one sentence), or None when it is small and safe."""
    import sympy

    allowed_functions = _allowed_functions()
    for nodes, node in enumerate(sympy.preorder_traversal(expr), start=1):
        if nodes > MAX_NODES:
            return "That function is too complicated to plot."
        if isinstance(node, sympy.Symbol):
            if node.name not in symbols:
                return f"A plotted function may use only {_names(symbols)} (found {node.name})."
        elif isinstance(node, sympy.Integer | sympy.Rational):
            if abs(node.p) > MAX_NUMBER or abs(node.q) > MAX_NUMBER:
                return "That function has numbers too large to plot."
        elif isinstance(node, sympy.Float):
            if not abs(node) <= MAX_NUMBER:
                return "That function has numbers too large to plot."
        elif isinstance(node, sympy.Pow):
            exponent = node.exp
            if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
                return "That function has a power too large to plot."
            if not exponent.free_symbols and exponent.has(sympy.Pow) and not exponent.is_Rational:
                return "That function has a power too large to plot."
        elif isinstance(node, sympy.Function):
            if type(node) not in allowed_functions:
                return f"{type(node).__name__} cannot be plotted."
        elif not isinstance(node, sympy.Add | sympy.Mul | sympy.NumberSymbol):
            if node.is_number and node.is_extended_real is False:
                return "Complex numbers cannot be plotted."
            return f"{type(node).__name__} cannot be plotted."
    return None


def _names(symbols: frozenset[str]) -> str:
    return " and ".join(sorted(symbols))


def _allowed_functions() -> set[type]:
    import sympy

    return {
        sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc,
        sympy.asin, sympy.acos, sympy.atan, sympy.sinh, sympy.cosh, sympy.tanh, sympy.Abs,
        sympy.floor, sympy.ceiling,
    }  # fmt: skip


def real_roots_of_negatives(expr: Any) -> Any:
    """Odd roots of negative numbers as real numbers (∛-8 = -2), as students read them."""
    import sympy

    def odd_root(node: Any) -> bool:
        exp = node.exp
        return bool(exp.is_Rational and not exp.is_Integer and exp.q % 2 == 1)

    def real(node: Any) -> Any:
        base, exp = node.base, node.exp
        return sympy.sign(base) ** exp.p * sympy.Abs(base) ** exp

    return expr.replace(lambda n: isinstance(n, sympy.Pow) and odd_root(n), real)


def numeric(expr: Any, var: Any) -> Callable[[Any], Any]:
    """A NumPy function of `var` for a checked expression: real values, NaN where undefined."""
    import numpy as np
    import sympy

    fn = sympy.lambdify(var, real_roots_of_negatives(expr), modules="numpy")

    def evaluate(xs: Any) -> Any:
        xs = np.asarray(xs, dtype=float)
        with np.errstate(all="ignore"):
            try:
                ys = np.asarray(fn(xs))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                return np.full_like(xs, np.nan)
            if np.iscomplexobj(ys):
                ys = np.where(np.abs(ys.imag) < 1e-12, ys.real, np.nan)
            ys = np.broadcast_to(ys.astype(float), xs.shape).copy()
        ys[~np.isfinite(ys)] = np.nan
        return ys

    return evaluate


def plain_text(expr: Any) -> str:
    """An expression as a student would type it, and as `parse_typed` reads it back."""
    import sympy

    text = sympy.sstr(expr)
    text = re.sub(r"(\d\.\d*?)0{3,}\d?\b", r"\1", text)  # 5.60000000000000 -> 5.6
    text = re.sub(r"(\d)\.(?!\d)", r"\1", text)
    text = re.sub(r"(\d(?:\.\d+)?)e([-+]?\d+)", r"(\1*10**(\2))", text)  # 1.0e-7 -> (1.0*10^(-7))
    text = text.replace("**", "^")
    text = re.sub(r"\bAbs\(", "abs(", text)
    text = re.sub(r"\bceiling\(", "ceil(", text)
    text = re.sub(r"\blog\(", "ln(", text)
    text = re.sub(r"\bE\b", "e", text)
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\*(?=[A-Za-z(])", r"\1", text)
    return text


def latex_of(expr: Any) -> str:
    """An expression as LaTeX (natural log written \\ln, as parse_latex reads it)."""
    import sympy

    return str(sympy.latex(expr, ln_notation=True))


def quiet_parser_logs() -> None:
    """The LaTeX parser logs every unreadable formula; reading problems tries many."""
    logging.getLogger("latex2sympy2_extended").setLevel(logging.ERROR)

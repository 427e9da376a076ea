"""TIR's check: the boxed answer against the last value the model's code printed.

The printed value is model-controlled text, so it is never given to `eval` or SymPy's
`parse_expr` (both run Python). A small reader walks Python's syntax tree instead and builds
SymPy objects from numbers, a fixed list of names, arithmetic and lists; anything else is
unreadable.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import sympy  # type: ignore[import-untyped]

from desktop_app.core.checking.compare import same_number
from desktop_app.core.checking.equivalence import parse_answer, same_value
from desktop_app.core.checking.outcome import Outcome, contradicted, unchecked, verified

MAX_OUTPUT_LINE = 300
_MAX_EXPONENT = 400  # 2**400 is fine; 9**9**9 is a hang
_CONSTANTS: dict[str, Any] = {
    "pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo, "zoo": sympy.zoo,
    "nan": sympy.nan, "inf": sympy.oo, "True": None, "False": None, "None": None,
}  # fmt: skip
_FUNCTIONS: dict[str, Any] = {
    "sqrt": sympy.sqrt, "log": sympy.log, "exp": sympy.exp, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "Abs": sympy.Abs, "abs": sympy.Abs, "Rational": sympy.Rational, "Integer": sympy.Integer,
    "Float": sympy.Float, "root": sympy.root, "factorial": sympy.factorial,
    "binomial": sympy.binomial, "Interval": sympy.Interval, "FiniteSet": sympy.FiniteSet,
    "Union": sympy.Union, "Eq": sympy.Eq, "Matrix": sympy.Matrix, "Tuple": sympy.Tuple,
}  # fmt: skip
_INTERVAL_KINDS = {"open", "Lopen", "Ropen"}
_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_ERROR = re.compile(r"\b\w*(?:Error|Exception)\b|Traceback|timed out|stopped", re.IGNORECASE)


def compare_code_output(answer: str, output: str) -> list[str]:
    """[check, reason]: how the last printed line of the code output bears on the answer."""
    outcome = check_code_output(answer, output)
    return [outcome.check, outcome.reason]


def check_code_output(answer: str, output: str) -> Outcome:
    """verified when the last printed value equals the answer; contradicted when both are
    plain numbers and differ; unchecked otherwise."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return unchecked("The code printed nothing to compare the answer with.")
    last = lines[-1]
    if _ERROR.search(last):
        return unchecked("The code ended with an error, so its output proves nothing.")
    printed = read_printed_value(last)
    gold = parse_answer(answer)
    if printed is None or not gold:
        return unchecked(f"The code printed {_quote(last)}; it could not be compared.")
    if isinstance(gold[0], sympy.Basic):  # the same letter is the same symbol on both sides
        names = {str(s): s for s in gold[0].free_symbols}
        printed = printed.xreplace(
            {s: names[str(s)] for s in printed.free_symbols if str(s) in names}
        )
    candidates = [printed]
    if isinstance(printed, sympy.Tuple):
        candidates.append(sympy.FiniteSet(*printed.args))  # a list of roots: order is free
    if any(same_value(gold[0], c) for c in candidates):
        return verified(f"The code printed {_quote(last)}, which matches the answer.")
    if _plain_number(gold[0]) and _plain_number(printed) and same_number(gold[0], printed) is False:
        return contradicted(f"The code printed {_quote(last)}, which is not the answer.")
    return unchecked(f"The code printed {_quote(last)}; it could not be compared.")


def read_printed_value(text: str) -> Any:
    """A printed Python or SymPy value as a SymPy object, or None (never runs the text)."""
    if len(text) > MAX_OUTPUT_LINE:
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval")
        return _build(tree.body)
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, RecursionError, _Unreadable):
        return None


class _Unreadable(Exception):
    """A part of the printed text this reader does not accept."""


def _build(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float | complex):
            raise _Unreadable
        if isinstance(node.value, complex):
            return sympy.Float(node.value.real) + sympy.I * sympy.Float(node.value.imag)
        return (
            sympy.Integer(node.value)
            if isinstance(node.value, int)
            else sympy.Float(repr(node.value))
        )
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            if _CONSTANTS[node.id] is None:
                raise _Unreadable
            return _CONSTANTS[node.id]
        if re.fullmatch(r"[A-Za-z]\w{0,2}", node.id):
            return sympy.Symbol(node.id)
        raise _Unreadable
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _build(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.List | ast.Tuple):
        return sympy.Tuple(*(_build(e) for e in node.elts))
    if isinstance(node, ast.Set):
        return sympy.FiniteSet(*(_build(e) for e in node.elts))
    if isinstance(node, ast.Call) and not node.keywords:
        return _call(node)
    raise _Unreadable


def _binary(node: ast.BinOp) -> Any:
    left, right = _build(node.left), _build(node.right)
    if isinstance(node.op, ast.Pow):
        if not right.is_number or abs(sympy.N(right)) > _MAX_EXPONENT or left.has(sympy.Pow):
            raise _Unreadable
        return left**right
    operation = _OPERATORS.get(type(node.op))
    if operation is None:
        raise _Unreadable
    return operation(left, right)


def _call(node: ast.Call) -> Any:
    function = node.func
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        if function.value.id != "Interval" or function.attr not in _INTERVAL_KINDS:
            raise _Unreadable
        return getattr(sympy.Interval, function.attr)(*(_build(a) for a in node.args))
    if not isinstance(function, ast.Name) or function.id not in _FUNCTIONS:
        raise _Unreadable
    return _FUNCTIONS[function.id](*(_build(a) for a in node.args))


def _plain_number(value: Any) -> bool:
    return isinstance(value, sympy.Expr) and value.is_number and not value.has(sympy.I)


def _quote(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."

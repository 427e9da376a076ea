"""Final answers: the last \\boxed{...}, equivalence of two answers, and the TIR cross-check."""

from __future__ import annotations

import cmath
import re
from typing import Any

from desktop_app.core.events import Check
from desktop_app.core.latex_math import matching_close, normalise, split_top, to_sympy

__all__ = ["check_answer", "extract_boxed", "is_equivalent", "last_code_output", "normalise"]

_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_OUTPUT = re.compile(r"```output\n(.*?)\n?```", re.DOTALL)
_MATRIX = re.compile(r"\\begin\{[pbvBV]?matrix\}(.*)\\end\{[pbvBV]?matrix\}", re.DOTALL)
_REL_TOL = 1e-4
# Where two expressions are compared: both signs, no special values (Rational n/d).
_POINTS = tuple((n, d) for n, d in ((37, 7), (-23, 11), (53, 13), (-41, 9)))
_OPEN_TO_CLOSE = {"(": ")", "[": "]", "\\{": "\\}"}


def extract_boxed(text: str) -> str | None:
    """The content of the last complete \\boxed{...} in `text`, or None."""
    for match in reversed(list(_BOXED.finditer(text))):
        content = _balanced(text, match.end())
        if content is not None:
            return content.strip()
    return None


def _balanced(text: str, start: int) -> str | None:
    """The text from `start` up to the brace that closes the one just before it."""
    depth = 1
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # an escaped brace (\{ or \}) does not count
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start:i]
        i += 1
    return None


def is_equivalent(pred: str, ref: str) -> bool:
    """Whether two answers mean the same: by spelling, then numerically, then with SymPy."""
    try:
        return _equivalent(normalise(pred), normalise(ref), _has_percent(pred, ref))
    except (RecursionError, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return False


def _has_percent(*answers: str) -> bool:
    return any("%" in a for a in answers)


def _equivalent(a: str, b: str, percent: bool) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    a, b = _drop_variable(a, b), _drop_variable(b, a)
    if a == b:
        return True
    matrix_a, matrix_b = _MATRIX.fullmatch(a), _MATRIX.fullmatch(b)
    if matrix_a or matrix_b:
        if not (matrix_a and matrix_b):
            return False
        rows_a, rows_b = _cells(matrix_a.group(1)), _cells(matrix_b.group(1))
        return len(rows_a) == len(rows_b) and all(
            len(ra) == len(rb)
            and all(_equivalent(x, y, False) for x, y in zip(ra, rb, strict=True))
            for ra, rb in zip(rows_a, rows_b, strict=True)
        )
    union_a, union_b = split_top(a, "\\cup"), split_top(b, "\\cup")
    if len(union_a) > 1 or len(union_b) > 1:
        return len(union_a) == len(union_b) and all(
            _equivalent(x, y, False) for x, y in zip(union_a, union_b, strict=True)
        )
    group_a, group_b = _bracketed(a), _bracketed(b)
    if group_a is not None or group_b is not None:
        if group_a is None or group_b is None:
            return False
        (open_a, items_a), (open_b, items_b) = group_a, group_b
        if open_a != open_b or len(items_a) != len(items_b):
            return False
        if open_a == "\\{":
            return _same_items_unordered(items_a, items_b)
        return all(_equivalent(x, y, False) for x, y in zip(items_a, items_b, strict=True))
    list_a, list_b = split_top(a, ","), split_top(b, ",")
    if len(list_a) > 1 or len(list_b) > 1:  # bare lists are solution sets: order is free
        return len(list_a) == len(list_b) and _same_items_unordered(list_a, list_b)
    if "=" in a or "=" in b:
        return _same_equation(a, b)
    return _same_value(a, b, percent)


def _drop_variable(s: str, other: str) -> str:
    """`x=3` -> `3` when the other answer is a bare value (no `=`)."""
    if "=" in other:
        return s
    parts = split_top(s, "=")
    if len(parts) == 2 and re.fullmatch(r"[A-Za-z](?:_\{?\w+\}?)?", parts[0]):
        return parts[1]
    return s


def _cells(body: str) -> list[list[str]]:
    rows = [row for row in body.split("\\\\") if row.strip()]
    return [row.split("&") for row in rows]


def _bracketed(s: str) -> tuple[str, list[str]] | None:
    """(opening bracket, items) for (..), [..], \\{..\\} spanning the whole answer."""
    for opening in _OPEN_TO_CLOSE:
        if not s.startswith(opening):
            continue
        if opening == "\\{":
            if s.endswith("\\}"):
                return "\\{", split_top(s[2:-2], ",")
            return None
        if s[-1:] not in ")]" or matching_close(s, 0) not in (-1, len(s) - 1):
            return None  # e.g. (1+2)*(3): brackets that do not span the answer
        items = split_top(s[1:-1], ",")
        if len(items) == 1 and s[-1] == _OPEN_TO_CLOSE[opening]:
            return None  # just a parenthesised value
        # An interval's brackets matter: (a,b] differs from [a,b]; keep both ends.
        return opening + s[-1], items
    return None


def _same_items_unordered(items_a: list[str], items_b: list[str]) -> bool:
    remaining = list(items_b)
    for item in items_a:
        match = next(
            (j for j, other in enumerate(remaining) if _equivalent(item, other, False)), None
        )
        if match is None:
            return False
        remaining.pop(match)
    return not remaining


def _same_equation(a: str, b: str) -> bool:
    sides_a, sides_b = split_top(a, "="), split_top(b, "=")
    if len(sides_a) != 2 or len(sides_b) != 2:
        return False
    exprs = [to_sympy(x) for x in (*sides_a, *sides_b)]
    if any(e is None for e in exprs):
        return False
    diff_a, diff_b = exprs[0] - exprs[1], exprs[2] - exprs[3]
    if _is_zero(diff_a - diff_b) or _is_zero(diff_a + diff_b):
        return True
    if diff_b == 0:
        return False
    import sympy  # type: ignore[import-untyped]

    ratio = sympy.simplify(diff_a / diff_b)
    return bool(ratio.is_number and ratio != 0)


def _same_value(a: str, b: str, percent: bool) -> bool:
    x, y = to_sympy(a), to_sympy(b)
    if x is None or y is None:
        return False
    nx, ny = _number(x), _number(y)
    if nx is not None and ny is not None:
        candidates = (ny, ny / 100, ny * 100) if percent else (ny,)
        return any(_close(nx, c) for c in candidates)
    if nx is not None or ny is not None:
        return False
    return _is_zero(x - y)


def _number(expr: Any) -> complex | None:
    if not getattr(expr, "is_number", False):
        return None
    try:
        return complex(expr.evalf(20))
    except (TypeError, ValueError):
        return None


def _close(x: complex, y: complex) -> bool:
    if not (cmath.isfinite(x) and cmath.isfinite(y)):
        return x == y
    return abs(x - y) <= _REL_TOL * max(abs(x), abs(y)) or abs(x - y) < 1e-9


def _is_zero(expr: Any) -> bool:
    """Whether a SymPy expression is identically zero: fixed sample points, then simplify."""
    import sympy

    if expr == 0:
        return True
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols:
        value = _number(expr)
        return value is not None and abs(value) < 1e-9
    for k in range(3):
        point = {s: sympy.Rational(*_POINTS[(k + j) % len(_POINTS)]) for j, s in enumerate(symbols)}
        value = _number(expr.subs(point))
        if value is None:
            return bool(sympy.simplify(expr) == 0)
        if abs(value) > 1e-7:
            return False
    return True


def last_code_output(solution: str) -> str | None:
    """The text of the last ```output block in a TIR solution, or None."""
    outputs = _OUTPUT.findall(solution)
    return outputs[-1] if outputs else None


def check_answer(solution: str) -> tuple[str | None, Check]:
    """The boxed answer and how the last code output bears on it.

    verified: the last printed line of the last code output equals the answer;
    contradicted: both are plain numbers and they differ; unchecked: anything else
    (no answer, no code output, or values this simple rule cannot compare).
    """
    answer = extract_boxed(solution)
    output = last_code_output(solution)
    if answer is None or output is None:
        return answer, "unchecked"
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return answer, "unchecked"
    value = lines[-1]
    candidates = [value]
    if value[:1] in "[({" and value[-1:] in "])}":
        candidates.append(value[1:-1])  # a Python list or tuple of solutions
    if any(is_equivalent(answer, c) for c in candidates):
        return answer, "verified"
    got, want = to_sympy(normalise(answer)), to_sympy(normalise(value))
    if _number(got) is not None and _number(want) is not None:
        return answer, "contradicted"
    return answer, "unchecked"

"""Numbers a problem states in words: the tangent point, an integral's bounds, the answer's
values (`at x = 1`, `from 0 to 2`, `x = 2, 3`)."""

from __future__ import annotations

import re
from typing import Any

from desktop_app.core.plots.expressions import parse_latex

_NUMBER = r"(-?[0-9.]+|-?\\frac\{[^{}]*\}\{[^{}]*\}|-?\\?pi(?:/\d+)?|-?\d*\\pi(?:/\d+)?)"
_POINT_PATTERNS = (
    re.compile(r"\bat\s+(?:the\s+point\s+)?(?:where\s+)?[xt]\s*=\s*" + _NUMBER),
    re.compile(r"\bat\s+(?:the\s+point\s+)?\(\s*" + _NUMBER + r"\s*,"),
    re.compile(r"[a-z](?:'|\^\{?\\prime\}?)+\s*\(\s*" + _NUMBER + r"\s*\)"),
    re.compile(r"[xt]_\{?0\}?\s*=\s*" + _NUMBER),
)
_BOUND_PATTERNS = (
    re.compile(r"\bfrom\s+(?:[xt]\s*=\s*)?" + _NUMBER + r"\s+to\s+(?:[xt]\s*=\s*)?" + _NUMBER),
    re.compile(r"\bbetween\s+[xt]\s*=\s*" + _NUMBER + r"\s+and\s+[xt]\s*=\s*" + _NUMBER),
    re.compile(r"\b(?:on|over)\s+(?:the\s+interval\s+)?\[\s*" + _NUMBER + r"\s*,\s*" + _NUMBER),
)


def number(text: str) -> Any | None:
    """A real number written in LaTeX or plain (`2`, `-1.5`, `\\frac{\\pi}{4}`, `pi/2`), or None."""
    value = parse_latex(re.sub(r"\\?pi", r"\\pi ", text))
    if value is None or not getattr(value, "is_number", False):
        return None
    try:
        number = complex(value)
    except TypeError:
        return None
    return value if number.imag == 0 else None


def tangent_point(flat: str) -> float | None:
    """Where a tangent is asked for: `at x = 1`, `at the point (1, 2)`, `f'(2)`."""
    for pattern in _POINT_PATTERNS:
        match = pattern.search(flat)
        if match and (value := number(match.group(1))) is not None:
            return float(value)
    return None


def stated_bounds(flat: str) -> tuple[Any, Any] | None:
    """An integral's bounds in words: `from 0 to 2`, `between x = 1 and x = 3`, `on [0, 1]`."""
    for pattern in _BOUND_PATTERNS:
        match = pattern.search(flat)
        if match:
            a, b = number(match.group(1)), number(match.group(2))
            if a is not None and b is not None:
                return a, b
    return None


def answer_values(answer: Any) -> list[float]:
    """The real numbers a final answer gives (`x = 2, 3`, `\\{2, 3\\}`, `x=2 or x=3`)."""
    import sympy  # type: ignore[import-untyped]

    if answer is None:
        return []
    stack: list[Any] = [answer]
    out: list[float] = []
    while stack and len(out) < 20:
        item = stack.pop()
        if isinstance(item, sympy.Equality):
            stack.append(item.args[1])
        elif isinstance(item, sympy.FiniteSet | sympy.Tuple | tuple | list):
            stack.extend(item)
        elif getattr(item, "is_number", False):
            value = complex(item)
            if value.imag == 0:
                out.append(value.real)
    return sorted(out)

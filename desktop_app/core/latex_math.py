"""Answer strings: LaTeX normalisation and a small, safe LaTeX -> SymPy converter."""

from __future__ import annotations

import re
from typing import Any

_WRAPPERS = (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]"))
_SPACING = re.compile(r"\\[,;:!> ]|\\q?quad\b|\\displaystyle|\\limits|~")
_DEGREES = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree")
_TEXT = re.compile(r"\\(?:text|textbf|mathrm|mbox|textrm|mathbf|operatorname)\s*\{([^{}]*)\}")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d])")
_FUNCTIONS = {
    "sqrt", "root", "log", "exp", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "pi", "oo", "E", "I", "Abs", "factorial", "binomial",
}  # fmt: skip
_LATEX_NAMES = {
    "pi": "pi", "infty": "oo", "cdot": "*", "times": "*", "div": "/", "ln": "log", "log": "log",
    "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec",
    "csc": "csc", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "sinh": "sinh",
    "cosh": "cosh", "tanh": "tanh", "infinity": "oo",
}  # fmt: skip
_BY_LENGTH = sorted(_LATEX_NAMES, key=len, reverse=True)


def strip_math_delimiters(text: str) -> str:
    """`$x$`, `\\(x\\)`, `\\[x\\]` -> `x`."""
    text = text.strip()
    for left, right in _WRAPPERS:
        if text.startswith(left) and text.endswith(right) and len(text) > len(left) + len(right):
            return text[len(left) : -len(right)].strip()
    return text


def normalise(answer: str) -> str:
    """A canonical spelling of an answer: the same value written two ways usually matches."""
    s = strip_math_delimiters(answer)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = re.sub(r"\\(?:left|right)\s*\.", "", s)  # \left. is an invisible bracket
    s = re.sub(r"\\(?:left|right|[bB]ig+[lr]?)(?![A-Za-z])", "", s)
    s = s.replace("{,}", ",")
    s = _SPACING.sub(" ", s)
    s = _DEGREES.sub("", s)
    s = s.replace("\\%", "").replace("%", "").replace("\\$", "")
    s = _strip_text(s)
    s = re.sub(r"\s+", "", s)
    s = s.rstrip(".").rstrip("\\")
    s = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), s)
    s = re.sub(r"(?<![\d])\.(\d)", r"0.\1", s)  # .5 -> 0.5
    if re.fullmatch(r"-?\d+\.\d*?0+", s):
        s = s.rstrip("0").rstrip(".")  # 2.50 -> 2.5
    return s


def _strip_text(s: str) -> str:
    """Drop \\text{units} after a value; unwrap \\text{...} when it is the whole answer."""
    while (match := _TEXT.search(s)) is not None:
        rest = (s[: match.start()] + s[match.end() :]).strip()
        inner = match.group(1)
        keep = not rest or not re.fullmatch(r"[A-Za-z.\s^0-9]*", inner) or _is_operator(inner)
        end = match.end()
        if not keep:  # a unit's power goes with it: 5\text{ cm}^2
            power = re.match(r"\s*\^\s*(?:\{\s*\d\s*\}|\d)", s[end:])
            end += power.end() if power else 0
        s = s[: match.start()] + (inner if keep else "") + s[end:]
    return s


def _is_operator(word: str) -> bool:
    return word.strip() in ("or", "and", ",")


def split_top(s: str, sep: str) -> list[str]:
    """`s` split on `sep` where it is not inside brackets or braces."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        ch = s[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and s.startswith(sep, i):
            parts.append(s[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(s[start:])
    return parts


def matching_close(s: str, start: int) -> int:
    """The index of the bracket closing the one at `start`, or -1."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] in "([{":
            depth += 1
        elif s[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _group(s: str, i: int) -> tuple[str, int]:
    """The argument starting at s[i]: a {...} group or one character; and the index after it."""
    if i < len(s) and s[i] == "{":
        end = matching_close(s, i)
        if end < 0:
            raise ValueError("unbalanced braces")
        return s[i + 1 : end], end + 1
    if i < len(s):
        return s[i], i + 1
    raise ValueError("missing argument")


def to_python(latex: str) -> str:
    """A normalised LaTeX expression as a Python/SymPy expression string (ValueError if not)."""
    out: list[str] = []
    s, i = latex, 0
    while i < len(s):
        if s.startswith("\\frac", i) or s.startswith("\\binom", i):
            name = "frac" if s.startswith("\\frac", i) else "binom"
            num, i = _group(s, i + len(name) + 1)
            den, i = _group(s, i)
            if name == "binom":
                out.append(f"binomial({to_python(num)},{to_python(den)})")
            else:
                out.append(f"(({to_python(num)})/({to_python(den)}))")
        elif s.startswith("\\sqrt", i):
            i += 5
            index = None
            if i < len(s) and s[i] == "[":
                end = s.index("]", i)
                index, i = s[i + 1 : end], end + 1
            arg, i = _group(s, i)
            if index is None:
                out.append(f"sqrt({to_python(arg)})")
            else:
                out.append(f"root({to_python(arg)},{to_python(index)})")
        elif s[i] == "\\":
            match = re.match(r"\\([A-Za-z]+)", s[i:])
            if match is None:
                raise ValueError(f"unsupported {s[i : i + 2]!r}")
            # Spaces are gone by now: \pir is \pi r, so take the longest known name.
            letters = match.group(1)
            known = next((n for n in _BY_LENGTH if letters.startswith(n)), None)
            if known is None:
                raise ValueError(f"unsupported \\{letters}")
            out.append(f" {_LATEX_NAMES[known]} ")
            i += 1 + len(known)
        elif s[i] == "{":
            end = matching_close(s, i)
            if end < 0:
                raise ValueError("unbalanced braces")
            out.append(f"({to_python(s[i + 1 : end])})")
            i = end + 1
        elif s[i] == "^":
            out.append("**")
            i += 1
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


_SAFE = re.compile(r"[0-9A-Za-z+\-*/().,\s]*")


def to_sympy(latex: str) -> Any:
    """A SymPy expression for a normalised LaTeX scalar, or None when it cannot be read safely."""
    if not latex or len(latex) > 300:
        return None
    # 2\frac{1}{2} is a mixed number: 2 + 1/2.
    latex = re.sub(r"(?<![\d.}])(\d+)\\frac\{(\d+)\}\{(\d+)\}", r"(\1+\\frac{\2}{\3})", latex)
    try:
        code = to_python(latex)
    except (ValueError, RecursionError):
        return None
    # parse_expr evaluates Python: only arithmetic, known functions and short names get there.
    if not _SAFE.fullmatch(code) or "__" in code:
        return None
    for word in re.findall(r"[A-Za-z]+", code):
        if word not in _FUNCTIONS and len(word) > 2:
            return None
    nested_power = re.search(r"\*\*\s*\([^()]*\*\*", code)
    if code.count("**") > 3 or nested_power or re.search(r"\*\*\s*\(?\s*\d{4,}", code):
        return None  # 9^{9^{9}} would never finish
    if re.search(r"\d\s*[eE]\s*[-+]?\d", code):
        code = re.sub(r"(\d)\s*[eE]\s*([-+]?\d+)", r"\1*10**(\2)", code)
    from sympy.parsing.sympy_parser import (  # type: ignore[import-untyped]
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    transformations = (*standard_transformations, implicit_multiplication_application, convert_xor)
    try:
        return parse_expr(code, transformations=transformations)
    except Exception:  # SymPy raises many kinds on odd input; unreadable is the answer
        return None

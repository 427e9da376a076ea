"""Reading answers and deciding equivalence with math-verify, plus the few rules we keep.

math-verify (`parse` + `verify`, on latex2sympy2-extended) does the work: LaTeX and plain
answers, sets and lists in any order, intervals with their brackets, `x = 2` against `2`,
percent, degrees, units and `\\text{}`. Our rules, each for a reason this app has:

1. Decimal tolerance: a decimal written to d places equals a value that rounds to it at d
   places, if it has at least 4 significant digits. math-verify rounds both sides to 6
   places, so `0.3333` for 1/3 and `1.4142` for sqrt(2) (how students and code round) would
   be wrong, and `3.14` for pi must stay wrong. Integers never get a tolerance.
2. Plain numbers are read as plain text, not wrapped as LaTeX: `1,000` and `1 000` are one
   thousand, `+033` is 33. A comma followed by other than three digits separates list items
   (`1,22` is the list 1, 22): Qwen writes decimal points.
3. Plain mixed numbers `4 4/9` are 40/9 (math-verify 0.9 reads 4); an improper one (`11 7/6`)
   is no number at all.
4. `1.5e3` (Python's and calculators' notation) is 1.5 x 10^3, not 1.5·e·3.
5. `\\{1, 2\\}` (an explicit set) never equals an interval `(1, 2)`.
6. Unicode math (−, ×, π, √, ∞, ≤ ...) as OCR and models write it; `\\$` is currency;
   `\\varnothing` is the empty set; `oo` (SymPy's infinity in printed code output) is infinity.
7. Sentence punctuation just inside a closing delimiter (`$\\frac{1}{3}.$`) is not part of
   the answer (newer math-verify releases drop it too); an ellipsis stays.
8. `\\pm` in a fraction's numerator (`\\frac{-1 \\pm i\\sqrt{3}}{2}`) in a bare answer is two
   items, one with each sign: math-verify misreads the whole list otherwise.
9. An answer that parses to an undefined value (`1/0`, `12:00` read as 12/0) equals only the
   same text.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any

import sympy  # type: ignore[import-untyped]
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify  # type: ignore[import-untyped]

logging.getLogger("math_verify").setLevel(logging.CRITICAL)

_CONFIG = (LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig())
_DELIMITED = re.compile(r"\$|\\\(|\\\[|\\boxed|\\fbox")
_UNICODE = {
    "−": "-", "–": "-", "×": r"\times ", "·": r"\cdot ", "÷": r"\div ", "π": r"\pi ",
    "∞": r"\infty ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "√": r"\sqrt ", "°": r"^\circ ",
    "∅": r"\emptyset ", "±": r"\pm ",
}  # fmt: skip
_E_NOTATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d{1,3})(?![\w.])")
_THIN_SPACE_GROUPS = re.compile(r"(?<=\d)\\[,;: !](?=\d{3}(?!\d))")
_PLAIN_MIXED = re.compile(
    r"(?<![\d/.,])([+-]?)(\d{1,3}(?: \d{3})+|\d+) (\d+)/(\d+)(?![\d/]|\.\d)(?!\s*[\d(])"
)
_SINGLE_NUMBER = re.compile(
    r"\s*\+?(-?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?)\s*"
    r"(%|percent|percentage|pct)?\s*\.?\s*"
)
_INNER_PUNCTUATION = re.compile(
    r"(?<![.\\$\s])\s*[.,;]\s*(?=(?:\$\$|\$|\\\]|\\\))(?:\s|$|[.,;:!?)]))"
)
_PM_IN_FRACTION = re.compile(r"\\[dt]?frac\s*\{[^{}]*\\(?:pm|mp)(?![A-Za-z])")
_WORDS = re.compile(r"[A-Za-z]{3,}")
_LATEX_MARKS = re.compile(r"[\\^={}_]")
_SYMPY_INFINITY = re.compile(r"(?<![A-Za-z])oo(?![A-Za-z])")
_MIN_SIGNIFICANT = 4


def parse_answer(text: str) -> list[Any]:
    """math-verify's reading of an answer (or of a solution's final answer); [] if none."""
    first, fallback = _prepare(text)
    result = parse(first, _CONFIG, parsing_timeout=None)
    if not result and fallback is not None:
        result = parse(fallback, _CONFIG, parsing_timeout=None)
    return list(result)


def equivalent(pred: str, ref: str) -> bool:
    """Whether the answer `pred` means the same as the reference `ref`."""
    gold, target = parse_answer(ref), parse_answer(pred)
    if not gold or not target:
        return False
    if _undefined(gold[0]) or _undefined(target[0]):
        return _plain(pred) == _plain(ref) != ""
    if _set_vs_interval(gold[0], target[0], ref, pred):
        return False
    return bool(verify(gold, target, timeout_seconds=None)) or _close(gold[0], target[0])


def same_value(gold: Any, target: Any) -> bool:
    """Whether two SymPy values agree: math-verify's verdict, or our decimal rule."""
    return bool(verify(gold, target, timeout_seconds=None)) or _close(gold, target)


def _prepare(text: str) -> tuple[str, str | None]:
    """(text for math-verify, a second reading to try when the first finds nothing)."""
    t = text.strip()
    for char, latex in _UNICODE.items():
        t = t.replace(char, latex)
    t = t.replace(r"\$", " ").replace(r"\varnothing", r"\emptyset")
    t = _THIN_SPACE_GROUPS.sub("", t)
    t = _E_NOTATION.sub(lambda m: f"{m.group(1)}\\times 10^{{{int(m.group(2))}}}", t)
    if _DELIMITED.search(t):
        return _INNER_PUNCTUATION.sub("", t), None
    t = expand_plus_minus(t)  # a bare answer only: in prose a comma is not a list
    t = _PLAIN_MIXED.sub(_mixed_number, t)
    if _DELIMITED.search(t):
        return t, None
    wrapped = "$" + _SYMPY_INFINITY.sub(r"\\infty", t) + "$"
    single = _SINGLE_NUMBER.fullmatch(t)
    if single:
        return single.group(1) + (single.group(2) or ""), None
    if _WORDS.search(t) and not _LATEX_MARKS.search(t):
        return t, wrapped  # a sentence: math-verify finds the number in it
    return wrapped, None


def expand_plus_minus(text: str) -> str:
    """Each list item holding one \\pm (or \\mp) written as two items, + and -."""
    if "\\pm" not in text and "\\mp" not in text:
        return text
    items = []
    for item in top_level_items(text):
        signs = re.findall(r"\\(?:pm|mp)(?![A-Za-z])", item)
        if len(signs) != 1 or not _PM_IN_FRACTION.search(item):
            items.append(item)  # math-verify reads `\pm 2` and `1 \pm \sqrt{5}` itself
            continue
        plus, minus = ("+", "-") if signs[0] == "\\pm" else ("-", "+")
        items.append(re.sub(r"\\(?:pm|mp)(?![A-Za-z])", plus, item))
        items.append(re.sub(r"\\(?:pm|mp)(?![A-Za-z])", minus, item))
    return ", ".join(i.strip() for i in items)


def top_level_items(text: str) -> list[str]:
    """`text` split at commas outside brackets and braces (a thousands comma stays)."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0 and not re.match(r"\d{3}(?!\d)", text[i + 1 :]):
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]


def _mixed_number(match: re.Match[str]) -> str:
    sign, whole_text, num_text, den_text = match.groups()
    whole, num, den = int(whole_text.replace(" ", "")), int(num_text), int(den_text)
    if den == 0 or num >= den:
        return r" $\text{unreadable}$ "
    return f" ${sign}\\frac{{{whole * den + num}}}{{{den}}}$ "


def _plain(text: str) -> str:
    return "".join(text.split()).strip("$")


def _undefined(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and (value.has(sympy.zoo) or value.has(sympy.nan))


def _set_vs_interval(gold: Any, target: Any, ref_text: str, pred_text: str) -> bool:
    interval, finite = sympy.Interval, sympy.FiniteSet
    return (isinstance(gold, interval) and isinstance(target, finite) and r"\{" in pred_text) or (
        isinstance(target, interval) and isinstance(gold, finite) and r"\{" in ref_text
    )


def _close(a: Any, b: Any) -> bool:
    """Equal but for the rounding of a written decimal (rule 1), element by element."""
    if isinstance(a, sympy.Tuple | sympy.FiniteSet) and type(a) is type(b) and len(a) == len(b):
        if isinstance(a, sympy.FiniteSet):
            return _match_unordered(list(a.args), list(b.args))
        return all(_close(x, y) for x, y in zip(a.args, b.args, strict=True))
    if isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval):
        return (
            (a.left_open, a.right_open) == (b.left_open, b.right_open)
            and _close(a.start, b.start)
            and _close(a.end, b.end)
        )
    if isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase):
        return a.shape == b.shape and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if not (getattr(a, "is_number", False) and getattr(b, "is_number", False)):
        return bool(a == b)
    if a == b or _exact(a) == _exact(b):
        return True
    floats = [x for x in (a, b) if isinstance(x, sympy.Float)]
    if not floats:
        return False
    places, significant = min((_decimal_digits(f) for f in floats), key=lambda p: p[0])
    if significant < _MIN_SIGNIFICANT:
        return False
    try:
        difference = abs(complex(sympy.N(a - b, 30)))
    except (TypeError, ValueError):
        return False
    return difference <= float(Decimal(5).scaleb(-places - 1)) * (1 + 1e-9)


def _match_unordered(items_a: list[Any], items_b: list[Any]) -> bool:
    rest = list(items_b)
    for item in items_a:
        found = next((i for i, other in enumerate(rest) if _close(item, other)), None)
        if found is None:
            return False
        rest.pop(found)
    return True


def _exact(value: Any) -> Any:
    """A decimal as the exact rational it was written as (0.1 -> 1/10)."""
    if isinstance(value, sympy.Float):
        return sympy.Rational(repr(float(value)))
    return value


def _decimal_digits(value: Any) -> tuple[int, int]:
    """(places after the point, significant digits) of a decimal as written."""
    digits = Decimal(repr(float(value))).normalize().as_tuple()
    return max(-int(digits.exponent), 0), len(digits.digits)

"""Notation a parser reads one way and a textbook means another: refused, never guessed.

Each pattern here made a right answer look wrong in the measurement over 4,300 textbook
problems (docs/performance.md) before it was refused.
"""

from __future__ import annotations

import re

_FUNCTION = r"\\(?:sin|cos|tan|cot|sec|csc|sinh|cosh|tanh|arcsin|arccos|arctan|ln|log|exp)"
_POWER = r"(?:\s*\^\s*(?:\{[^{}]*\}|\S))?"
_SUBSCRIPT = r"(?:\s*_\s*(?:\{[^{}]*\}|\S))?"
_UNCLEAR = (
    # \tan x /(1 + \sin x): tan of the quotient, or the quotient of tan x?
    re.compile(_FUNCTION + _POWER + _SUBSCRIPT + r"\s*[A-Za-z0-9.]+\s*(?:/|\(|\\left\s*\()"),
    # \ln |x - 2| / 4: the logarithm of the quotient, or a quarter of the logarithm?
    re.compile(
        _FUNCTION + _POWER + r"\s*(?:\\left\s*)?(?:\||\\mid)[^|]*?(?:\\right\s*)?(?:\||\\mid)\s*/"
    ),
    # \log_6 \left(\frac{216}{x^3 y}\right)^4: the power of the logarithm, or of its argument?
    re.compile(_FUNCTION + _SUBSCRIPT + _POWER + r"\s*\\left\s*\(.*?\\right\s*\)\s*\^", re.DOTALL),
    re.compile(_FUNCTION + _SUBSCRIPT + _POWER + r"\s*\([^()]*\)\s*\^"),
)
_JUXTAPOSED = re.compile(r"(\)|\\right\s*\)|\d)\s*(?=\(|\\left\s*\()")
_MIXED_NUMBER = re.compile(r"(^|[\s(+\-=,])(\d+)\s*\\[dt]?frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}")
_TRAILING_OPERATOR = re.compile(r"[+\-*/^=]\s*$|\\(?:cdot|times|div)\s*$")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_TEXT = re.compile(r"\\(?:text|mathrm|textbf|mbox|operatorname)\s*\{[^{}]*\}")
_WORD = re.compile(r"[A-Za-z]{3,}")
_ANSWER_WORDS = frozenset({"and", "or"})
_LETTER = re.compile(r"(?<![A-Za-z\\])[A-Za-z](?![A-Za-z])")
_NOT_VARIABLES = frozenset("eick")  # Euler's number, the imaginary unit, a constant (C, K)


def unclear_notation(latex: str) -> bool:
    """Whether the formula uses a notation whose grouping a parser may read wrongly."""
    return any(pattern.search(latex) for pattern in _UNCLEAR)


def explicit_products(latex: str) -> str:
    """`(8)(\\frac{1}{2})` and `33(2)` as products written out.

    latex2sympy reads any integer followed by a fraction as a mixed number, whatever its
    brackets and whatever its `interpret_as_mixed_fractions` option says: (8)(1/2) became 8 1/2.
    """
    return _JUXTAPOSED.sub(r"\1\\cdot ", latex)


def mixed_numbers(latex: str) -> str:
    """`3\\frac{1}{2}` as `(3+\\frac{1}{2})`, but `(8)(\\frac{1}{2})` stays a product.

    The parser's own rule reads any number before a fraction as a mixed number, so
    `(8)\\left(\\frac{1}{2}\\right)` became 8 1/2; it is switched off and this is the rule.
    """
    return _MIXED_NUMBER.sub(r"\1(\2+\\frac{\3}{\4})", latex)


def unreadable_answer(answer: str) -> bool:
    """Whether an answer cannot be read whole: cut off, or words beyond "and"/"or"."""
    text = answer.strip().strip("$").strip()
    if _TRAILING_OPERATOR.search(text):
        return True
    bare = _COMMAND.sub(" ", _TEXT.sub(" ", text))
    return any(w.lower() not in _ANSWER_WORDS for w in _WORD.findall(bare))


def letters_missing(answer: str, names: set[str]) -> set[str]:
    """The variables the answer's text names that its reading lost (a fragment was read)."""
    bare = _COMMAND.sub(" ", _TEXT.sub(" ", answer))
    letters = {m.lower() for m in _LETTER.findall(bare)} - _NOT_VARIABLES
    return letters - {n.lower() for n in names}


def absolute_bars(latex: str) -> str:
    """`\\mid x \\mid` (bars written as a relation symbol, in pairs) as `|x|`."""
    return latex.replace(r"\mid", "|") if latex.count(r"\mid") % 2 == 0 else latex

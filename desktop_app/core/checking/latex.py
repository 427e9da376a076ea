"""LaTeX from problems and answers as SymPy, through latex2sympy2-extended; and back as text.

Everything here refuses rather than guesses: an expression too long, or one that reads in a
way SymPy cannot compute safely, comes back as None, and the check says "not checked".
"""

from __future__ import annotations

import logging
import re
from typing import Any

import sympy  # type: ignore[import-untyped]
from latex2sympy2_extended.latex2sympy2 import ConversionConfig, latex2sympy  # type: ignore[import-untyped]
from latex2sympy2_extended.math_normalization import NormalizationConfig  # type: ignore[import-untyped]
from math_verify.grader import should_treat_as_complex  # type: ignore[import-untyped]

from desktop_app.core.checking.ambiguity import (
    absolute_bars,
    explicit_products,
    letters_missing,
    mixed_numbers,
    unclear_notation,
    unreadable_answer,
)
from desktop_app.core.checking.equivalence import expand_plus_minus, parse_answer, top_level_items

logging.getLogger("latex2sympy2_extended").setLevel(logging.CRITICAL)

MAX_LATEX = 400  # longer formulas are rarely one expression; the check would be a guess
# Units stay: their removal also eats an integral's "d y d z" ("dt" reads as a unit).
_NORMALISE = NormalizationConfig(
    basic_latex=True, units=False, malformed_operators=True, nits=True, boxed="all", equations=False
)
_NO_SOLUTION = re.compile(
    r"^\s*(?:\\text\{\s*)?(?:there\s+(?:is|are)\s+)?no\s+(?:real\s+)?(?:solutions?|roots?)\b"
    r"|^\s*(?:\\text\{\s*)?none\b|^\s*\\(?:emptyset|varnothing|O|oslash)\b|^\s*\{\s*\}\s*$|∅",
    re.IGNORECASE,
)
_DOES_NOT_EXIST = re.compile(
    r"\b(?:does\s+not\s+exist|doesn't\s+exist|dne|undefined|diverges?)\b", re.IGNORECASE
)
_CONVERSION = ConversionConfig(interpret_as_mixed_fractions=False)  # see mixed_numbers()
_DOLLARS = re.compile(r"(?<!\\)\$+")
_BARE_SIDE = re.compile(r"\^\s*([+-])(?![\w{])")
_CONSTANT = re.compile(r"\+\s*(?:C|c|K|k|C_?\{?1\}?)\s*(?=$|\\right|\)|\$)")


def to_sympy(latex: str, *, complex_i: bool = True) -> Any:
    """A SymPy object for one formula, or None when it cannot be read.

    `i` becomes the imaginary unit when the formula looks complex (math-verify's test) or
    `complex_i` says so and `i` is not used as an index; `e` is Euler's number.
    """
    text = latex.strip().strip("$").strip()
    if not text or len(text) > MAX_LATEX:
        return None
    text = _BARE_SIDE.sub(r"^{\1}", text)  # x \to 0^+ reads only as 0^{+}
    text = mixed_numbers(explicit_products(absolute_bars(text)))
    if unclear_notation(text):
        return None
    try:
        value = latex2sympy(
            text,
            is_real=not should_treat_as_complex(text),
            convert_degrees="\\circ" in text or "°" in text,  # sin 50° is not sin(50)
            normalization_config=_NORMALISE,
            conversion_config=_CONVERSION,
        )
    except Exception:  # the parser raises bare Exceptions for unreadable input
        return None
    if not isinstance(value, sympy.Basic):
        return None
    value = evaluated(value)
    return imaginary_unit(value) if complex_i else value


def evaluated(value: Any) -> Any:
    """latex2sympy keeps `-5x` as Mul(-1, 5, x); rebuilt from the leaves up it reads -5x."""
    if not isinstance(value, sympy.Basic) or value.is_Atom:
        return value
    try:
        args = tuple(evaluated(a) for a in value.args)
        if isinstance(value, sympy.Add | sympy.Mul | sympy.Pow) or args != value.args:
            return value.func(*args)
    except Exception:  # an object that cannot be rebuilt keeps its parsed form
        return value
    return value


def imaginary_unit(value: Any) -> Any:
    """`i` as the imaginary unit (and `e` as Euler's number) unless either is a bound index."""
    if not isinstance(value, sympy.Basic):
        return value
    bound = {str(v) for obj in value.atoms(sympy.Sum, sympy.Product) for v in obj.variables}
    constants = {"i": sympy.I, "e": sympy.E}
    replacements = {
        s: constants[str(s)]
        for s in value.free_symbols
        if str(s) in constants and str(s) not in bound
    }
    return value.xreplace(replacements) if replacements else value


def answer_object(answer: str) -> Any:
    """The answer as one SymPy object (math-verify's reading), or None.

    A list the reading does not keep whole ("1, 1/2, ..." read as 1 when an item fails to
    parse) is refused: a check must not run on a fragment of the answer.
    """
    # "$x\sqrt{x}/2+$ $\ln|x|+C$": one answer in two math spans, not two answers
    answer = absolute_bars(_DOLLARS.sub(" ", answer).strip())
    if unreadable_answer(answer) or unclear_notation(answer):
        return None
    parsed = parse_answer(answer)
    if not parsed or not isinstance(parsed[0], sympy.Basic | sympy.MatrixBase):
        return None
    value = parsed[0]
    named = {str(s) for s in getattr(value, "free_symbols", set())}
    if isinstance(value, sympy.Basic):  # f in f'(x) = ... is a name too
        named |= {str(f.func) for f in value.atoms(sympy.core.function.AppliedUndef)}
    if letters_missing(answer, named):
        return None  # a fragment was read ("7 \ln s" as 7)
    items = len(top_level_items(expand_plus_minus(answer)))
    if items >= 2 and not 2 <= _size(value) <= items:
        return None
    return imaginary_unit(value)


def _size(value: Any) -> int:
    if isinstance(value, sympy.FiniteSet | sympy.Tuple):
        return len(value)
    if isinstance(value, sympy.And):
        return len(value.args)
    if isinstance(value, sympy.Eq) and isinstance(value.rhs, sympy.FiniteSet):
        return len(value.rhs)
    if isinstance(value, sympy.Interval | sympy.Union):
        return 2  # "(a, b)" and "(a, b] \cup [c, d)" hold commas of their own
    return 1


def says_no_solution(answer: str) -> bool:
    """Whether the answer says there is no solution (in words or as the empty set)."""
    plain = answer.strip().strip("$").strip()
    plain = re.sub(r"^\\boxed\{(.*)\}$", r"\1", plain, flags=re.DOTALL)
    return bool(_NO_SOLUTION.search(plain))


def says_does_not_exist(answer: str) -> bool:
    """Whether the answer says a limit or value does not exist."""
    return bool(_DOES_NOT_EXIST.search(answer))


def drop_constant(answer: str) -> str:
    """An antiderivative without its `+ C`."""
    return _CONSTANT.sub("", answer)


def show(value: Any) -> str:
    """A short, readable plain-text form of a SymPy value for a reason sentence."""
    if isinstance(value, sympy.Interval):
        left, right = "(" if value.left_open else "[", ")" if value.right_open else "]"
        return f"{left}{show(value.start)}, {show(value.end)}{right}"
    if isinstance(value, sympy.Union):
        return " ∪ ".join(show(part) for part in value.args)
    if isinstance(value, sympy.FiniteSet):
        return "{" + ", ".join(show(v) for v in value) + "}"
    if value is sympy.S.EmptySet:
        return "∅"
    if value is sympy.S.Reals:
        return "all real numbers"
    if isinstance(value, sympy.Float):
        return repr(float(value))
    if isinstance(value, sympy.Basic) and value.is_number and not value.is_Rational:
        exact = value if value.atoms(sympy.Float) else sympy.nsimplify(value, rational=False)
        if exact.is_Rational or len(str(exact)) <= 24:
            value = exact
        else:
            value = sympy.Float(sympy.N(value, 6), 6)
    text = sympy.sstr(value, order="grlex")
    text = text.replace("**", "^").replace("sqrt", "√")
    text = re.sub(r"\bpi\b", "π", re.sub(r"\bI\b", "i", text))
    text = re.sub(r"\boo\b", "∞", text)
    text = re.sub(r"(?<![\^\w.])(\d+)\*(?=[A-Za-z(√π])", r"\1", text)
    text = text.replace("exp(", "e^(")
    text = text.replace("*", "·")
    return text if len(text) <= 80 else text[:77] + "..."

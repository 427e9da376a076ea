"""One term of a step as a SymPy expression (via latex2sympy2_extended), or None when unsafe.

Precision first: anything whose meaning is not plain (primes, functions defined elsewhere,
sets, vectors, modular arithmetic, ranges, degrees inside trigonometry, `\\log` without a
base, the imaginary unit) is refused here, so no step that uses it is ever judged.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Term", "decimals_in", "parse_plain", "parse_term"]

MAX_TERM_CHARS = 300
MAX_OPS = 120
_REFUSED = re.compile(
    r"'|\\prime|\\(?:dots|cdots|ldots|vdots|ddots|equiv|pmod|bmod|mod|in|notin|subset|subseteq"
    r"|cup|cap|setminus|mid|nmid|vec|mathbf|boldsymbol|overrightarrow|overline|underline|hat"
    r"|angle|triangle|measuredangle|arc|overarc|parallel|perp|sim|cong|begin|end|pm|mp|to"
    r"|infty|forall|exists|partial|nabla|max|min|gcd|lcm|deg|det|arg|lim|limsup|liminf|prod"
    r"|operatorname|mathcal|mathbb|choose|Re|Im|circ|dagger|star|ast|otimes|oplus|wedge|vee"
    r"|lfloor|rfloor|lceil|rceil)(?![A-Za-z])|°|\\\{|\^\s*\^|_\s*\{[^{}]*[-+*/][^{}]*\}"
)
# A unit word and its power: `\text{ cm}^2`, `\mathrm{mm}^{3}`.
_TEXT = re.compile(
    r"\\(?:text|textbf|textit|mathrm|mbox|textrm|mathit)\s*\{([^{}]*)\}(?:\s*\^\s*(?:\{[^{}]*\}|\d))?"
)
_CONNECTIVE = re.compile(
    r"\b(?:or|and|if|for|when|where|so|then|since|with|of|is|are|which|as|all|each|not)\b", re.I
)
# After units are gone: a base (`55_{20}`), segment names (`AB`, `PQ`), `e` the letter or the
# constant (a digit in `\overline{abe}`, a function in `e(19)`), a factorial's bracket.
_AMBIGUOUS = re.compile(r"\d\s*_|(?<![\\A-Za-z])[A-Z]{2}|(?<![\\A-Za-z])e(?![A-Za-z])")
# dP/dr, \frac{dy}{dx}: rates of unknown functions (a differential equation), not derivatives
# of a written expression; only \frac{d}{dx}(...) is carried out.
_DIFFERENTIAL = re.compile(r"\\frac\s*\{\s*d\s*[A-Za-z\\]|(?<![A-Za-z\\])d\s*[A-Za-z]\s*/\s*d")
_SPACING = re.compile(r"\\[,;:!> ]|\\q?quad(?![A-Za-z])|\\displaystyle|\\limits|\\nolimits|~")
_SIZING = re.compile(r"\\(?:big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])")
_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)(?![A-Za-z])")
_LOG_WITHOUT_BASE = re.compile(r"\\log(?!\s*_)")
_MIXED_NUMBER = re.compile(r"\d\s*\\[dt]?frac")
_IMPLICIT_PRODUCT = re.compile(
    r"(?<=[\d)}\]!])(?<!\{d[a-z]\})\s*(?=\()|(?<=[)\]])\s*(?=\\[dt]?frac|\\sqrt)"
)
_LITERAL = re.compile(r"\s*-?\s*\d[\d,]*(?:\.\d*)?\s*")
_DECIMAL = re.compile(r"(?<![\d.])\d*\.(\d+)")


@dataclass(frozen=True)
class Term:
    """A parsed term: the SymPy expression, the unit words it carried, and its percent signs."""

    expr: Any
    units: frozenset[str]
    percent: bool
    literal: bool = False  # a single written number, `32.0 g`: it computes nothing


def decimals_in(latex: str) -> int | None:
    """The fewest decimal places of the decimal numbers written in `latex`, or None if none."""
    found = [len(m.group(1)) for m in _DECIMAL.finditer(latex.replace("{,}", ""))]
    return min(found) if found else None


def parse_term(latex: str) -> Term | None:
    """The term as SymPy, with the unit words (`\\text{ cm}`) it carried, or None if refused."""
    cleaned = _clean(latex)
    if cleaned is None:
        return None
    body, units = cleaned
    expr = _to_sympy(body)
    if expr is None:
        return None
    literal = _LITERAL.fullmatch(body.replace("%", "")) is not None
    return Term(expr, units, latex.rstrip().endswith("%"), literal)


def parse_plain(text: str) -> Term | None:
    """A plain-text arithmetic term (`$3.5 * 4000`, `2 x 0.5`, `150%`) as SymPy, or None."""
    s = text.replace("$", "").replace("×", "*").replace("÷", "/").strip()
    s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)
    s = re.sub(r"\s+x\s+", "*", s)
    percent = s.rstrip().endswith("%")
    s = s.replace("%", "/100")
    if not re.fullmatch(r"[\d.+\-*/() ]+", s) or "**" in s or "//" in s:
        return None
    from sympy import Rational, sympify  # type: ignore[import-untyped]

    s = re.sub(r"\d*\.\d+|\d+", lambda m: f"Rational('{m.group(0)}')", s)
    try:
        expr = sympify(s, locals={"Rational": Rational})
    except Exception:  # a malformed expression is simply not a step
        return None
    return Term(expr, frozenset(), percent, _LITERAL.fullmatch(text.strip(" $%")) is not None)


def _clean(latex: str) -> tuple[str, frozenset[str]] | None:
    """Spacing, units and decorations removed; None for constructs whose meaning is not plain."""
    s = _SIZING.sub("", latex).strip()
    if not s or len(s) > MAX_TERM_CHARS or _REFUSED.search(s) or _MIXED_NUMBER.search(s):
        return None
    s = re.sub(r"\\boxed\s*\{(.*)\}", r"\1", s)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\$", "")
    s = s.replace("\\left", "").replace("\\right", "").replace("\\cdotp", "\\cdot")
    s = _SPACING.sub(" ", s)
    units: set[str] = set()

    def unit(match: re.Match[str]) -> str:
        words = match.group(1).strip()
        if words:
            units.add(words)
        return " "

    if any(_CONNECTIVE.search(m.group(1)) for m in _TEXT.finditer(s)):
        return None  # "4 \text{ or } -3" is two answers, not a product
    s = _TEXT.sub(unit, s)
    if _AMBIGUOUS.search(s) or _DIFFERENTIAL.search(s):
        return None
    s = re.sub(r"\(\s*\)", " ", s)  # "100 (\text{first day}) + 150": the label's brackets
    if "\\text" in s or "\\mathrm" in s:
        return None  # nested braces inside \text: prose, not a unit
    if _LOG_WITHOUT_BASE.search(s):
        return None  # \log 100 is 2 to some readers and 4.6 to others
    degrees = re.search(r"\^\s*\{?\s*\\circ\s*\}?", latex) is not None
    if degrees and _TRIG.search(s):
        return None
    s = re.sub(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ", "", s)
    s = s.replace("\\%", "%")
    s = _IMPLICIT_PRODUCT.sub(r" \\cdot ", s)  # latex2sympy reads 2(4) as 6 and (4)(5) as 9
    s = s.strip()
    if not s or s[-1] in "+-*/^_=" or s[0] in "*/^_=":
        return None
    return s, frozenset(units)


@functools.lru_cache(maxsize=2048)
def _to_sympy(body: str) -> Any:
    """latex2sympy's reading of a cleaned term, if it is a plain scalar expression."""
    from latex2sympy2_extended import (  # type: ignore[import-untyped]
        NormalizationConfig,
        latex2sympy,
    )
    from latex2sympy2_extended.latex2sympy2 import (  # type: ignore[import-untyped]
        ConversionConfig,
    )
    from sympy import Expr

    try:
        expr = latex2sympy(
            body.replace("%", "\\%"),
            normalization_config=NormalizationConfig(
                basic_latex=True,
                units=False,
                malformed_operators=False,
                nits=False,
                boxed="none",
                equations=False,
            ),
            conversion_config=ConversionConfig(
                interpret_as_mixed_fractions=False, lowercase_symbols=False
            ),
        )
    except Exception:  # the parser raises many kinds on text it cannot read
        return None
    if not isinstance(expr, Expr) or not _plain(expr):
        return None
    return expr


def _plain(expr: Any) -> bool:
    """A bounded scalar over numbers and real-valued symbols: no unknown functions, no i or e."""
    from sympy import Derivative, Integral, Sum, Symbol, count_ops
    from sympy.core.function import AppliedUndef  # type: ignore[import-untyped]

    if expr.has(AppliedUndef) or count_ops(expr) > MAX_OPS:
        return False
    for symbol in expr.free_symbols:
        if not isinstance(symbol, Symbol) or symbol.name in ("i", "j", "e", "E", "I"):
            return False
    for integral in expr.atoms(Integral, Sum, Derivative):
        for limits in getattr(integral, "limits", ()):
            if len(limits) == 3 and not all(b.is_number for b in limits[1:]):
                return False  # bounds that are themselves unknown: not judged
    return not _huge_power(expr)


def _huge_power(expr: Any) -> bool:
    """9^{9^9} or 2^{100000} would never finish; refuse them before anyone evaluates."""
    from sympy import Pow

    for power in expr.atoms(Pow):
        exponent = power.exp
        if exponent.is_number and abs(exponent) > 400:
            return True
        if exponent.has(Pow) and not exponent.is_number:
            return True
    return False

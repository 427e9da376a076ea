"""What a problem asks, read from its text (the transcript and the question, Markdown + LaTeX).

The reading is deliberately narrow: it recognises a few shapes of question it can check with
SymPy, and anything else, or anything with a condition it does not model ("positive
integers", "to the nearest tenth"), is not read at all, so it is never checked wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DELIMITED = re.compile(
    r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.DOTALL
)
_ENVIRONMENT = re.compile(
    r"\\begin\{(?:cases|aligned|align\*?|gathered|gather\*?|array|eqnarray\*?|split)\}"
    r"(?:\{[^}]*\})?(.*?)\\end\{(?:cases|aligned|align\*?|gathered|gather\*?|array|eqnarray\*?|split)\}",
    re.DOTALL,
)
_MATH_TOKEN = re.compile(
    r"[0-9=+\-*/^<>()\[\]{}|\\.,!_']|^[A-Za-z]$|^(?:sin|cos|tan|log|ln|sqrt|exp)\b"
)
_INTERVAL = re.compile(r"^\s*(?:\\left)?[\[(].+,.+(?:\\right)?[\])]\s*$", re.DOTALL)
_RESTRICTION_LEAD = re.compile(
    r"(?:\b(?:in|on|within|over)(?:\s+the)?(?:\s+interval)?|restricting your attention to"
    r"|\bfor|\bwhere|\bwith)\s*:?\s*$"
)
_TARGET = re.compile(r"\b(?:for|find|solve for|value of)\s*$")
_RELATION = re.compile(r"=|<|>|\\[lg]eq?(?:slant)?\b|\\neq?\b")
_LONE_SYMBOL = re.compile(r"^\s*[A-Za-z]\s*$")

# Questions whose answer is not a value SymPy recomputes here, or that carry a condition the
# checks do not model. Matched against the words outside the formulas.
_NOT_CHECKED = re.compile(
    r"\b(?:domain|range|inverse|integers?|whole numbers?|natural|positive|negative|prime|digits?"
    r"|approximat\w*|nearest|round\w*|decimal places?|significant|estimate|graph\w*|sketch"
    r"|explain|prove|show that|verify|how many|number of|sum of (?:the|all)|product of (?:the|all)"
    r"|maxim\w*|minim\w*|largest|smallest|greatest|least|probabilit\w*|expected|area|volume"
    r"|perimeter|length|distance|speed|velocity|rate|cost|profit|price|tangent|normal|slope"
    r"|intercepts?|vertex|asymptotes?|critical|concav\w*|inflection|increasing|decreasing"
    r"|converge\w*|diverge\w*|series|sequence|terms?|wronskian|eigen\w*|matri(?:x|ces)"
    r"|determinant|vectors?|general solution|differential|initial|particular|polar|rectangular"
    r"|parametric|modulo|mod|remainder|divisible|gcd|lcm|percent\w*|scientific notation"
    r"|exponents?|improper|mixed|lowest terms|radical form|in terms of|for which|such that"
    r"|whose|all values|constants?|parameters?|quadratic equation with|degrees?|angle"
    r"|common denominator|lcd|partial|implicit\w*|numerically"
    r"|multiple choice|which of|true or false|options?|choices?|reciprocal|opposite"
    r"|(?:square|cube|fourth|nth)\s+roots?\s+of|(?:square|cube)\s+of)\b"
)
# The words a question the checks understand may use. Any other word (a longer word than a
# single letter) means the question asks something more ("the larger root", "in dollars")
# and it is not checked: a narrow reading never checks the wrong thing.
_ALLOWED_WORDS = """
    the an of and or to in on at for from by with as is are be it its this that these each
    all both then so if where which what into using use please can will let given following
    below above here there find solve determine compute calculate evaluate simplify
    simplifying expand factor factorise factorize factoring multiply divide add subtract
    combine distribute rewrite write express give giving state obtain get differentiate
    integrate reduce perform carry out equation equations inequality inequalities system
    systems solution solutions root roots zero zeros value values expression expressions
    function functions answer result results derivative derivatives antiderivative
    antiderivatives integral integrals limit limits sum product quotient set interval
    notation form variable unknown respect problem question exercise example task image
    picture text content math mathematical formula formulas exact exactly real complex
    analytically algebraically completely fully possible indefinite definite first second
    lie lies restricting attention quadratic completing square substitution elimination
    rule chain power properties method shows contains displays shown written reads asks
    states says handwritten printed typed describes absolute compound proportion rational
    radical radicals logarithmic exponential trigonometric linear polynomial fraction
    fractions logarithm logarithms single like parentheses order operations
"""
_ALLOWED = frozenset(_ALLOWED_WORDS.split())
_WORD = re.compile(r"[a-z]+")
_ZEROS = re.compile(r"\b(?:roots?|zeros?|zeroes)\b")
_SOLVE = re.compile(r"\b(?:solve\w*|solutions?|roots?|zeros?)\b|\bfind\b")
_DERIVATIVE = re.compile(r"\b(?:derivatives?|differentiate)\b")
_ORDER = {"second": 2, "third": 3}
_ANTIDERIVATIVE = re.compile(
    r"\b(?:antiderivatives?|anti-derivatives?|indefinite integrals?|integrate)\b"
)
_COMPUTE = re.compile(
    r"\b(?:simplify|evaluate|compute|calculate|find|what is|value|expand|multiply|distribute"
    r"|divide|add|subtract|combine|product|quotient|square|cube|solve|write|rewrite|express"
    r"|limit|integral|sum|factor\w*)\b"
)
_FACTOR = re.compile(r"\bfactor\w*\b")
_EXPAND = re.compile(r"\b(?:expand|multiply|distribute|product)\b")
_SIMPLIFY = re.compile(r"\bsimplif\w*\b")


@dataclass
class Problem:
    """The parts of a problem the checks read."""

    prose: str  # the words outside the formulas, lower case, each formula as "§"
    formulas: list[str] = field(default_factory=list)
    restriction: str | None = None  # a formula that limits the unknown: [0, 2\pi), 0 \le x \le 1
    target: str | None = None  # the unknown named in the text ("solve for y")

    @property
    def not_checked(self) -> bool:
        """Whether the question asks for something the checks do not compute."""
        return bool(_NOT_CHECKED.search(self.prose)) or bool(self.unread_words)

    @property
    def unread_words(self) -> list[str]:
        """The words of the question outside the vocabulary the checks understand."""
        words = _WORD.findall(self.prose)
        return sorted({w for w in words if len(w) > 1 and w not in _ALLOWED})

    @property
    def asks_to_solve(self) -> bool:
        """Whether the words ask to solve (or state only the formula)."""
        words = self.prose.replace("§", " ").strip(" .:?,")
        return not words or bool(_SOLVE.search(self.prose))

    @property
    def asks_for_zeros(self) -> bool:
        """Whether the question asks for a function's roots or zeros ("the roots of f(x) = ...")."""
        return bool(_ZEROS.search(self.prose))

    @property
    def asks_for_derivative(self) -> bool:
        """Whether the question asks for a derivative."""
        return bool(_DERIVATIVE.search(self.prose))

    @property
    def derivative_order(self) -> int:
        """1, or 2 for "second derivative", 3 for "third"."""
        match = re.search(r"\b(second|third)\s+derivative", self.prose)
        return _ORDER[match.group(1)] if match else 1

    @property
    def asks_for_antiderivative(self) -> bool:
        """Whether the question asks for an antiderivative."""
        return bool(_ANTIDERIVATIVE.search(self.prose))

    @property
    def asks_to_compute(self) -> bool:
        """Whether the words ask for a value or a simpler form (or state only the formula)."""
        words = self.prose.replace("§", " ").strip(" .:?,")
        return not words or bool(_COMPUTE.search(self.prose))

    @property
    def form(self) -> str:
        """The form the answer must take: "factored", "expanded", "simplified" or ""."""
        if _FACTOR.search(self.prose):
            return "factored"
        if _EXPAND.search(self.prose):
            return "expanded"
        if _SIMPLIFY.search(self.prose):
            return "simplified"
        return ""


def read_problem(text: str) -> Problem:
    """Split a problem into its words and formulas; find a restriction and a named unknown."""
    prose_parts: list[str] = []
    formulas: list[str] = []
    restriction: str | None = None
    target: str | None = None
    last = 0
    for match in _DELIMITED.finditer(text):
        before = text[last : match.start()]
        prose_parts.append(before)
        last = match.end()
        formula = next(g for g in match.groups() if g is not None).strip()
        lead = " ".join(before.lower().split())
        if _LONE_SYMBOL.match(formula) and _TARGET.search(lead):
            target = formula.strip()
            prose_parts.append(" ")
            continue
        if restriction is None and _is_restriction(formula, lead):
            restriction = formula
            prose_parts.append(" ")
            continue
        prose_parts.append(" § ")
        formulas.extend(_split_lines(formula))
    rest = text[last:]
    if not formulas:
        found, rest = _undelimited(rest)
        formulas.extend(found)
    prose_parts.append(rest)
    prose = " ".join("".join(prose_parts).lower().split())
    if target is None:
        named = re.search(r"\bsolve\s+for\s+([a-z])\b|\bfor\s+([a-z])\s*[.:]?\s*$", prose)
        if named:
            target = named.group(1) or named.group(2)
    formulas = [f for f in formulas if not _LONE_SYMBOL.match(f)]
    return Problem(prose, formulas, restriction, target)


def _is_restriction(formula: str, lead: str) -> bool:
    if not _RESTRICTION_LEAD.search(lead):
        return False
    chain = re.fullmatch(r".*(?:<|\\le|\\leq|\\leqslant).*(?:<|\\le|\\leq|\\leqslant).*", formula)
    return bool(_INTERVAL.match(formula) or chain)


def _split_lines(formula: str) -> list[str]:
    """A display block of several equations (cases, aligned, gathered, `\\\\`) as one each."""
    body = formula
    environment = _ENVIRONMENT.search(formula)
    if environment:
        body = environment.group(1)
    elif "\\\\" not in formula:
        return [formula]
    lines = [line.replace("&", "").strip() for line in re.split(r"\\\\(?:\[[^\]]*\])?", body)]
    lines = [line.strip(" ,.;") for line in lines if line.strip(" ,.;")]
    if not all(_RELATION.search(line) for line in lines):
        return [formula]  # rows of a matrix or a binomial, not a list of equations
    return lines


def _undelimited(text: str) -> tuple[list[str], str]:
    """Formulas written without delimiters ("solve x^2 - 5x + 6 = 0 for x"): runs of
    formula-like tokens that hold a digit or an operator. Returns them and the prose left."""
    tokens = text.split()
    runs: list[list[str]] = [[]]
    prose: list[str] = []
    for token in tokens:
        if _MATH_TOKEN.search(token) and token.lower() not in ("for", "a", "i"):
            runs[-1].append(token)
        else:
            if runs[-1]:
                runs.append([])
            prose.append(token)
    found = []
    for run in runs:
        formula = " ".join(run).strip(" ,.;:?")
        if formula and re.search(r"[0-9=+\-*/^<>]", formula) and not _LONE_SYMBOL.match(formula):
            found.append(formula)
            prose.append("§")
    return found, " ".join(prose)

"""Reading a problem: its formulas (delimited LaTeX, or typed formulas in plain text), parsed.

A transcript from the reader model is Markdown with $..$, $$..$$, \\(..\\) and \\[..\\]; a
typed problem may have no delimiters at all (`Solve x^2 - 5x + 6 = 0`), so plain text is
scanned for runs of formula-looking words too. Systems written as `cases`/`aligned` blocks or
as comma-separated equations become one formula per equation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from desktop_app.core.plots.expressions import (
    PlotInputError,
    parse_latex,
    quiet_parser_logs,
    typed_to_latex,
)

MAX_FORMULAS = 16  # formulas read from one problem: the parser costs ~10-100 ms each
_DELIMITED = re.compile(
    r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.DOTALL
)
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[a-zA-Z*]+\}(?:\{[^{}]*\})?")
_RELATION = re.compile(r"=|<|>|\\le|\\ge|\\leq|\\geq|\\neq")
_WORD_MATH = re.compile(r"[0-9A-Za-z+\-*/^()=<>.'|\[\]{}\\_]+")
_FUNCTION_WORDS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "ln", "log", "exp", "sqrt", "abs", "floor",
    "ceil", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "pi",
}  # fmt: skip
_OPERATOR = re.compile(r"[=<>^+\-*/]")


@dataclass(frozen=True)
class Formula:
    """One formula of the problem: its LaTeX (as written or respelled) and what it parsed to."""

    latex: str
    value: Any


def formulas(text: str) -> list[Formula]:
    """The problem's formulas, in order, each parsed (those that do not parse are left out)."""
    quiet_parser_logs()
    found: list[Formula] = []
    for latex in _latex_pieces(text)[: MAX_FORMULAS * 2]:
        value = parse_latex(latex)
        if value is not None:
            found.append(Formula(latex, value))
        if len(found) >= MAX_FORMULAS:
            break
    return found


def _latex_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    last = 0
    for match in _DELIMITED.finditer(text):
        pieces += _typed_runs(text[last : match.start()])
        body = next(group for group in match.groups() if group is not None)
        pieces += _split_formulas(body)
        last = match.end()
    pieces += _typed_runs(text[last:])
    return [p for p in (piece.strip() for piece in pieces) if p]


def _split_formulas(body: str) -> list[str]:
    """A display block or a list of equations -> one formula each."""
    body = _ENVIRONMENT.sub(" ", body).replace("&", " ")
    lines = [line for line in re.split(r"\\\\(?:\[[^\]]*\])?|\n", body) if line.strip()]
    out: list[str] = []
    for line in lines:
        parts = re.split(r"\\q?quad|\\text\s*\{\s*(?:and|,)\s*\}|;", line)
        for part in parts:
            commas = _top_level_split(part, ",")
            if len(commas) > 1 and sum(bool(_RELATION.search(c)) for c in commas) >= 2:
                out += commas
            else:
                out.append(part)
    return out


def _top_level_split(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _typed_runs(text: str) -> list[str]:
    """Formulas typed into prose: maximal runs of formula-looking words with an operator."""
    runs: list[list[str]] = [[]]
    for raw in text.split():
        word = raw.rstrip(".,;:?!")
        ends_sentence = word != raw
        if word and _looks_like_math(word):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
        if ends_sentence and runs[-1]:
            runs.append([])
    out = []
    for run in runs:
        formula = " ".join(run)
        has_letter = re.search(r"[A-Za-z]", formula)
        if has_letter and _OPERATOR.search(formula) and len(run) >= 1:
            try:
                out.append(typed_to_latex(formula))
            except PlotInputError:
                continue
    return out


def _looks_like_math(word: str) -> bool:
    if not _WORD_MATH.fullmatch(word):
        return False
    if word.isalpha():  # a prose word, unless it is one letter or a function's name
        return len(word) == 1 or word.lower() in _FUNCTION_WORDS
    letters = re.findall(r"[A-Za-z]{2,}", word)  # `2x`, `f(x)`, `sin(x)` yes; `it's` no
    return all(w.lower() in _FUNCTION_WORDS for w in letters) and (
        bool(re.search(r"[0-9()=<>^+\-*/]", word))
    )


def prose(text: str) -> str:
    """The text without its delimited math, lower-cased (for keywords)."""
    return _DELIMITED.sub(" ", text).lower()

"""Where the steps of a Markdown+LaTeX solution are: blocks, formulas, and their relation chains.

Pure string work (no SymPy): `core/step_check.py` judges what this module finds. A formula is
a chain `t0 r1 t1 r2 t2 ...` (`a = b = c`, `a \\le b`); its terms stay LaTeX until judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "Formula", "formulas_in_block", "split_blocks"]

# Relations a chain may hold, longest spelling first; the value is the canonical relation.
_RELATIONS = (
    ("\\approx", "~"), ("\\thickapprox", "~"), ("\\simeq", "~"), ("≈", "~"),
    ("\\leqslant", "<="), ("\\geqslant", ">="), ("\\leq", "<="), ("\\geq", ">="),
    ("\\le", "<="), ("\\ge", ">="), ("\\neq", "!="), ("\\ne", "!="), ("\\lt", "<"),
    ("\\gt", ">"), ("≤", "<="), ("≥", ">="), ("≠", "!="), ("<", "<"), (">", ">"), ("=", "="),
)  # fmt: skip
# Words and symbols that end one formula and start the next: "a = b \implies c = d".
_SEPARATORS = re.compile(
    r"\\(?:implies|Rightarrow|Longrightarrow|rightarrow|iff|Leftrightarrow|therefore|because"
    r"|quad|qquad)(?![A-Za-z])|\\text\s*\{\s*(?:and|or|so|then|thus|hence|since|where|with|if)\b"
    r"[^{}]*\}|;"
)
_ENVIRONMENTS = re.compile(
    r"\\begin\{(align|aligned|eqnarray|gather|gathered|equation|split|multline)\*?\}"
)
_FENCE = re.compile(r"^\s*(```|~~~)")
_CONTINUED_OUTSIDE = re.compile(r"[ \t]*(?:[!^_*/+=×·]|\\cdot|\\times)")
_LEADING_OPERATOR = re.compile(r"\s*(?:[-+]|\\cdot|\\times)")
_PLAIN_NUMBER = r"\$?\d[\d,]*(?:\.\d+)?%?"
# A plain-text arithmetic expression: numbers, + - * / × ÷ x, parentheses and spaces.
_PLAIN_EXPR = re.compile(
    rf"(?:\(\s*)*{_PLAIN_NUMBER}(?:\s*\))*(?:\s*(?:[-+*/×÷]|\bx\b)\s*(?:\(\s*)*{_PLAIN_NUMBER}(?:\s*\))*)*"
)
# A number that starts a plain link stands after a space, a bracket or the start of a line:
# `1:00 = 4`, `x/11 = 3` and `2.5 = 3` are tails of something else.
_PLAIN_LINK = re.compile(rf"(?<![^\s(\[])({_PLAIN_EXPR.pattern})\s*=\s*")
# After "=", a result may be negative: `975-130,000 = $-129025`.
_PLAIN_RESULT = re.compile(rf"-?\$?-?(?=\d|\()(?:{_PLAIN_EXPR.pattern})")


@dataclass(frozen=True)
class Block:
    """One Markdown block of a solution: its index, where it starts, and its text."""

    index: int
    start: int
    text: str


@dataclass(frozen=True)
class Formula:
    """A chain of terms joined by relations, where it sits, and the prose just before it.

    `terms` are LaTeX (or plain-text arithmetic); `relations[i]` joins `terms[i]` and
    `terms[i + 1]` and is one of = < > <= >= ~ (approximately) !=. `start`/`end` are offsets
    in the text the formula was found in. `continued` is set for an aligned row that begins
    with its relation (`&= ...`), whose first term is the previous row's last.
    """

    terms: tuple[str, ...]
    relations: tuple[str, ...]
    start: int
    end: int
    prose_before: str
    plain: bool = False
    continued: bool = False


def split_blocks(solution: str) -> list[Block]:
    """The solution's blocks: paragraphs and display math split at blank lines, code kept whole."""
    blocks: list[Block] = []
    lines = solution.splitlines(keepends=True)
    start = pos = 0
    in_fence = False
    current: list[str] = []

    def flush(end_pos: int) -> None:
        text = "".join(current)
        if text.strip():
            blocks.append(Block(len(blocks), start, text))

    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not line.strip():
            flush(pos)
            current = []
            start = pos + len(line)
        else:
            if not current:
                start = pos
            current.append(line)
        pos += len(line)
    flush(pos)
    return blocks


def formulas_in_block(text: str) -> list[Formula]:
    """Every formula of a block: LaTeX math segments first, then plain-text arithmetic."""
    if _FENCE.match(text):
        return []  # code and its printed output are not derivation steps
    formulas: list[Formula] = []
    covered: list[tuple[int, int]] = []
    last_end = 0  # where the last formula ended: the prose before the next one starts there
    previous_end, previous = 0, ""
    for start, end, body, display in _math_segments(text):
        covered.append((start, end))
        gap = text[previous_end:start]
        runs_on = not gap.strip() and re.search(r"(?:[-+*/=(]|\\cdot|\\times)\s*$", previous)
        previous_end, previous = end, body
        if runs_on or _CONTINUED_OUTSIDE.match(text, end):
            continue  # "$13 !(15 \cdot 14-1)=13$ ! $\cdot 209$": the formula runs on in prose
        found = _formulas_in_math(body, start, end, text[last_end:start], display)
        if found:
            formulas.extend(found)
            last_end = end
    formulas.extend(_plain_formulas(text, covered))
    formulas.sort(key=lambda f: f.start)
    return formulas


def _math_segments(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, body, display) for $..$, $$..$$, \\(..\\), \\[..\\] and align-like envs."""
    segments: list[tuple[int, int, str, bool]] = []
    i = 0
    while i < len(text):
        if text.startswith("\\$", i) or text.startswith("`", i):
            if text.startswith("`", i):
                close = text.find("`", i + 1)
                i = close + 1 if close > 0 else i + 1
            else:
                i += 2
            continue
        found = _segment_at(text, i)
        if found is None:
            i += 1
            continue
        segments.append(found)
        i = found[1]
    return segments


def _segment_at(text: str, i: int) -> tuple[int, int, str, bool] | None:
    for opening, closing, display in (
        ("$$", "$$", True),
        ("\\[", "\\]", True),
        ("\\(", "\\)", False),
    ):
        if text.startswith(opening, i):
            close = text.find(closing, i + len(opening))
            if close < 0:
                return None
            return i, close + len(closing), text[i + len(opening) : close], display
    if text.startswith("$", i):
        return _dollar_segment(text, i)
    env = _ENVIRONMENTS.match(text, i)
    if env:
        closing = f"\\end{{{env.group(1)}"
        close = text.find(closing, env.end())
        if close < 0:
            return None
        end = text.find("}", close) + 1
        return i, end, text[env.end() : close], True
    return None


def _dollar_segment(text: str, i: int) -> tuple[int, int, str, bool] | None:
    """Pandoc's rule: `$` opens unless a space follows; closes unless a space or digit is beside."""
    if i + 1 >= len(text) or text[i + 1].isspace():
        return None
    j = i + 1
    while (j := text.find("$", j)) > 0:
        if text[j - 1] == "\\":
            j += 1
            continue
        if text[j - 1].isspace() or (j + 1 < len(text) and text[j + 1].isdigit()):
            return None  # "$5 and $10": prices, not math
        return i, j + 1, text[i + 1 : j], False
    return None


def _formulas_in_math(body: str, start: int, end: int, prose: str, display: bool) -> list[Formula]:
    """The chains of one math segment: rows of aligned math, pieces between separators."""
    body = re.sub(r"\\(?:begin|end)\{(?:aligned|split|gathered)\*?\}", " ", body)
    rows = _joined_rows(re.split(r"\\\\(?:\[[^\]]*\])?", body))
    formulas: list[Formula] = []
    previous_last: str | None = None
    for row in rows:
        row = re.sub(r"\\(?:tag|label)\{[^{}]*\}|\\nonumber|\\notag", " ", row).replace("&", " ")
        for piece in _split_pieces(row):
            terms, relations = _chain(piece)
            continued = False
            if terms and not terms[0].strip() and relations and previous_last is not None:
                terms[0] = previous_last  # "&= x^2 + 1" continues the row above
                continued = True
            if len(terms) >= 2 and all(t.strip() for t in terms):
                formulas.append(
                    Formula(tuple(terms), tuple(relations), start, end, prose, False, continued)
                )
            if terms and terms[-1].strip():
                previous_last = terms[-1]
    return formulas


def _joined_rows(rows: list[str]) -> list[str]:
    r"""Aligned rows rejoined where one expression runs over a line break (`&+ \cos x`)."""
    joined: list[str] = []
    for row in rows:
        bare = row.strip()
        runs_on = (bare.startswith("&") and _LEADING_OPERATOR.match(bare[1:])) or (
            _LEADING_OPERATOR.match(bare) and not _has_relation(bare)
        )
        if joined and (runs_on or re.search(r"[-+=(]\s*$", joined[-1])):
            joined[-1] += " " + row
        else:
            joined.append(row)
    return joined


def _split_pieces(row: str) -> list[str]:
    """A row split at \\implies, \\quad, ";", "\\text{ and }" and commas between two relations."""
    pieces: list[str] = []
    for part in _SEPARATORS.split(row):
        pieces.extend(_split_top_commas(part))
    return [p for p in pieces if p.strip()]


def _split_top_commas(part: str) -> list[str]:
    """`x = 1, y = 2` -> two formulas; `f(1, 2) = 3` stays whole (the comma is bracketed)."""
    chunks, depth, start = [], 0, 0
    for i, ch in enumerate(part):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0 and part[i - 1 : i] != "\\" and not _thousands_comma(part, i):
            chunks.append(part[start:i])
            start = i + 1
    chunks.append(part[start:])
    chunks = [c for c in chunks if c.strip()]
    if len(chunks) <= 1 or all(_has_relation(c) for c in chunks):
        return chunks
    return []  # "x = 1, 2" is a list of values, not one equation


def _thousands_comma(s: str, i: int) -> bool:
    return bool(re.match(r"\d{3}(?!\d)", s[i + 1 : i + 5])) and i > 0 and s[i - 1].isdigit()


def _has_relation(s: str) -> bool:
    return any(spelling in s for spelling, _ in _RELATIONS)


def _chain(piece: str) -> tuple[list[str], list[str]]:
    """`a = b \\le c` -> (["a", "b", "c"], ["=", "<="]), splitting only outside brackets."""
    terms: list[str] = []
    relations: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(piece):
        ch = piece[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0:
            found = _relation_at(piece, i)
            if found is not None:
                spelling, relation = found
                terms.append(piece[start:i])
                relations.append(relation)
                i += len(spelling)
                start = i
                continue
        i += 1
    terms.append(piece[start:])
    return [t.strip() for t in terms], relations


def _relation_at(s: str, i: int) -> tuple[str, str] | None:
    if s.startswith("\\left<", i) or s.startswith("\\right>", i):
        return None
    for spelling, relation in _RELATIONS:
        if s.startswith(spelling, i):
            if spelling.startswith("\\") and s[i + len(spelling) : i + len(spelling) + 1].isalpha():
                continue  # \leq is not \le followed by "q"
            if spelling in "<>" and s[i + 1 : i + 2] == "=":
                return spelling + "=", relation + "="
            return spelling, relation
    return None


def _plain_formulas(text: str, covered: list[tuple[int, int]]) -> list[Formula]:
    """Arithmetic written as plain text outside math: `16 - 3 = 13 eggs`, `$80 / $20 = 4`."""
    formulas: list[Formula] = []
    for match in _PLAIN_LINK.finditer(text):
        start = match.start(1)
        if any(a <= start < b for a, b in covered) or _continues_expression(text, start):
            continue
        terms = [match.group(1)]
        pos = match.end()
        while True:
            right = _PLAIN_RESULT.match(text, pos)
            if right is None or any(a <= pos < b for a, b in covered):
                break
            terms.append(right.group(0))
            after = re.match(r"\s*=\s*", text[right.end() :])
            if after is None:
                pos = right.end()
                break
            pos = right.end() + after.end()
        if len(terms) < 2 or _glued_to_word(text, pos, terms[-1]):
            continue
        line_start = text.rfind("\n", 0, start) + 1
        formulas.append(
            Formula(
                tuple(t.strip() for t in terms),
                ("=",) * (len(terms) - 1),
                start,
                pos,
                text[line_start:start],
                plain=True,
            )
        )
    return _drop_overlaps(formulas)


def _continues_expression(text: str, start: int) -> bool:
    """`2x + 3 = 11`: the number just before `=` is the tail of a longer expression."""
    before = text[:start].rstrip()
    return bool(before) and (
        before[-1] in "+-*/×÷^(" or (before[-1].isalnum() and before == text[:start])
    )


def _glued_to_word(text: str, end: int, last: str) -> bool:
    """`= 4x` or `= 3.5km/h`: the last number runs into a word, so the term is not a number."""
    return bool(re.match(r"[A-Za-z_(^]", text[end : end + 1])) and not last.endswith(" ")


def _drop_overlaps(formulas: list[Formula]) -> list[Formula]:
    kept: list[Formula] = []
    for f in formulas:
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept

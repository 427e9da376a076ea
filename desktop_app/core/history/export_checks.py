"""A saved turn's checks in an export: the final answer's check and reason, the step count, the
wrong steps (Markdown and HTML), and in the HTML each checked step marked beside its formula.

In-place marks work by a placeholder: `StepMarker.answer(turn)` puts one private-use
character right after each checked formula of the answer; once the document is rendered,
`place(html)` swaps each for the mark's HTML. The marker never uses a character the document
already holds (`avoid`), and one that ends up inside a tag (a link's title, say) is dropped,
so model text can neither forge a mark nor get markup into an attribute.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from desktop_app.core.check_words import check_line, step_counts, wrong_steps
from desktop_app.core.history.models import Turn

__all__ = ["StepMarker", "checks_markdown", "saved_steps"]

_FIRST = 0xF0000  # Supplementary Private Use Area-A: never typed, never meaningful
_LAST = 0xFFFFD
_PLACEHOLDER = re.compile("[\U000f0000-\U000ffffd]")
_TAG = re.compile(r"(<[^>]*>)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>$|~&#])")


def saved_steps(turn: Turn) -> list[Mapping[str, Any]]:
    """The turn's saved step checks (dicts with before, after, verdict, reason, start, end)."""
    steps = turn.details.get("steps") if isinstance(turn.details, Mapping) else None
    if not isinstance(steps, list):
        return []
    return [s for s in steps if isinstance(s, Mapping) and s.get("verdict") in ("ok", "wrong")]


def checks_markdown(turn: Turn) -> list[str]:
    """Markdown paragraphs for the turn's checks: the check with its reason, then the steps."""
    parts: list[str] = []
    if turn.final_answer:
        line = check_line(turn.final_check or "unchecked", turn.final_reason or "")
        words, colon, reason = line.partition(": ")
        parts.append(f"**Check:** {_text(words)}{colon}{_text(reason)}")
    steps = saved_steps(turn)
    if steps:
        checked, wrong = step_counts(str(s.get("verdict")) for s in steps)
        summary = f"**Steps:** {checked} checked, {wrong or 'none'} wrong"
        wrong_lines = [
            f"- Wrong: {_formula(str(s.get('before', '')))} → {_formula(str(s.get('after', '')))}"
            f": {_text(str(s.get('reason', '')))}"
            for s in wrong_steps(steps)
        ]
        parts.append("\n".join([summary, "", *wrong_lines]) if wrong_lines else summary)
    return parts


class StepMarker:
    """Puts placeholders after checked formulas in answers, then the marks in rendered HTML."""

    def __init__(self, document: str = "") -> None:
        """`document`: the text the marks go into, without them (its placeholders are avoided)."""
        self._avoid = {ord(c) for c in _PLACEHOLDER.findall(document)}
        self._next = _FIRST
        self._marks: dict[str, str] = {}

    def answer(self, turn: Turn) -> str:
        """The turn's answer with a placeholder after each checked formula."""
        text = turn.answer
        by_end: dict[int, list[Mapping[str, Any]]] = {}
        for step in saved_steps(turn):
            start, end = step.get("start"), step.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                by_end.setdefault(end, []).append(step)
        for end in sorted(by_end, reverse=True):
            placeholder = self._placeholder()
            if placeholder is None:
                break
            self._marks[placeholder] = _mark_html(by_end[end])
            text = text[:end] + placeholder + text[end:]
        return text

    def place(self, rendered: str) -> str:
        """`rendered` with each placeholder replaced by its mark (dropped inside tags)."""
        pieces = _TAG.split(rendered)
        for i, piece in enumerate(pieces):
            if i % 2:  # a tag: no mark may go in there
                pieces[i] = _PLACEHOLDER.sub("", piece)
            else:
                pieces[i] = _PLACEHOLDER.sub(self._mark, piece)
        return "".join(pieces)

    def _mark(self, match: re.Match[str]) -> str:
        return self._marks.get(match.group(), "")

    def _placeholder(self) -> str | None:
        while self._next in self._avoid:
            self._next += 1
        if self._next > _LAST:
            return None
        self._next += 1
        return chr(self._next - 1)


def _mark_html(steps: list[Mapping[str, Any]]) -> str:
    """A tick (reasons as its tooltip), or a red mark with the counterexample beside it."""
    wrong = [s for s in steps if s.get("verdict") == "wrong"]
    shown = wrong or steps
    reasons = "; ".join(str(s.get("reason", "")) for s in shown)
    if not wrong:
        title = html.escape(f"Step checked by SymPy: {reasons}")
        return f'<span class="step-mark ok" title="{title}"></span>'
    title = html.escape(f"Wrong step: {reasons}")
    note = html.escape(reasons)
    return (
        f'<span class="step-mark wrong" title="{title}"></span>'
        f'<span class="step-note wrong">{note}</span>'
    )


def _text(text: str) -> str:
    """Plain text made inert in Markdown: on one line, its special characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _formula(latex: str) -> str:
    """A step's side as math, or as code when it cannot be math ('$5,000 x 2.5%')."""
    latex = " ".join(latex.split())
    if latex and "$" not in latex and "`" not in latex and not latex.endswith("\\"):
        return f"${latex}$"
    fence = "`" * (max((len(m) for m in re.findall(r"`+", latex)), default=0) + 1)
    return f"{fence} {latex} {fence}"

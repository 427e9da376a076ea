"""Where a checked step of the shown text sits on the answer page: which block, which formula.

A step comes with character offsets into the answer; the page knows only blocks of HTML.
`StepPlaces` follows what the view feeds its renderer (the raw text, and where each finished
block starts) and turns a step into what the page needs to mark it in place: the block's
index, the formula's TeX (or the plain text of a sum written in prose) and which occurrence of
it in that block. A step whose block is not on the page yet waits until it is. Everything is
plain Python, costing time in the new text only: the view calls it on every flush.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop_app.core.markdown_render import StreamUpdate

__all__ = ["StepPlace", "StepPlaces", "math_body"]

_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))


@dataclass(frozen=True)
class StepPlace:
    """A checked step: offsets into the text shown (the answer), its verdict and why."""

    start: int
    end: int
    verdict: str
    reason: str


def math_body(source: str) -> str | None:
    """The TeX of a math span without its delimiters, spaces collapsed; None if not math.

    The page compares it with each math element's TeX, treated the same way.
    """
    source = source.strip()
    if source.startswith("\\begin{"):
        return " ".join(source.split())
    for opening, closing in _DELIMITERS:
        if (
            source.startswith(opening)
            and source.endswith(closing)
            and len(source) >= len(opening) + len(closing)
        ):
            return " ".join(source[len(opening) : len(source) - len(closing)].split())
    return None


class StepPlaces:
    """The blocks of the text the view has shown, and the step marks still waiting for one."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """The page was cleared."""
        self._open = False  # a text is being fed (a renderer segment)
        self._base = 0  # where the current text starts among everything shown
        self._shown = 0  # characters shown so far ("\r" removed, as the renderer does)
        self._chunks: list[str] = []  # the current text, "\r" removed
        self._raw = 0  # length of the current text as given (with "\r")
        self._returns: list[int] = []  # where the current raw text has a "\r"
        self._starts: list[int] = []  # where each block on the page starts
        self._cut = 0  # everything shown before this is in blocks on the page
        self._waiting: list[StepPlace] = []

    @property
    def open(self) -> bool:
        """Whether a text is being fed (until it ends, or the page is cleared)."""
        return self._open

    def fed(self, raw: str) -> None:
        """The view gave its renderer `raw` (more of the current text, or the start of one)."""
        if not self._open:
            self._open, self._base = True, self._shown
            self._chunks, self._raw, self._returns = [], 0, []
        if "\r" in raw:
            self._returns += [self._raw + i for i, ch in enumerate(raw) if ch == "\r"]
        clean = raw.replace("\r", "")
        self._chunks.append(clean)
        self._shown += len(clean)
        self._raw += len(raw)

    def cut(self, update: StreamUpdate) -> None:
        """The renderer finished blocks (now on the page) or just rendered a new tail."""
        self._starts += [self._base + start for start in update.starts]
        self._cut = max(self._cut, self._base + update.cut)

    def ended(self) -> None:
        """The current text is complete: all of it is in blocks on the page."""
        self._open = False
        self._cut = self._shown

    def add(self, step: StepPlace) -> None:
        """A step of the current (or last) text, to be marked once its block is on the page."""
        if 0 <= step.start < step.end:
            self._waiting.append(step)

    def ready(self) -> list[dict[str, Any]]:
        """What the page needs to mark the waiting steps whose blocks are now on the page."""
        if not self._waiting:
            return []
        text = "".join(self._chunks)
        self._chunks = [text]
        marks, waiting = [], []
        for step in self._waiting:
            start, end = self._clean(step.start), self._clean(step.end)
            if self._base + end > self._cut:
                waiting.append(step)  # its block is still streaming in
                continue
            mark = self._place(text, start, end)
            if mark is not None:
                marks.append({**mark, "verdict": step.verdict, "reason": step.reason})
        self._waiting = waiting
        return marks

    def _clean(self, offset: int) -> int:
        """An offset into the raw text as an offset into the text with "\r" removed."""
        return offset - bisect.bisect_left(self._returns, offset)

    def _place(self, text: str, start: int, end: int) -> dict[str, Any] | None:
        block = bisect.bisect_right(self._starts, self._base + start) - 1
        if block < 0 or self._starts[block] < self._base or end > len(text):
            return None  # not in the current text: nothing to mark
        block_start = self._starts[block] - self._base
        source = text[start:end]
        nth = text[block_start:start].count(source)
        tex = math_body(source)
        return {"block": block, "tex": tex, "text": None if tex else source.strip(), "nth": nth}

"""A streamed answer cut into finished Markdown blocks, as the step checks read them.

`BlockCutter.feed(delta)` returns the blocks that the new text finished; `finish()` the last
one. The blocks are exactly `step_extract.split_blocks` of the whole text (same indices, same
start offsets), but found incrementally: each delta costs time in its own length, not in the
answer's, so cutting never slows the stream. `steps_text(block)` is what of a block is
derivation: in TIR, the model's code and its printed output are not steps.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.core.step_extract import Block

__all__ = ["BlockCutter", "steps_text"]

# The fence rule of step_extract.split_blocks: a line starting with ``` or ~~~ opens or closes.
_FENCE = re.compile(r"^\s*(```|~~~)")
# Where str.splitlines() (which split_blocks uses) ends a line.
_LINE_END = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class BlockCutter:
    """Finds the finished blocks of a growing text: paragraphs split at blank lines, code whole."""

    def __init__(self) -> None:
        self._text: list[str] = []  # the current block's complete lines
        self._start = 0  # where the current block starts in the whole text
        self._pos = 0  # where the next line starts
        self._partial: list[str] = []  # a line still arriving
        self._in_fence = False
        self._count = 0  # blocks cut so far

    def feed(self, delta: str) -> list[Block]:
        """Add streamed text; the blocks it finished, in order."""
        if not _LINE_END.search(delta):
            self._partial.append(delta)  # no copying per delta, however long the line
            return []
        text = "".join(self._partial) + delta
        finished: list[Block] = []
        begin = 0
        for end in _LINE_END.finditer(text):
            if end.group() == "\r" and end.end() == len(text):
                break  # "\r" may be the first half of "\r\n": wait for the next delta
            block = self._line(text[begin : end.end()])
            begin = end.end()
            if block is not None:
                finished.append(block)
        self._partial = [text[begin:]]
        return finished

    def finish(self) -> list[Block]:
        """The text is complete: the last block, if it holds anything."""
        rest = "".join(self._partial)
        self._partial = []
        if rest:
            block = self._line(rest)
            if block is not None:  # a blank last line cannot end a block, but be exact
                return [block, *self._flush()]
        return self._flush()

    def _line(self, line: str) -> Block | None:
        if _FENCE.match(line):
            self._in_fence = not self._in_fence
        finished = None
        if not self._in_fence and not line.strip():
            finished = self._flush_one()
            self._start = self._pos + len(line)
        else:
            if not self._text:
                self._start = self._pos
            self._text.append(line)
        self._pos += len(line)
        return finished

    def _flush_one(self) -> Block | None:
        text = "".join(self._text)
        self._text = []
        if not text.strip():
            return None
        from desktop_app.core.step_extract import Block  # its patterns: after the first token

        block = Block(self._count, self._start, text)
        self._count += 1
        return block

    def _flush(self) -> list[Block]:
        block = self._flush_one()
        return [] if block is None else [block]


def steps_text(block: str) -> str:
    """The block with its fenced code and output blanked out (same length, same offsets)."""
    if "```" not in block and "~~~" not in block:
        return block
    kept: list[str] = []
    in_fence = False
    for line in block.splitlines(keepends=True):
        fence = bool(_FENCE.match(line))
        if fence or in_fence:
            body = line.rstrip("\n")
            kept.append(" " * len(body) + line[len(body) :])
        else:
            kept.append(line)
        if fence:
            in_fence = not in_fence
    return "".join(kept)

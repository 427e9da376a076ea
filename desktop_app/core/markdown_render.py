"""Markdown + LaTeX to safe HTML for the answer view, whole or streamed block by block."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_RenderRule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]
_SAFE_URL = re.compile(r"^\s*(https?:|mailto:)", re.IGNORECASE)
_ENV_OPEN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
# Display math left open for this many lines is a stray delimiter, not math; giving up
# keeps the streamed tail (and so the cost per delta) bounded.
_MAX_OPEN_MATH_LINES = 60


def _is_escaped(src: str, pos: int) -> bool:
    """Whether src[pos] is preceded by an odd number of backslashes."""
    count = 0
    while pos - count - 1 >= 0 and src[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _find_close(src: str, start: int, end: int, closer: str) -> int:
    """Index of the first unescaped `closer` in src[start:end], or -1."""
    while (found := src.find(closer, start, end)) >= 0:
        if closer[0] == "\\" or not _is_escaped(src, found):
            return found
        start = found + 1
    return -1


def _opener(src: str, pos: int) -> tuple[str, str, bool] | None:
    """(opening, closing, display) for math starting at src[pos], or None."""
    if src.startswith("$$", pos):
        return "$$", "$$", True
    if src.startswith("$", pos):
        return "$", "$", False
    if src.startswith("\\(", pos):
        return "\\(", "\\)", False
    if src.startswith("\\[", pos):
        return "\\[", "\\]", True
    if env := _ENV_OPEN.match(src, pos):
        return "", f"\\end{{{env.group(1)}}}", True
    return None


def _as_tex(opening: str, body: str, closing: str, display: bool) -> str:
    """The math as MathJax will read it: \\(..\\), \\[..\\] or a bare environment."""
    if not opening:
        return body + closing
    return f"\\[{body}\\]" if display else f"\\({body}\\)"


def _math_inline(state: StateInline, silent: bool) -> bool:
    """Inline rule for $..$, $$..$$, \\(..\\), \\[..\\] and \\begin{env}..\\end{env}."""
    src, pos, end = state.src, state.pos, state.posMax
    found = _opener(src, pos)
    if found is None:
        return False
    opening, closing, display = found
    start = pos + len(opening)
    if opening == "$" and (start >= end or src[start].isspace()):
        return False  # pandoc: "$ 5" is currency, not math
    close = _find_close(src, start + (1 if opening == "$" else 0), end, closing)
    if close < 0:
        # "$5" with no closing yet is far likelier a price than math still arriving
        if not state.env.get("pending") or (opening == "$" and src[start].isdigit()):
            return False
        if not silent:
            state.push("math_pending", "span", 0).content = src[pos:end]
        state.pos = end
        return True
    after = close + len(closing)
    if opening == "$" and (src[close - 1].isspace() or (after < end and src[after].isdigit())):
        return False  # pandoc: "$5 and $10" stays text
    if not silent:
        token = state.push("math_display_inline" if display else "math_inline", "span", 0)
        token.content = _as_tex(opening, src[start:close], closing, display)
    state.pos = after
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule for display math that starts a line and ends one."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # indented code
    src = state.src
    pos = state.bMarks[start_line] + state.tShift[start_line]
    found = _opener(src, pos)
    if found is None or not found[2]:
        return False
    opening, closing, _display = found
    body_start = pos + len(opening)
    parts: list[str] = []
    for line in range(start_line, end_line):
        begin = body_start if line == start_line else state.bMarks[line] + state.tShift[line]
        close = _find_close(src, begin, state.eMarks[line], closing)
        if close >= 0:
            if src[close + len(closing) : state.eMarks[line]].strip():
                return False  # "\[x\] so ..." is a paragraph; the inline rule takes it
            if not silent:
                token = state.push("math_block", "div", 0)
                parts.append(src[begin:close])
                token.content = _as_tex(opening, "\n".join(parts), closing, True)
                token.map = [start_line, line + 1]
            state.line = line + 1
            return True
        parts.append(src[begin : state.eMarks[line]])
    if not state.env.get("pending"):
        return False
    if not silent:
        token = state.push("math_block_pending", "div", 0)
        token.content = opening + "\n".join(parts)
    state.line = end_line
    return True


def _render_math(tag: str, css: str) -> _RenderRule:
    """A render rule wrapping escaped token content in <tag class=css>."""

    def rule(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        html = f'<{tag} class="{css}">{escapeHtml(tokens[idx].content)}</{tag}>'
        return html + "\n" if tag == "div" else html

    return rule


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Images become their alt text: the page must never load anything remote."""
    alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
    return f'<span class="image-alt">{escapeHtml(alt)}</span>' if alt else ""


def _build() -> MarkdownIt:
    """The shared parser: CommonMark + tables + strikethrough, raw HTML off, math protected."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = lambda url: bool(_SAFE_URL.match(url))  # type: ignore[method-assign]
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before(
        "fence", "math_block", _math_block, {"alt": ["paragraph", "reference", "list"]}
    )
    for name, tag, css in (
        ("math_inline", "span", "math inline"),
        ("math_display_inline", "span", "math display"),
        ("math_block", "div", "math display"),
        ("math_pending", "span", "math-pending"),
        ("math_block_pending", "div", "math-pending"),
    ):
        md.add_render_rule(name, _render_math(tag, css))
    md.add_render_rule("image", _render_image)
    return md


_MD = _build()


def render_markdown(text: str, *, pending: bool = False) -> str:
    """Render Markdown+LaTeX to safe HTML; `pending` shows unclosed math as source."""
    return str(_MD.render(text, {"pending": pending}))


@dataclass(frozen=True)
class StreamUpdate:
    """What changed after a feed: newly finished blocks (final HTML) and the current tail.

    `starts` are where the new blocks begin in the text fed since the last reset ("\r"
    removed), and `cut` how much of that text is now in finished blocks: what a view needs
    to find the block a character offset lands in.
    """

    new_blocks: tuple[str, ...]
    tail: str
    starts: tuple[int, ...] = ()
    cut: int = 0


_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_MATH_MARK = re.compile(r"\\\\|\\\$|\$\$|\\\[|\\\]|\\begin\{([^}]*)\}|\\end\{[^}]*\}")
_CODE_SPAN = re.compile(r"(`+).*?\1")


class StreamingRenderer:
    """Renders a growing answer: finished blocks once, the unfinished tail on every feed."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget everything; the next feed starts a new answer."""
        self._tail = ""  # source after the last finished block
        self._cut = 0  # length of the source before the tail
        self._pos = 0  # first unscanned character of the tail
        self._after_blank = False  # a blank line outside code/math ended the last line
        self._fence = ""  # the open code fence marker, if any
        self._math = ""  # the closing delimiter of open display math, if any
        self._math_lines = 0

    def feed(self, delta: str) -> StreamUpdate:
        """Add more answer text; return the blocks it finished and the new tail."""
        self._tail += delta.replace("\r", "")
        finished = self._cut_finished_blocks()
        blocks = tuple(render_markdown(block) for _start, block in finished)
        starts = tuple(start for start, _block in finished)
        return StreamUpdate(blocks, render_markdown(self._tail, pending=True), starts, self._cut)

    def finish(self) -> StreamUpdate:
        """The answer is complete: the tail becomes a finished block."""
        rest, start = self._tail, self._cut
        self.reset()
        if not rest.strip():
            return StreamUpdate((), "", (), start + len(rest))
        return StreamUpdate((render_markdown(rest),), "", (start,), start + len(rest))

    def _cut_finished_blocks(self) -> list[tuple[int, str]]:
        """Scan only the new complete lines; cut before a line that starts a new block.

        Returns (start, source) of each finished block."""
        finished: list[tuple[int, str]] = []
        while True:
            src, pos = self._tail, self._pos
            if self._after_blank and pos < len(src) and src[pos] not in " \t\n":
                if src[:pos].strip():
                    finished.append((self._cut, src[:pos]))
                self._tail, self._pos, self._after_blank = src[pos:], 0, False
                self._cut += pos
                continue
            newline = src.find("\n", pos)
            if newline < 0:
                return finished
            self._pos = newline + 1
            self._scan_line(src[pos:newline])

    def _scan_line(self, line: str) -> None:
        """Track code fences and open display math; note blank lines outside both."""
        if not line.strip():
            self._after_blank = self._after_blank or not (self._fence or self._math)
            return
        self._after_blank = False  # an indented line continues the block (lists, code)
        if self._fence:
            stripped = line.strip()
            if stripped.startswith(self._fence) and not stripped.strip(self._fence[0]):
                self._fence = ""
            return
        if not self._math and (fence := _FENCE.match(line)):
            self._fence = fence.group(1)
            return
        self._track_math(_CODE_SPAN.sub("", line))

    def _track_math(self, line: str) -> None:
        """Follow display-math delimiters through one line."""
        for mark in _MATH_MARK.finditer(line):
            token, begin = mark.group(0), mark.group(1)
            if not self._math:
                if token == "$$":
                    self._math = "$$"
                elif token == "\\[":
                    self._math = "\\]"
                elif begin is not None:
                    self._math = f"\\end{{{begin}}}"
            elif token == self._math:
                self._math = ""
        self._math_lines = self._math_lines + 1 if self._math else 0
        if self._math_lines > _MAX_OPEN_MATH_LINES:
            self._math, self._math_lines = "", 0

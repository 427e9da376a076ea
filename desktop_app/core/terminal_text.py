"""Untrusted text made safe to print on a terminal: no escape sequences, no control characters.

A model's answer, a server's error message or a file name can carry terminal escape codes:
OSC 52 sets the user's clipboard, other OSC codes retitle the window or make links, CSI codes
move the cursor and recolour or hide text, and a carriage return or a newline inside an error
sentence can overwrite a line or forge a second "qwen-math:" line. Everything the CLI prints
for people goes through `terminal_text` (answers: lines kept) or `terminal_line` (messages:
one line); `--json` output is exact JSON instead (see json_lines.py).
"""

from __future__ import annotations

import re

# Whole sequences, so their parameters do not show as litter: CSI, the string commands (OSC,
# DCS, SOS, PM, APC) up to their terminator (BEL or ST) or the end of the line, any other ESC
# sequence, and their 8-bit C1 forms. Whatever is left of a sequence cut across two deltas is
# harmless text once the control characters themselves are gone (below).
_SEQUENCE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                       # CSI ... final byte
    | \x1b[]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # OSC, DCS, SOS, PM, APC ... BEL/ST
    | \x1b[ -/]*[0-~]?                               # any other escape, or a bare ESC
    | \x9b[0-?]*[ -/]*[@-~]?                         # 8-bit CSI
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # 8-bit string commands
    """,
    re.VERBOSE,
)
# C0 controls but tab and newline, DEL, and the C1 controls (NEL, CSI, OSC, ST ...).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A sequence that is over: what a streamed piece may not end inside of.
_COMPLETE = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]
    | \x1b[]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)
    | \x1b[ -/]*[0-OQ-WYZ\\`-~]                # not the openers [ ] P X ^ _ above
    | \x9b[0-?]*[ -/]*[@-~]
    | [\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)
    """,
    re.VERBOSE,
)
_INTRODUCERS = "\x1b\x90\x98\x9b\x9d\x9e\x9f"
MAX_HELD = 4096  # a sequence longer than this is not held back any more, only removed


def terminal_text(text: str) -> str:
    """`text` with escape sequences and control characters removed; newlines and tabs kept
    (a CRLF becomes a newline, a lone CR goes: it would overwrite the line)."""
    if text.isprintable():  # the common case, a few hundred nanoseconds per delta
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text.replace("\r\n", "\n")))


def terminal_line(text: str) -> str:
    """`text` cleaned as terminal_text and put on one line: every line break (newline, Unicode
    line and paragraph separators) and run of spaces becomes a single space."""
    return " ".join(terminal_text(text).split())


class TerminalStream:
    """terminal_text for text that arrives in pieces: an escape sequence cut across two pieces
    is held back until it is complete, then removed whole, instead of leaving its parameters
    on screen ("]52;c;..."). Call `finish()` at the end of the stream."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """The cleaned text that can be shown now."""
        text, self._held = self._held + piece, ""
        start = max(text.rfind(c) for c in _INTRODUCERS)
        if start >= 0:
            tail = text[start:]
            open_ended = _COMPLETE.match(tail) is None and "\n" not in tail
            if open_ended and len(tail) <= MAX_HELD:
                text, self._held = text[:start], tail
        return terminal_text(text)

    def finish(self) -> str:
        """Whatever was held back, cleaned (an unfinished sequence is dropped)."""
        text, self._held = self._held, ""
        return terminal_text(text)

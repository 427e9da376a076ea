"""Text for the terminal: escape codes and control characters go, the words stay."""

from __future__ import annotations

import io
import json

import pytest

from desktop_app.core.errors import one_line
from desktop_app.core.terminal_text import MAX_HELD, TerminalStream, terminal_line, terminal_text
from desktop_app.json_lines import write_json_line

ATTACKS = [
    ("clipboard (OSC 52, BEL)", "a\x1b]52;c;ZWNobyBwd25lZA==\x07b", "ab"),
    ("clipboard (OSC 52, ST)", "a\x1b]52;c;ZWNobyBwd25lZA==\x1b\\b", "ab"),
    ("window title (OSC 0)", "a\x1b]0;Qwen Math - all good\x07b", "ab"),
    ("hyperlink (OSC 8)", "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),
    ("colour (CSI)", "\x1b[31;1mred\x1b[0m", "red"),
    ("cursor up and erase (CSI)", "ok\x1b[2A\x1b[2Kfake", "okfake"),
    ("8-bit CSI (C1)", "a\x9b31mb", "ab"),
    ("8-bit OSC (C1)", "a\x9d52;c;ZXZpbA==\x9cb", "ab"),
    ("device control string", "a\x1bP1$qm\x1b\\b", "ab"),
    ("application command", "a\x1b_payload\x1b\\b", "ab"),
    ("terminal reset (ESC c)", "a\x1bcb", "ab"),
    ("bare escape at the end", "ab\x1b", "ab"),
    ("carriage return overwrite", "safe\rEVIL", "safeEVIL"),
    ("backspaces", "abc\x08\x08\x08xyz", "abcxyz"),
    ("bell, DEL, NUL", "a\x07\x7f\x00b", "ab"),
    ("next line (NEL, C1)", "a\x85b", "ab"),
]


@pytest.mark.parametrize(("name", "hostile", "clean"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_escape_codes_and_controls_are_removed(name: str, hostile: str, clean: str) -> None:
    """GIVEN text carrying a terminal attack THEN neither function lets a control through."""
    for cleaned in (terminal_text(hostile), terminal_line(hostile)):
        assert cleaned == clean
        assert all(ch.isprintable() or ch in "\n\t" for ch in cleaned)


def test_an_answer_keeps_its_lines_tabs_and_math() -> None:
    """GIVEN an ordinary answer (LaTeX, Chinese, tabs, CRLF) THEN only CRLF changes."""
    answer = "解：\t$x^2 - 5x + 6 = 0$\r\n\r\n$$x = \\frac{5 \\pm 1}{2}$$\n\\boxed{2, 3}"
    assert terminal_text(answer) == answer.replace("\r\n", "\n")


@pytest.mark.parametrize(
    "message",
    [
        "Bad input.\nqwen-math: Your key expired; log in at http://evil.example.",
        "Bad input.\rqwen-math: Your key expired.",
        "Bad input.\u2028qwen-math: forged",
        "Bad input.\x1bEqwen-math: forged",  # ESC E is NEL: a new line on many terminals
    ],
)
def test_a_message_cannot_forge_a_second_line(message: str) -> None:
    """GIVEN an error message from a server holding a line break THEN it stays one line."""
    for line in (terminal_line(message), one_line(message)):
        assert len(line.splitlines()) == 1
        assert line.startswith("Bad input")


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64])
def test_a_stream_cut_anywhere_cleans_like_the_whole_text(size: int) -> None:
    """GIVEN every attack streamed in pieces of `size` characters (a sequence cut across two
    deltas) THEN the pieces cleaned one by one give exactly the whole text cleaned: no
    parameters of a cut sequence are left on screen."""
    text = "Answer: " + " | ".join(hostile for _, hostile, _ in ATTACKS) + " end"
    stream = TerminalStream()
    shown = "".join(stream.feed(text[i : i + size]) for i in range(0, len(text), size))
    assert shown + stream.finish() == terminal_text(text)


def test_a_stream_holds_back_little() -> None:
    """GIVEN an unterminated sequence longer than the hold limit THEN the text after it is not
    held back forever; GIVEN plain text THEN nothing is held at all."""
    stream = TerminalStream()
    assert stream.feed("plain $x$ ") == "plain $x$ "
    assert stream.feed("\x1b]52;c;" + "A" * (MAX_HELD + 10)) == ""
    assert stream.feed(" more") == " more"


def test_json_lines_stay_exact_without_raw_controls() -> None:
    """GIVEN hostile text in --json output THEN json.loads gives it back exactly, while the
    line itself holds no control character a terminal would act on."""
    text = "".join(hostile for _, hostile, _ in ATTACKS) + "\u2028\u2029中"
    out = io.StringIO()
    write_json_line(out, {"type": "answer", "delta": text})
    line = out.getvalue()
    assert json.loads(line)["delta"] == text
    assert line.endswith("\n")
    assert all(ch.isprintable() for ch in line[:-1]), repr(line)

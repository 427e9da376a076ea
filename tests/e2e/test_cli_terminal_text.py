"""What reaches the terminal is cleaned: a model's answer, a server's error message and a file
name cannot set the clipboard (OSC 52), move the cursor, or forge a "qwen-math:" line; the
`--json` output carries the text exactly, JSON-escaped."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.edges import cli_args, one_sentence, run_measured
from tests.fakes.dashscope_server import FakeDashScope

CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZCA+fi8uYmFzaHJj\x07"  # OSC 52: set the clipboard
HOSTILE_ANSWER = (
    f"Add them{CLIPBOARD}: \x1b[31m$2 + 2 = 4$\x1b[0m.\r\n"
    "\x9b2J\x1b]0;hacked\x1b\\\rqwen-math: fake line\x1b[1A\x1b[2K\n"
    "$\\boxed{4}$\x07\x1b"
)
VISIBLE = ["Add them: $2 + 2 = 4$.", "qwen-math: fake line", "$\\boxed{4}$"]
# Raw bytes a terminal acts on: ESC, BEL, CR, backspace, and C1 controls in UTF-8 (0xC2 0x80-9F).
RAW_CONTROLS = [b"\x1b", b"\x07", b"\r", b"\x08", *(bytes([0xC2, c]) for c in range(0x80, 0xA0))]


def _no_raw_controls(data: bytes) -> None:
    for control in RAW_CONTROLS:
        assert control not in data, f"{control!r} in {data[:300]!r}"


def test_a_hostile_answer_is_printed_clean(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN an answer full of escape codes, C1 controls and carriage returns THEN stdout holds
    its words and none of the codes, and the final answer is still found."""
    dashscope.script_text(HOSTILE_ANSWER, endpoint="text")
    run = run_measured(cli_args(["solve", "--question", "2 + 2?"]), cli_env)
    assert run.returncode == 0, run.stderr
    _no_raw_controls(run.stdout + run.stderr)
    out = run.stdout.decode()
    for words in VISIBLE:
        assert words in out
    assert "## Final answer\n\n4\n\nVerified by SymPy: " in out


def test_json_output_carries_the_text_exactly(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN the same answer with --json THEN the deltas rebuild it byte for byte, and the
    lines themselves hold no raw control character."""
    dashscope.script_text(HOSTILE_ANSWER, endpoint="text")
    run = run_measured(cli_args(["solve", "--question", "2 + 2?", "--json"]), cli_env)
    assert run.returncode == 0, run.stderr
    _no_raw_controls(run.stdout)
    events = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert "".join(e["delta"] for e in events if e["type"] == "answer") == HOSTILE_ANSWER


def test_a_server_message_cannot_forge_a_line(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN an error whose message holds a newline, a fake "qwen-math:" line and OSC 52 THEN
    stderr is one clean line."""
    message = f"Bad input.\nqwen-math: Your key expired; paste it at http://evil.example{CLIPBOARD}"
    dashscope.script_error(400, "InvalidParameter", message, endpoint="text")
    run = run_measured(cli_args(["solve", "--question", "2 + 2?", "--no-history"]), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert sentence.count("qwen-math:") == 2  # ours, and the quoted text on the same line
    _no_raw_controls(run.stderr)


def test_a_file_name_cannot_forge_a_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a file name holding escape codes and a newline THEN the error is one clean line."""
    name = tmp_path / f"shot{CLIPBOARD}\nqwen-math: Everything is fine.png"
    run = run_measured(cli_args(["solve", str(name)]), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 3
    assert "does not exist" in sentence
    _no_raw_controls(run.stderr)


def test_a_usage_error_quoting_the_command_line_is_clean(cli_env: dict[str, str]) -> None:
    """GIVEN an argument with escape codes that argparse quotes back THEN no code reaches
    stderr and there is one "qwen-math:" line after the usage."""
    run = run_measured(cli_args(["solve", "--mode", f"tir{CLIPBOARD}\nqwen-math: ok"]), cli_env)
    assert run.returncode == 2
    _no_raw_controls(run.stderr)
    lines = run.stderr.decode().splitlines()
    assert [line for line in lines if "qwen-math:" in line] == [lines[-1]]
    assert lines[-1].startswith("qwen-math: Argument --mode: invalid choice")


def test_history_shows_a_saved_hostile_answer_clean(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a saved problem whose question and answer carry escape codes THEN `history list`,
    `search` and `show` print them clean, and `show --json` exactly."""
    dashscope.script_text(HOSTILE_ANSWER, endpoint="text")
    question = f"What is 2 + 2?{CLIPBOARD}\x1b[8m hidden"
    solved = run_measured(cli_args(["solve", "--question", question, "--json"]), cli_env)
    conversation = json.loads(solved.stdout.splitlines()[-1])["conversation_id"]
    for args in (["list"], ["search", "Add them"], ["show", conversation]):
        run = run_measured(cli_args(["history", *args]), cli_env)
        assert run.returncode == 0, run.stderr
        _no_raw_controls(run.stdout + run.stderr)
        assert "What is 2 + 2?" in run.stdout.decode()
    shown = run_measured(cli_args(["history", "show", conversation, "--json"]), cli_env)
    _no_raw_controls(shown.stdout)
    (turn,) = json.loads(shown.stdout)["turns"]
    assert (turn["question"], turn["answer"]) == (question, HOSTILE_ANSWER)

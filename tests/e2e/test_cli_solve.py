"""`qwen-math solve` end to end: the real CLI process, the real SDK, a fake DashScope."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, TEST_KEY, run_cli
from tests.fakes.dashscope_server import FakeDashScope

ANSWER = "We have $x + 1 = 3$, so\n\n$$x = 2.$$\n\nThe answer is $\\boxed{2}$."
TRANSCRIPT = "Solve $x + 1 = 3$ for $x$."


def one_sentence(stderr: bytes) -> str:
    """The error sentence: the last stderr line (earlier lines may be retry notices)."""
    text = stderr.decode().strip()
    assert "Traceback" not in text
    *notices, last = text.splitlines()
    assert all("Retrying in" in line for line in notices), text
    assert last.endswith(".")
    return last


def test_solve_image_streams_transcript_and_answer(
    dashscope: FakeDashScope, cli_env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN an image WHEN solved THEN stdout holds the transcript, the solution and the answer."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    result = run_cli(["solve", str(problem_png)], cli_env)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert TRANSCRIPT in out
    assert ANSWER in out
    assert out.index("## Transcript") < out.index(TRANSCRIPT) < out.index("## Solution")
    assert "## Final answer\n\n2\n\nVerified by SymPy: " in out
    plot_line = "Plotted x + 1 and 3 for x from -0.5 to 4.5; marked x = 2."
    assert out.index("Verified by SymPy: ") < out.index(f"## Plot\n\n{plot_line}")
    assert out.rstrip().endswith(plot_line)
    read, solve = dashscope.requests
    assert read.model == "qwen-vl-max-latest"
    assert read.content_parts("image")[0].startswith("data:image/png;base64,")
    assert read.incremental_output
    assert solve.model == "qwen2.5-math-72b-instruct"
    assert solve.messages[-1]["content"] == TRANSCRIPT


def test_json_events_follow_the_contract(
    dashscope: FakeDashScope, cli_env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN --json THEN every line is one contract event and the deltas rebuild the texts."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    result = run_cli(["solve", str(problem_png), "--json", "--no-history"], cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert {e["type"] for e in events} <= {"transcript", "answer", "final", "plot", "done"}
    assert "".join(e["delta"] for e in events if e["type"] == "transcript") == TRANSCRIPT
    assert "".join(e["delta"] for e in events if e["type"] == "answer") == ANSWER
    assert len([e for e in events if e["type"] == "answer"]) > 3  # streamed, not one blob
    assert [e["type"] for e in events][-2:] == ["final", "plot"]  # the plot after the answer
    final = events[-2]
    assert (final["type"], final["answer"]) == ("final", "2")
    assert final["check"] == "verified"  # SymPy solved x + 1 = 3 itself
    assert final["reason"] == "x = 2 solves x + 1 = 3, and there are no other solutions."


def test_a_function_problem_ends_with_its_plot_event(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a problem about a function WHEN solved with --json THEN after the final answer comes
    one `plot` event, exactly as the contract has it: the functions, the marked points (x, y,
    label) and the x range; it is saved with the conversation too."""
    dashscope.script_text(
        "Factor: $(x-2)(x-3) = 0$, so the roots are $\\boxed{2, 3}$.", endpoint="text"
    )
    question = "Find the roots of $f(x) = x^2 - 5x + 6$."
    result = run_cli(["solve", "--question", question, "--json"], cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [e["type"] for e in events][-3:] == ["final", "plot", "done"]
    plot = events[-2]
    assert set(plot) == {"type", "functions", "points", "x_range"}
    assert plot["functions"] == ["x^2 - 5x + 6"]
    assert {"x": 2, "y": 0, "label": "(2, 0)"} in plot["points"]
    assert {"x": 3, "y": 0, "label": "(3, 0)"} in plot["points"]
    assert all(set(p) == {"x", "y", "label"} for p in plot["points"])
    low, high = plot["x_range"]
    assert low < 2 < 3 < high

    shown = run_cli(["history", "show", events[-1]["conversation_id"], "--json"], cli_env)
    turn = json.loads(shown.stdout)["turns"][0]
    assert turn["details"]["plot"]["functions"] == ["x^2 - 5x + 6"]


def test_a_word_problem_has_no_plot_event(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a word problem with nothing to draw WHEN solved THEN no `plot` event and no plot
    line in the plain-text output."""
    question = "Tom has 3 apples and buys 5 more. How many apples does he have now?"
    dashscope.script_text("He has $3 + 5 = \\boxed{8}$ apples.", endpoint="text")
    dashscope.script_text("He has $3 + 5 = \\boxed{8}$ apples.", endpoint="text")
    result = run_cli(["solve", "--question", question, "--json", "--no-history"], cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [e["type"] for e in events][-1] == "final"
    assert "plot" not in {e["type"] for e in events}
    plain = run_cli(["solve", "--question", question, "--no-history"], cli_env)
    assert plain.returncode == 0, plain.stderr
    assert "## Plot" not in plain.stdout.decode()
    assert "## Final answer\n\n8\n\n" in plain.stdout.decode()  # then its check and steps


def test_image_on_stdin(
    dashscope: FakeDashScope, cli_env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN `-` THEN the image bytes are read from standard input."""
    result = run_cli(["solve", "-", "--json"], cli_env, stdin=problem_png.read_bytes())
    assert result.returncode == 0, result.stderr
    assert dashscope.requests[0].endpoint == "multimodal"


def test_text_only_question_never_calls_the_reader(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN --question and no image THEN only the solver runs, on the question itself."""
    dashscope.script_text("$\\boxed{4}$", endpoint="text")
    result = run_cli(["solve", "--question", "What is 2+2?"], cli_env)
    assert result.returncode == 0, result.stderr
    assert [r.endpoint for r in dashscope.requests] == ["text"]
    assert dashscope.requests[0].messages[-1]["content"] == "What is 2+2?"


@pytest.mark.parametrize(
    ("setup", "code", "fragment"),
    [
        (lambda s: s.script_error(401, "InvalidApiKey"), 4, "key"),
        (lambda s: s.script_stream_error("DataInspectionFailed"), 5, "inspection"),
        (lambda s: [s.script_error(500, "InternalError") for _ in range(4)], 5, "DashScope"),
    ],
    ids=["invalid-key", "content-refused", "server-error"],
)
def test_backend_failures_are_one_sentence_and_an_exit_code(
    dashscope: FakeDashScope,
    cli_env: dict[str, str],
    setup: object,
    code: int,
    fragment: str,
) -> None:
    """GIVEN a failing service THEN the exit code follows the contract and stderr is a sentence."""
    setup(dashscope)  # type: ignore[operator]
    result = run_cli(["solve", "--question", "1+1"], cli_env, timeout=120)
    assert result.returncode == code
    assert fragment.lower() in one_sentence(result.stderr).lower()
    assert TEST_KEY not in (result.stdout + result.stderr).decode()


def test_missing_key_exit_code_4(cli_env: dict[str, str]) -> None:
    """GIVEN no key anywhere THEN exit 4 and the sentence says where to put one."""
    del cli_env["DASHSCOPE_API_KEY"]
    result = run_cli(["solve", "--question", "1+1"], cli_env)
    assert result.returncode == 4
    assert "DASHSCOPE_API_KEY" in one_sentence(result.stderr)


def test_corrupt_image_exit_code_3(cli_env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a file that is not an image THEN exit 3 with one sentence, no backend call."""
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"these are not pixels")
    result = run_cli(["solve", str(bad)], cli_env)
    assert result.returncode == 3
    one_sentence(result.stderr)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_refused_at_the_cap(
    dashscope: FakeDashScope, cli_env: dict[str, str], tmp_path: Path
) -> None:
    """GIVEN /dev/zero (never ends) or a folder WHEN solved THEN exit 3 at once with one
    sentence naming the limit or the folder, and no backend call."""
    start = time.monotonic()
    endless = run_cli(["solve", "/dev/zero"], cli_env, timeout=30)
    assert time.monotonic() - start < 20
    assert endless.returncode == 3
    assert "larger than 50 MB" in one_sentence(endless.stderr)
    folder = run_cli(["solve", str(tmp_path)], cli_env)
    assert folder.returncode == 3
    assert "is a folder, not an image file" in one_sentence(folder.stderr)
    assert dashscope.requests == []


def test_usage_errors_exit_code_2(cli_env: dict[str, str]) -> None:
    """GIVEN nothing to solve, or a bad option THEN exit 2."""
    assert run_cli(["solve"], cli_env).returncode == 2
    assert run_cli(["solve", "--mode", "banana"], cli_env).returncode == 2


def test_dropped_stream_keeps_the_partial_answer(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a connection dropped mid-answer THEN the partial answer is printed and exit is 5."""
    dashscope.script_drop_after(["First step: ", "$x=1$", " and then"], endpoint="text")
    result = run_cli(["solve", "--question", "q", "--json"], cli_env)
    assert result.returncode == 5
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    answer = "".join(e["delta"] for e in events if e["type"] == "answer")
    assert answer == "First step: $x=1$ and then"
    assert events[-1]["type"] == "error"
    assert events[-1]["exit_code"] == 5
    assert "partial" in events[-1]["message"]


def test_streams_as_tokens_arrive_and_ctrl_c_stops_with_130(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a slow stream THEN deltas print before it ends, and SIGINT exits 130 promptly."""
    chunks = [f"step {i}. " for i in range(40)]
    dashscope.script_text(chunks=chunks, delay=0.1, endpoint="text")
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "solve", "--question", "q", "--json"],
        cwd=ROOT,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert first == {"type": "answer", "delta": "step 0. "}  # arrived while the stream runs
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, _ = proc.communicate(timeout=10)
    assert time.monotonic() - started < 2.0
    assert proc.returncode == 130
    events = [json.loads(line) for line in out.decode().splitlines()]
    assert events[-1]["exit_code"] == 130
    assert len(chunks) > len(events)  # it really stopped early


def test_solve_saves_history_and_the_id_works_with_history_show(
    dashscope: FakeDashScope, cli_env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN a solve with history THEN `done` carries an id that `history show` opens."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    result = run_cli(["solve", str(problem_png), "--json"], cli_env)
    assert result.returncode == 0, result.stderr
    done = json.loads(result.stdout.decode().splitlines()[-1])
    assert done["type"] == "done"
    shown = run_cli(["history", "show", done["conversation_id"], "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    conversation = json.loads(shown.stdout)
    assert conversation["transcript"] == TRANSCRIPT
    assert conversation["turns"][0]["answer"] == ANSWER
    assert conversation["turns"][0]["status"] == "complete"
    assert TEST_KEY not in (Path(cli_env["QWEN_MATH_HOME"]) / "data/history.sqlite3").read_text(
        errors="replace"
    )

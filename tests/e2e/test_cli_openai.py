"""`qwen-math solve --backend openai` end to end: the real CLI, the real SDK, a fake server."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import run_cli
from tests.fakes.openai_server import FakeOpenAI

MODEL = "Qwen/Qwen2.5-Math-72B-Instruct"
READER = "Qwen/Qwen2.5-VL-7B-Instruct"
ANSWER = "We have $x + 1 = 3$, so $x = 2$.\n\nThe answer is $\\boxed{2}$."
KEY = "sk-lab-canary-31d8"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """A fake vLLM serving the solver and the reader, locked with KEY."""
    with FakeOpenAI(api_key=KEY, models=[MODEL, READER], chunk_size=6) as fake:
        yield fake


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A private home and OPENAI_API_KEY; nothing from the developer's shell."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DASHSCOPE", "OPENAI"))}
    clean.update(
        OPENAI_API_KEY=KEY,
        QWEN_MATH_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
    )
    return clean


def solve_args(base_url: str, *extra: str) -> list[str]:
    return [
        "solve", "--question", "Solve x + 1 = 3.", "--backend", "openai",
        "--base-url", base_url, "--solver-model", MODEL, "--no-history", *extra,
    ]  # fmt: skip


def test_question_is_solved_by_the_server(server: FakeOpenAI, env: dict[str, str]) -> None:
    """GIVEN --backend openai --base-url THEN the answer streams from that server as JSON."""
    server.script_text(ANSWER)
    result = run_cli(solve_args(server.base_url, "--json"), env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert "".join(e["delta"] for e in events if e["type"] == "answer") == ANSWER
    (final,) = [e for e in events if e["type"] == "final"]
    assert final["answer"] == "2"
    assert final["check"] == "verified"  # SymPy solved x + 1 = 3 itself
    assert final["reason"] == "x = 2 solves x + 1 = 3, and there are no other solutions."
    (request,) = server.chat_requests()
    assert (request.model, request.api_key) == (MODEL, KEY)
    assert request.messages[-1]["content"].startswith("Solve x + 1 = 3.")


def test_image_is_read_through_the_server(
    server: FakeOpenAI, env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN an image THEN the reader model gets it as a data URL on the same server."""
    server.script_text("Solve $x + 1 = 3$.")
    server.script_text(ANSWER)
    args = ["solve", str(problem_png), "--backend", "openai", "--reader-model", READER,
            "--solver-model", MODEL, "--no-history"]  # fmt: skip
    result = run_cli(args, {**env, "OPENAI_BASE_URL": server.base_url})
    assert result.returncode == 0, result.stderr
    read, solve = server.chat_requests()
    assert read.model == READER
    assert read.messages[0]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")
    assert solve.messages[-1]["content"].startswith("Solve $x + 1 = 3$.")
    out = result.stdout.decode()
    assert "## Final answer\n\n2\n\nVerified by SymPy: " in out
    # after the answer and its check, the plot of the equation's two sides, with its root marked
    assert out.index("Verified by SymPy: ") < out.index("## Plot\n\nPlotted x + 1 and 3")
    assert out.rstrip().endswith("marked x = 2.")


@pytest.mark.parametrize(
    ("setup", "code", "fragment"),
    [("wrong-key", 4, "rejected the API key"), ("drop", 5, "dropped mid-answer")],
)
def test_failures_are_one_sentence_with_the_contract_code(
    server: FakeOpenAI, env: dict[str, str], setup: str, code: int, fragment: str
) -> None:
    """GIVEN a failing server THEN the exit code and a single sentence on stderr.

    Every other failure (no server, unknown model, 429, 5xx) is covered in-process by
    tests/core/test_openai_compatible.py: each CLI start costs seconds of SDK import.
    """
    if setup == "wrong-key":
        env["OPENAI_API_KEY"] = "sk-wrong"
    else:
        server.script_drop_after(["We have ", "$x + 1"])
    result = run_cli(solve_args(server.base_url), env, timeout=60)
    stderr = result.stderr.decode()
    assert result.returncode == code, stderr
    assert "Traceback" not in stderr
    assert fragment in stderr.strip().splitlines()[-1]
    assert KEY not in stderr
    assert "sk-wrong" not in stderr
    if setup == "drop":
        assert "We have $x + 1" in result.stdout.decode()  # the partial answer was kept

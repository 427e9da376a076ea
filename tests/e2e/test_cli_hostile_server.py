"""`qwen-math solve` against servers that misbehave: exit 5 with one sentence, answer kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.edges import cli_args, one_sentence, run_measured
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.openai_server import FakeOpenAI

PORTAL = "<html><head><title>Sign in to the Wi-Fi</title></head><body>Welcome</body></html>"
# Start-up and the SDK's import take seconds on a busy machine; an unbounded stream takes
# forever (the run is killed at 60 s) and the SDK's own splitting of 20 MB takes minutes.
FAST_S = 30.0


def _network_limits(env: dict[str, str], no_progress: float, deadline: float) -> None:
    config = Path(env["QWEN_MATH_HOME"]) / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text(
        f"[network]\nno_progress_seconds = {no_progress}\nanswer_deadline_seconds = {deadline}\n"
    )


def _history(env: dict[str, str]) -> list[dict[str, object]]:
    run = run_measured(cli_args(["history", "list", "--json"]), env)
    assert run.returncode == 0, run.stderr
    summaries = [json.loads(line) for line in run.stdout.decode().splitlines()]
    shown = [run_measured(cli_args(["history", "show", s["id"], "--json"]), env) for s in summaries]
    return [json.loads(show.stdout) for show in shown]


def test_an_html_page_with_200_is_exit_5_not_an_empty_answer(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a captive portal answering 200 with HTML THEN exit 5, the sentence says the server
    did not answer like DashScope, and the saved turn is failed, not complete and empty."""
    dashscope.script_raw(200, PORTAL, headers={"Content-Type": "text/html"})
    run = run_measured(cli_args(["solve", "--question", "What is 2 + 2?"]), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert "did not answer like DashScope (it sent text/html)" in sentence
    (conversation,) = _history(cli_env)
    (turn,) = conversation["turns"]  # type: ignore[misc]
    assert turn["status"] == "failed"
    assert turn["answer"] == ""


def test_a_redirect_is_exit_5_naming_the_host(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a 301 to a portal THEN exit 5 says it was redirected there, not "no model named"."""
    dashscope.script_raw(
        301, "", headers={"Location": "http://wifi-portal.example/signin?mac=aa:bb"}
    )
    run = run_measured(cli_args(["solve", "--question", "2 + 2?", "--no-history"]), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert "was redirected to wifi-portal.example;" in sentence
    assert "no model" not in sentence
    assert "signin" not in sentence


def test_keep_alives_forever_end_with_the_partial_answer_printed(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a stream that stalls on keep-alive comments after some text, and a 1 s no-progress
    limit in the settings THEN exit 5 soon, the text so far on stdout, one sentence on stderr."""
    _network_limits(cli_env, no_progress=1, deadline=600)
    dashscope.script_stall(["First, ", "add the numbers."])
    run = run_measured(cli_args(["solve", "--question", "2 + 2?"]), cli_env, timeout=60)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert "sent no new text for 1 seconds" in sentence
    assert "First, add the numbers." in run.stdout.decode()
    assert run.seconds < 1 + FAST_S
    (conversation,) = _history(cli_env)
    (turn,) = conversation["turns"]  # type: ignore[misc]
    assert (turn["status"], turn["answer"]) == ("failed", "First, add the numbers.")


def test_a_20_mb_delta_is_refused_quickly(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN one 20 MB delta THEN exit 5 in seconds (the SDK alone would take minutes)."""
    dashscope.script_text(chunks=["9" * (20 * 2**20)])
    run = run_measured(cli_args(["solve", "--question", "2 + 2?", "--no-history"]), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert "sent one event larger than 1 MB" in sentence
    assert run.seconds < FAST_S


@pytest.fixture
def openai_server() -> FakeOpenAI:
    with FakeOpenAI() as server:
        yield server  # type: ignore[misc]


def test_the_openai_backend_refuses_a_portal_too(
    openai_server: FakeOpenAI, cli_env: dict[str, str]
) -> None:
    """GIVEN an OpenAI-compatible base URL answered by a portal page THEN exit 5, one sentence."""
    openai_server.script_raw(200, PORTAL, headers={"Content-Type": "text/html"})
    args = ["solve", "--question", "2 + 2?", "--no-history", "--backend", "openai"]
    args += ["--base-url", openai_server.base_url, "--solver-model", "qwen2.5-math"]
    run = run_measured(cli_args(args), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 5
    assert "did not answer like an OpenAI-compatible API" in sentence

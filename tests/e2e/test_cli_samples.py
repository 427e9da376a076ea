"""`qwen-math solve --samples N` end to end: the real CLI, the real SDK, a fake DashScope."""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import run_cli
from tests.fakes.dashscope_server import FakeDashScope

PROBLEM = "Solve $x + 1 = 3$."
RIGHT = ["We get $x = 2$, so $\\boxed{2}$.", "Subtract 1: $\\boxed{x = 2}$", "$\\boxed{2.0}$"]
WRONG = "Add 1: $\\boxed{4}$"


def test_four_samples_as_json_vote_and_history_keeps_them(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN 4 samples, 3 of them equivalent WHEN solved with --json THEN the answer events are
    the majority sample, `final` carries votes 3 and samples 4, every request sampled with
    Qwen's recipe, and `history show` gives back all 4 samples."""
    for text in [*RIGHT, WRONG]:
        dashscope.script_text(text, endpoint="text")
    result = run_cli(["solve", "--question", PROBLEM, "--samples", "4", "--json"], cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    types = [e["type"] for e in events]
    assert set(types) == {"answer", "final", "plot", "done"}
    assert types[-3:] == ["final", "plot", "done"]  # the majority answer's plot follows it
    answer = "".join(e["delta"] for e in events if e["type"] == "answer")
    assert answer in RIGHT
    (final,) = [e for e in events if e["type"] == "final"]
    assert (final["votes"], final["samples"], final["check"]) == (3, 4, "verified")
    requests = dashscope.requests_to("text")
    assert len(requests) == 4
    assert all(r.parameters["temperature"] == 0.7 for r in requests)
    assert all(r.parameters["top_p"] == 0.8 for r in requests)

    conversation_id = events[-1]["conversation_id"]
    shown = run_cli(["history", "show", conversation_id, "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    (turn,) = json.loads(shown.stdout)["turns"]
    assert turn["answer"] == answer
    samples = turn["samples"]
    assert [s["position"] for s in samples] == [0, 1, 2, 3]
    assert sorted(s["answer"] for s in samples) == sorted([*RIGHT, WRONG])
    (majority,) = [s for s in samples if s["majority"]]
    assert majority["answer"] == answer
    agreeing = [s for s in samples if s["group"] == majority["group"]]
    assert sorted(s["answer"] for s in agreeing) == sorted(RIGHT)


def test_samples_as_text_say_the_vote_and_the_progress(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN 2 samples WHEN solved as text THEN stdout has the answer, its vote and the
    majority's check, then the plot line, and stderr says how the samples went."""
    dashscope.script_text(RIGHT[0], endpoint="text")
    dashscope.script_text(RIGHT[0], endpoint="text")
    result = run_cli(["solve", "--question", PROBLEM, "--samples", "2", "--no-history"], cli_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert (
        "## Final answer\n\n2\n\n2 of 2 samples gave this answer.\n\n"
        "Verified by SymPy: x = 2 solves x + 1 = 3, and there are no other solutions.\n\n"
        "## Plot\n\n"
    ) in out
    err = result.stderr.decode()
    assert "Sampling 2 solutions" in err
    assert "2 of 2 samples finished." in err


def test_a_sample_that_fails_is_left_out_with_a_notice(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN one of 3 samples refused by the service THEN the others vote and stderr says so."""
    dashscope.script_text(RIGHT[0], endpoint="text")
    dashscope.script_error(400, "DataInspectionFailed", endpoint="text")
    dashscope.script_text(RIGHT[2], endpoint="text")
    args = ["solve", "--question", PROBLEM, "--samples", "3", "--json", "--no-history"]
    result = run_cli(args, cli_env)
    assert result.returncode == 0, result.stderr
    (final,) = [json.loads(x) for x in result.stdout.decode().splitlines() if '"final"' in x]
    assert (final["votes"], final["samples"]) == (2, 2)
    assert "1 of 3 samples failed and were left out of the vote" in result.stderr.decode()


@pytest.mark.parametrize("value", ["0", "17", "four", "2.5", ""])
def test_a_bad_number_of_samples_is_a_usage_error(cli_env: dict[str, str], value: str) -> None:
    """GIVEN --samples outside 1..16 THEN exit 2 with one sentence, nothing solved."""
    result = run_cli(["solve", "--question", PROBLEM, "--samples", value], cli_env)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "Traceback" not in err
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("qwen-math: Argument --samples: expected a whole number from 1 to 16")
    )

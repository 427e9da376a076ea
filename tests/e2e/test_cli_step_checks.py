"""`qwen-math solve` reports its step checks: `step_check` JSON events after each block's
text, and a "Steps:" line with every wrong step under the final answer in plain text."""

from __future__ import annotations

import json

from tests.e2e.conftest import run_cli
from tests.fakes.dashscope_server import FakeDashScope

QUESTION = "Solve $2x + 3 = 11$."
SOLUTION = (
    "We solve $2x + 3 = 11$.\n\n"
    "Subtract 3: $2x = 8$, so $x = 4$.\n\n"
    "Check: $2x + 3 = 2(4) + 3 = 12$.\n\n"
    "The answer is $\\boxed{4}$."
)


def test_json_has_a_wrong_step_check_and_the_right_final(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a solution with one wrong step WHEN solved with --json THEN each block's
    step_check events follow that block's answer text, one of them is wrong with its
    counterexample, and the final answer is still verified."""
    dashscope.script_text(SOLUTION, endpoint="text")
    result = run_cli(["solve", "--question", QUESTION, "--json", "--no-history"], cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    steps = [e for e in events if e["type"] == "step_check"]
    assert steps == [
        {
            "type": "step_check",
            "before": "2x + 3 = 11",
            "after": "2x = 8",
            "verdict": "ok",
            "reason": "same solutions as 2x + 3 = 11: x = 4",
        },
        {
            "type": "step_check",
            "before": "2x = 8",
            "after": "x = 4",
            "verdict": "ok",
            "reason": "same solutions as 2x = 8: x = 4",
        },
        {
            "type": "step_check",
            "before": "2x + 3",
            "after": "2(4) + 3",
            "verdict": "ok",
            "reason": "both sides are 11",
        },
        {
            "type": "step_check",
            "before": "2(4) + 3",
            "after": "12",
            "verdict": "wrong",
            "reason": "the left side is 11, the right side is 12",
        },
    ]
    for event in steps:  # each step's whole block had streamed before its event
        i = events.index(event)
        shown = "".join(e["delta"] for e in events[:i] if e["type"] == "answer")
        assert "\n\n" in shown[shown.index(event["after"]) :]
    final = events[-1]
    assert (final["type"], final["answer"], final["check"]) == ("final", "4", "verified")
    assert events.index(steps[-1]) < len(events) - 1
    assert "".join(e["delta"] for e in events if e["type"] == "answer") == SOLUTION


def test_plain_text_lists_the_wrong_step_under_the_final_answer(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN the same solution WHEN solved as text THEN the final answer is followed by its
    check, the step count and the wrong step with its counterexample."""
    dashscope.script_text(SOLUTION, endpoint="text")
    result = run_cli(["solve", "--question", QUESTION, "--no-history"], cli_env)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert SOLUTION in out
    tail = out[out.index("## Final answer") :]
    assert tail == (
        "## Final answer\n\n4\n\n"
        "Verified by SymPy: x = 4 solves 2x + 3 = 11, and there are no other solutions.\n"
        "Steps: 4 checked, 1 wrong\n"
        "  Wrong: 2(4) + 3 -> 12: the left side is 11, the right side is 12\n"
    )

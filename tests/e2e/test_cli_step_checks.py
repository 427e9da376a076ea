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
    types = [e["type"] for e in events]
    assert types[-1] == "plot"  # the equation's plot comes last, after the checked answer
    final = events[types.index("final")]
    assert (final["answer"], final["check"]) == ("4", "verified")
    assert events.index(steps[-1]) < types.index("final")
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
    tail = out[out.index("## Final answer") : out.index("## Plot")]
    assert tail.rstrip() == (
        "## Final answer\n\n4\n\n"
        "Verified by SymPy: x = 4 solves 2x + 3 = 11, and there are no other solutions.\n"
        "Steps: 4 checked, 1 wrong\n"
        "  Wrong: 2(4) + 3 -> 12: the left side is 11, the right side is 12"
    )


def test_history_and_exports_keep_the_steps_and_the_reason(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN the same solution solved with history WHEN shown and exported THEN `history show`
    holds the check's reason and every step check, the Markdown export the check, the count
    and the wrong step, and the HTML export a red mark with the counterexample beside it."""
    dashscope.script_text(SOLUTION, endpoint="text")
    result = run_cli(["solve", "--question", QUESTION, "--json"], cli_env)
    assert result.returncode == 0, result.stderr
    conversation_id = json.loads(result.stdout.decode().splitlines()[-1])["conversation_id"]

    shown = run_cli(["history", "show", conversation_id, "--json"], cli_env)
    assert shown.returncode == 0, shown.stderr
    (turn,) = json.loads(shown.stdout)["turns"]
    assert (turn["check"], turn["reason"]) == (
        "verified",
        "x = 4 solves 2x + 3 = 11, and there are no other solutions.",
    )
    steps = turn["details"]["steps"]
    assert [s["verdict"] for s in steps] == ["ok", "ok", "ok", "wrong"]
    wrong = steps[-1]
    assert SOLUTION[wrong["start"] : wrong["end"]] == "$2x + 3 = 2(4) + 3 = 12$"  # its formula

    markdown = run_cli(["history", "export", conversation_id], cli_env)
    assert markdown.returncode == 0, markdown.stderr
    text = markdown.stdout.decode()
    assert "**Check:** Verified by SymPy: x = 4 solves 2x + 3 = 11" in text
    assert "**Steps:** 4 checked, 1 wrong" in text
    assert "- Wrong: $2(4) + 3$ → $12$: the left side is 11, the right side is 12" in text

    page = run_cli(["history", "export", conversation_id, "--format", "html"], cli_env)
    assert page.returncode == 0, page.stderr
    html = page.stdout.decode()
    assert html.count('class="step-mark ok"') == 2  # two formulas hold the three right steps
    mark = html.index('<span class="step-mark wrong"')
    assert html.index("2(4) + 3 = 12") < mark  # right after the wrong formula
    assert html[mark:].index("the left side is 11, the right side is 12") < 300


def test_the_majority_sample_has_its_steps_checked(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN 2 samples giving the same solution WHEN solved with --samples 2 --json THEN the
    majority's steps are checked: the step_check events come before the final answer, the
    wrong one with its counterexample."""
    dashscope.script_text(SOLUTION, endpoint="text")
    dashscope.script_text(SOLUTION, endpoint="text")
    args = ["solve", "--question", QUESTION, "--samples", "2", "--json", "--no-history"]
    result = run_cli(args, cli_env)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    types = [e["type"] for e in events]
    steps = [e for e in events if e["type"] == "step_check"]
    assert [s["verdict"] for s in steps] == ["ok", "ok", "ok", "wrong"]
    assert steps[-1]["reason"] == "the left side is 11, the right side is 12"
    assert types.index("final") > max(i for i, t in enumerate(types) if t == "step_check")
    final = events[types.index("final")]
    assert (final["answer"], final["check"], final["votes"], final["samples"]) == (
        "4",
        "verified",
        2,
        2,
    )

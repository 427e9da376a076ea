"""Step checking on published model solutions graded right or wrong (tests/core/data/README.md).

Precision first: a right solution with a step called wrong costs the student's trust, so at
most 1 % of right solutions may have one. The share of wrong solutions caught is printed and
must stay above a floor, so that a checker that judges nothing cannot pass.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from desktop_app.core.step_check import StepResult, check_steps

CORPUS = Path(__file__).parent / "data" / "step_corpus.jsonl"
MAX_RIGHT_FLAGGED = 0.01
MIN_WRONG_CAUGHT = 0.05


@cache
def judged() -> list[tuple[dict[str, object], list[StepResult]]]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    # A generous budget: a loaded CI machine must not turn a slow step into a skipped one.
    return [(row, check_steps(str(row["solution"]), budget_s=30.0)) for row in rows]


def flagged(results: list[StepResult]) -> bool:
    return any(r.verdict == "wrong" for r in results)


@pytest.mark.timeout(600)
def test_right_solutions_almost_never_have_a_step_called_wrong() -> None:
    """GIVEN solutions graded right WHEN checked THEN at most 1 % have a step called wrong."""
    right = [(row, results) for row, results in judged() if row["grade"] == "right"]
    bad = [
        (row["id"], [r.reason for r in results if r.verdict == "wrong"])
        for row, results in right
        if flagged(results)
    ]
    share = len(bad) / len(right)
    print(f"\nright solutions: {len(right)}, with a step called wrong: {len(bad)} ({share:.1%})")
    assert len(right) >= 100
    assert share <= MAX_RIGHT_FLAGGED, bad


@pytest.mark.timeout(600)
def test_wrong_solutions_are_caught_often_enough_to_matter() -> None:
    """GIVEN solutions graded wrong WHEN checked THEN the share caught is reported."""
    wrong = [(row, results) for row, results in judged() if row["grade"] == "wrong"]
    caught = [row["id"] for row, results in wrong if flagged(results)]
    share = len(caught) / len(wrong)
    print(f"\nwrong solutions: {len(wrong)}, caught: {len(caught)} ({share:.1%})")
    assert share >= MIN_WRONG_CAUGHT


@pytest.mark.timeout(600)
def test_an_expert_labelled_wrong_step_is_the_one_flagged() -> None:
    """GIVEN ProcessBench solutions cut at the first wrong step WHEN caught THEN in that step."""
    for row, results in judged():
        if row["source"] != "processbench" or row["grade"] != "wrong" or not flagged(results):
            continue
        solution = str(row["solution"])
        last_step = solution.rfind("\n\n") + 2
        assert all(r.start >= last_step for r in results if r.verdict == "wrong"), row["id"]

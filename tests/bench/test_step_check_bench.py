"""Benchmark: checking every step of a long solution, against only parsing its formulas.

Budget: a 40-80 step solution is checked in well under its time budget (`check_steps`
default 4 s; median at most 1 s), and checking costs at most 4x what latex2sympy alone spends
reading the same formulas. Checking runs after the answer, off the GUI thread, so this is
what the marks wait for, not what streaming waits for.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from desktop_app.core import step_latex
from desktop_app.core.step_check import check_steps
from desktop_app.core.step_extract import formulas_in_block, split_blocks

pytestmark = pytest.mark.bench

CORPUS = Path(__file__).parents[1] / "core" / "data" / "step_corpus.jsonl"
# The evaluation sets live in shared/data beside the checkout (../shared) or one folder up.
REFERENCE = next(
    (
        root / "shared" / "data" / "qwen25-math-eval"
        for root in Path(__file__).parents[3:5]
        if (root / "shared" / "data" / "qwen25-math-eval").is_dir()
    ),
    Path("/nonexistent"),
)


def corpus_solutions() -> list[str]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [str(row["solution"]) for row in rows]


def algebra_solution(seed: int, steps: int) -> str:
    """A long derivation: expansions, equations solved step by step, arithmetic chains."""
    parts = []
    for k in range(steps // 4):
        a, b, c = seed + k + 2, k + 3, (seed + k) % 5 + 1
        parts += [
            f"Expanding, $(x + {a})^2 = x^2 + {2 * a}x + {a * a}$.",
            f"We solve $${b}x + {c} = {b * a + c}$$ so $${b}x = {b * a}$$ and $$x = {a}$$.",
            f"$$f'(x) = {3 * c}x^2 - {2 * b}x = x({3 * c}x - {2 * b})$$",
            f"In total ${a} \\times {b} + {c} = {a * b + c}$ apples.",
        ]
    return "\n\n".join(parts)


def long_solutions() -> list[str]:
    """Twenty solutions of 40-80 steps: published solutions run together, and derivations."""
    real = corpus_solutions()
    glued = ["\n\n".join(real[i : i + 12]) for i in range(0, 120, 12)]
    return glued + [algebra_solution(seed, 40 + 4 * seed) for seed in range(10)]


def parse_only(solution: str) -> None:
    """The baseline: find the same formulas and read each term with latex2sympy, judge nothing."""
    for block in split_blocks(solution):
        for formula in formulas_in_block(block.text):
            for term in formula.terms:
                if formula.plain:
                    step_latex.parse_plain(term)
                else:
                    step_latex.parse_term(term)


def timed(function: object, solution: str) -> float:
    step_latex._to_sympy.cache_clear()  # every run reads its formulas afresh
    started = time.perf_counter()
    function(solution)  # type: ignore[operator]
    return time.perf_counter() - started


def test_long_solutions_are_checked_within_budget() -> None:
    """GIVEN 40-80 step solutions THEN checking takes a median under 1 s, at most 4x parsing."""
    solutions = long_solutions()
    steps = [len(check_steps(s, budget_s=60.0)) for s in solutions]  # also warms the imports
    ours, base = [], []
    for _ in range(3):
        for solution in solutions:
            base.append(timed(parse_only, solution))
            ours.append(timed(lambda s: check_steps(s, budget_s=60.0), solution))
    median, p95 = statistics.median(ours), statistics.quantiles(ours, n=20)[-1]
    ratio = statistics.median(ours) / statistics.median(base)
    print(
        f"\nstep check: {len(solutions)} solutions, {min(steps)}-{max(steps)} judged steps each; "
        f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms per solution; parsing alone "
        f"median {statistics.median(base) * 1000:.0f} ms; ratio {ratio:.2f} (limit 4)"
    )
    assert min(steps) >= 20
    assert median <= 1.0
    assert p95 <= 4.0
    assert ratio <= 4.0


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="needs shared/data/qwen25-math-eval")
@pytest.mark.timeout(900)
def test_reference_solutions_are_almost_never_flagged() -> None:
    """GIVEN human reference solutions (olympiad, university) THEN almost none has a wrong step."""
    solutions: list[str] = []
    for name in ("minerva_math.jsonl", "olympiadbench.jsonl"):
        for line in (REFERENCE / name).read_text(encoding="utf-8").splitlines():
            found = json.loads(line)["solution"]
            solutions += found if isinstance(found, list) else [found]
    flagged = sum(
        any(r.verdict == "wrong" for r in check_steps(s, budget_s=30.0)) for s in solutions
    )
    share = flagged / len(solutions)
    print(f"\nreference solutions: {len(solutions)}, flagged {flagged} ({share:.2%})")
    assert share <= 0.01

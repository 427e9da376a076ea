"""Benchmark: how long the plot takes after the answer, in the checker process.

The plot arrives after the final answer; this measures the wait, per problem, against a bare
round trip to the same checker (the baseline), and a typed function's sampling.
"""

from __future__ import annotations

import statistics
import time

import pytest

from desktop_app.core.check_worker import CheckWorker
from desktop_app.core.checks import PLOT_TIMEOUT_S
from desktop_app.ui.answer.plot_input import TYPED_TIMEOUT_S

PROBLEMS = [
    ("Find the roots of $f(x) = x^2 - 5x + 6$.", "2, 3"),
    ("Sketch the graph of $f(x) = \\frac{1}{x^2-1}$.", None),
    ("Solve $\\frac{x-1}{x+2} \\geq 0$.", None),
    ("Solve $x^2 + y^2 = 25$ and $y = x + 1$.", None),
    ("Find the equation of the tangent line to $y = x^2$ at $x = 1$.", "y = 2x - 1"),
    ("Evaluate $\\int_0^2 x^2 \\, dx$.", "\\frac{8}{3}"),
    ("Graph $y = \\tan x$.", None),
    ("Solve $2^x = 8$.", "3"),
    ("Find the maximum of $f(x) = -x^2 + 4x + 1$ on $[0, 3]$.", "5"),
    ("Tom has 3 apples and buys 5 more. How many apples does he have now?", "8"),
]
TYPED = ["sin(x)/x", "x^3 - 3x", "sqrt(x+1)", "1/x", "x^2 + y^2 = 4", "e^(-x^2)"]
ROUNDS = 3


def _timed(worker: CheckWorker, task: str, *args: object) -> float:
    started = time.perf_counter()
    worker.call(task, *args, timeout=60)
    return time.perf_counter() - started


@pytest.mark.bench
def test_plot_time_after_the_answer() -> None:
    """The plot's median and p95 time per problem, and a typed function's, against a bare round
    trip in the same checker process; the first plot of a fresh checker on its own."""
    worker = CheckWorker()
    try:
        worker.call("equivalent", "1", "1", timeout=60)  # started and ready
        first = _timed(worker, "plot", PROBLEMS[0][0], "", PROBLEMS[0][1])
        baseline = [_timed(worker, "equivalent", "1", "1") for _ in range(30)]
        plots = [
            _timed(worker, "plot", problem, "", answer)
            for _ in range(ROUNDS)
            for problem, answer in PROBLEMS
        ]
        typed = [
            _timed(worker, "plot_function", text, [-5, 5], [-5, 5], "x")
            for _ in range(ROUNDS)
            for text in TYPED
        ]
    finally:
        worker.close()
    base = statistics.median(baseline)
    print(
        f"\nfirst plot of a fresh checker: {first * 1000:.0f} ms ({first / base:.0f}x a round trip)"
    )
    for name, sample in (("problem plot", plots), ("typed function", typed)):
        sample.sort()
        median, p95 = statistics.median(sample), sample[int(len(sample) * 0.95)]
        print(
            f"{name} ({len(sample)}): median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
            f"a bare round trip {base * 1000:.1f} ms (median {median / base:.0f}x, "
            f"p95 {p95 / base:.0f}x)"
        )
    assert first < PLOT_TIMEOUT_S
    assert max(plots) < PLOT_TIMEOUT_S
    assert max(typed) < TYPED_TIMEOUT_S

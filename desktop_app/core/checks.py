"""The stage after the answer: a finished solution becomes its checked events.

The final answer (FinalAnswer), checked against the problem and, in TIR, against what the
code printed; then the problem's plot (PlotReady), when it has something to draw. Each runs
in the checker process (core/check_worker.py) with its own time limit, counted from when the
checker is ready (it starts loading at the first answer token); more checks of the same
solution join here as further events of `check_solution`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

from desktop_app.core.answers import final_answer, last_code_output
from desktop_app.core.events import Event, FinalAnswer, PlotReady
from desktop_app.core.verify import Verdict, verify_answer

__all__ = ["CODE_CHECK_TIMEOUT_S", "PLOT_TIMEOUT_S", "check_solution", "combine", "plot_event"]

CODE_CHECK_TIMEOUT_S = 5.0  # comparing two values; verify_answer has its own limit
# Deciding what to plot and sampling it: 0.05-0.4 s once SymPy is loaded (docs/adr/013); the
# first plot of a checker also pays its LaTeX reader's warm-up. A plot is a bonus: past this
# the answer stands alone.
PLOT_TIMEOUT_S = 10.0

log = logging.getLogger(__name__)


def check_solution(
    problem: str,
    solution: str,
    cancel: threading.Event,
) -> Iterator[Event]:
    """The events that follow a finished solution: the final answer (if it has one), then its
    plot (if the problem has something to draw)."""
    answer = final_answer(solution)
    if answer is not None:
        verdict = verify_answer(problem, answer, cancel=cancel)
        output = last_code_output(solution)
        if output is not None and not cancel.is_set():
            verdict = combine(verdict, _code_verdict(answer, output, cancel))
        yield FinalAnswer(answer, verdict.check, verdict.reason)
    if not cancel.is_set():
        plot = plot_event(problem, answer, cancel)
        if plot is not None:
            yield plot


def combine(first: Verdict, second: Verdict) -> Verdict:
    """Two checks of one answer as one: a contradiction wins, then a verification."""
    for wanted in ("contradicted", "verified"):
        for verdict in (first, second):
            if verdict == wanted:
                return verdict
    return first if first.reason else second


def plot_event(
    problem: str, answer: str | None, cancel: threading.Event, timeout: float = PLOT_TIMEOUT_S
) -> PlotReady | None:
    """The problem's plot as an event, or None (nothing to draw, too slow, cancelled)."""
    from desktop_app.core.check_worker import CheckError, run_check
    from desktop_app.core.plots.spec import PlotSpec

    try:
        # The problem text is the transcript and the question together, as plot_for reads them.
        data = run_check("plot", problem, "", answer, timeout=timeout, cancel=cancel)
    except CheckError as exc:
        log.info("no plot: %s", exc)
        return None
    if data is None:
        return None
    try:
        return PlotSpec.from_json(data).to_event()
    except ValueError as exc:  # the checker's answer is checked like any other input
        log.warning("no plot: %s", exc)
        return None


def _code_verdict(answer: str, output: str, cancel: threading.Event) -> Verdict:
    from desktop_app.core.check_worker import CheckError, run_check

    try:
        check, reason = run_check(
            "code_output", answer, output, timeout=CODE_CHECK_TIMEOUT_S, cancel=cancel
        )
    except CheckError as exc:
        return Verdict("unchecked", str(exc))
    return Verdict(check, reason)

"""The stage after the answer: a finished solution becomes its checked events.

Today: the final answer (FinalAnswer), checked against the problem and, in TIR, against
what the code printed. Each check runs in the checker process (core/check_worker.py) with
its own time limit, counted from when the checker is ready (it starts loading at the first
answer token); more checks of the same solution (steps, plots) join here as further events
of `check_solution`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from desktop_app.core.answers import final_answer, last_code_output
from desktop_app.core.events import Event, FinalAnswer
from desktop_app.core.verify import Verdict, verify_answer

__all__ = ["CODE_CHECK_TIMEOUT_S", "check_solution", "combine"]

CODE_CHECK_TIMEOUT_S = 5.0  # comparing two values; verify_answer has its own limit


def check_solution(
    problem: str,
    solution: str,
    cancel: threading.Event,
) -> Iterator[Event]:
    """The events that follow a finished solution (none when it has no final answer)."""
    answer = final_answer(solution)
    if answer is None:
        return
    verdict = verify_answer(problem, answer, cancel=cancel)
    output = last_code_output(solution)
    if output is not None and not cancel.is_set():
        verdict = combine(verdict, _code_verdict(answer, output, cancel))
    yield FinalAnswer(answer, verdict.check, verdict.reason)


def combine(first: Verdict, second: Verdict) -> Verdict:
    """Two checks of one answer as one: a contradiction wins, then a verification."""
    for wanted in ("contradicted", "verified"):
        for verdict in (first, second):
            if verdict == wanted:
                return verdict
    return first if first.reason else second


def _code_verdict(answer: str, output: str, cancel: threading.Event) -> Verdict:
    from desktop_app.core.check_worker import CheckError, run_check

    try:
        check, reason = run_check(
            "code_output", answer, output, timeout=CODE_CHECK_TIMEOUT_S, cancel=cancel
        )
    except CheckError as exc:
        return Verdict("unchecked", str(exc))
    return Verdict(check, reason)

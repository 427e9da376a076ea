"""An answer checked against the problem itself, by independent SymPy work.

`verify_answer(problem, answer)` returns a `Verdict`: a string equal to "verified",
"contradicted" or "unchecked" (so `verify_answer(p, a) == "verified"` reads naturally and
the value goes into JSON as that string) that also carries `.reason`, one sentence for the
user: "x = 4, y = 3 gives 2x + 3y = 17, not 16". The work (core/checking/problem_check.py)
runs in the checker process with a deadline; nothing here imports SymPy.

`check_steps(solution)`, each step of a solution judged (core/step_check.py, ADR 012), is
offered here too, beside verify_answer, as the public contract names them.
"""

from __future__ import annotations

import threading
from typing import cast

from desktop_app.core.events import Check
from desktop_app.core.step_check import check_steps

__all__ = ["VERIFY_TIMEOUT_S", "Verdict", "check_steps", "verify_answer"]

VERIFY_TIMEOUT_S = 10.0
_CHECKS = ("verified", "contradicted", "unchecked")


class Verdict(str):
    """A check's outcome: equal to its check string, with the reason alongside."""

    reason: str

    def __new__(cls, check: Check, reason: str = "") -> Verdict:
        if check not in _CHECKS:
            raise ValueError(f"not a check: {check!r}")
        verdict = super().__new__(cls, check)
        verdict.reason = reason
        return verdict

    @property
    def check(self) -> Check:
        """The outcome as the plain string the event and the history store hold."""
        return cast(Check, str(self))

    def __repr__(self) -> str:
        return f"Verdict({str(self)!r}, {self.reason!r})"


def verify_answer(
    problem: str,
    answer: str,
    *,
    timeout: float = VERIFY_TIMEOUT_S,
    cancel: threading.Event | None = None,
) -> Verdict:
    """Check `answer` against `problem` (the transcript and the question, Markdown + LaTeX).

    "verified": SymPy's own work agrees (substituted roots, recomputed derivative, ...);
    "contradicted": it shows the answer wrong; "unchecked": anything it cannot settle,
    including a check that runs past `timeout` seconds or is cancelled.
    """
    from desktop_app.core.check_worker import CheckError, run_check

    try:
        check, reason = run_check("verify_answer", problem, answer, timeout=timeout, cancel=cancel)
    except CheckError as exc:
        return Verdict("unchecked", str(exc))
    return Verdict(check, reason)

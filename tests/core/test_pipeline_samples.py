"""The pipeline with self-consistency: samples, the vote, the majority's answer checked."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from desktop_app.core.backends.base import ChatMessage, Sampling
from desktop_app.core.errors import BackendError
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    Notice,
    SampleProgress,
    SamplesVoted,
    StageStarted,
    to_json,
)
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from desktop_app.core.sandbox import SandboxResult
from tests.fakes.solvers import ScriptedSolver


def run(request: SolveRequest, solver: ScriptedSolver, **options: object) -> list[Event]:
    backends = Backends(lambda: solver, lambda: solver, "reader", "solver")
    return list(run_pipeline(request, backends, threading.Event(), **options))  # type: ignore[arg-type]


def test_four_samples_vote_and_the_majority_is_checked() -> None:
    """GIVEN 4 samples answering 1/2, 3, 0.5 and nothing WHEN solved THEN progress, then the
    majority sample's text as the answer, the vote, and the final answer checked with 2 votes
    of 4."""
    solutions = [
        "Halve it: $\\boxed{\\frac{1}{2}}$",
        "Guess: $\\boxed{3}$",
        "As a decimal $\\boxed{0.5}$",
        "I give up.",
    ]
    solver = ScriptedSolver(solutions)
    events = run(SolveRequest(question="Compute $\\frac{2}{4}$.", samples=4), solver)
    kinds = [type(e) for e in events]
    assert kinds[0] is StageStarted
    assert kinds[-4:] == [AnswerDelta, SamplesVoted, FinalAnswer, Finished]
    assert all(k is SampleProgress for k in kinds[1:-4])
    assert events[1] == SampleProgress(0, 4)
    assert events[-5] == SampleProgress(4, 4)
    answer, voted, final = events[-4], events[-3], events[-2]
    assert isinstance(answer, AnswerDelta)
    assert isinstance(voted, SamplesVoted)
    assert isinstance(final, FinalAnswer)
    # The samples ran at once, so which request got which reply varies: compare by content.
    assert sorted(s.text for s in voted.samples) == sorted(solutions)
    group = {s.text: s.group for s in voted.samples}
    assert group[solutions[0]] == group[solutions[2]] != group[solutions[1]]
    assert group[solutions[3]] is None
    assert voted.votes == 2
    majority = voted.samples[voted.majority]
    assert majority.group == group[solutions[0]]
    assert voted.majority == min(
        i for i, s in enumerate(voted.samples) if s.group == majority.group
    )
    assert answer.delta == majority.text  # the majority's first sample is the answer
    assert final.answer == majority.final_answer
    assert (final.check, final.votes, final.samples) == ("verified", 2, 4)
    assert to_json(final) == {
        "type": "final",
        "answer": final.answer,
        "check": "verified",
        "reason": final.reason,
        "votes": 2,
        "samples": 4,
    }
    assert solver.samplings == [Sampling(0.7, 0.8)] * 4


def test_a_wrong_majority_is_the_one_verified_and_contradicted() -> None:
    """GIVEN 3 samples saying x = 3 and 1 saying x = 2 for x + 1 = 3 THEN the majority x = 3
    is the final answer, and the check contradicts it."""
    solver = ScriptedSolver(["$\\boxed{3}$", "$\\boxed{2}$", "$\\boxed{3}$", "$\\boxed{x=3}$"])
    events = run(SolveRequest(question="Solve $x + 1 = 3$.", samples=4), solver)
    final = next(e for e in events if isinstance(e, FinalAnswer))
    assert final.answer in ("3", "x=3")  # the first of the three, whichever came first
    assert (final.check, final.votes, final.samples) == ("contradicted", 3, 4)


def test_a_failed_sample_is_dropped_and_the_rest_vote() -> None:
    """GIVEN one of 4 samples failing THEN a notice, and the vote is out of 3."""
    solver = ScriptedSolver(["\\boxed{4}", BackendError("Throttled."), "\\boxed{4}", "\\boxed{5}"])
    events = run(SolveRequest(question="What is $2+2$?", samples=4), solver)
    assert any(isinstance(e, Notice) and "1 of 4 samples failed" in e.message for e in events)
    final = next(e for e in events if isinstance(e, FinalAnswer))
    assert (final.answer, final.votes, final.samples) == ("4", 2, 3)
    assert isinstance(events[-1], Finished)


def test_all_samples_failing_fails_the_run_with_the_first_error() -> None:
    """GIVEN every sample failing THEN the run fails with the first error, exit code 5."""
    solver = ScriptedSolver([BackendError("Down."), BackendError("Down too.")])
    events = run(SolveRequest(question="What is $2+2$?", samples=2), solver)
    assert events[-1] == Failed("Down.", 5, "solver")
    assert not any(isinstance(e, SamplesVoted | AnswerDelta) for e in events)


def test_samples_without_any_answer_still_show_the_first() -> None:
    """GIVEN no sample with a boxed answer THEN the first is the answer, and no final event."""
    solver = ScriptedSolver(["Hmm.", "Unclear."])
    events = run(SolveRequest(question="Prove it.", samples=2), solver)
    assert AnswerDelta("Hmm.") in events
    voted = next(e for e in events if isinstance(e, SamplesVoted))
    assert voted.votes == 0
    assert not any(isinstance(e, FinalAnswer) for e in events)
    assert isinstance(events[-1], Finished)


def test_tir_samples_each_run_code_and_the_majority_keeps_its_output() -> None:
    """GIVEN TIR and 2 samples THEN each sample's code runs, and the answer shown is the
    majority sample with its own code output."""

    class TirSolver(ScriptedSolver):
        def solve(
            self, messages: list[ChatMessage], *args: object, **kwargs: object
        ) -> Iterator[str]:
            with self._lock:
                self.samplings.append(kwargs.get("sampling"))  # type: ignore[arg-type]
            if messages[-1]["role"] == "assistant":  # the code ran: finish the answer
                yield " So \\boxed{4}"
            else:
                yield "```python\nprint(2 + 2)\n```"

    solver = TirSolver([])
    ran: list[str] = []

    def runner(source: str, cancel: threading.Event) -> SandboxResult:
        ran.append(source)
        return SandboxResult(output="4", status="ok")

    events = run(
        SolveRequest(question="What is $2+2$?", mode="tir", samples=2), solver, code_runner=runner
    )
    assert ran == ["print(2 + 2)"] * 2
    assert solver.samplings == [Sampling(0.7, 0.8)] * 4
    answer = next(e for e in events if isinstance(e, AnswerDelta))
    assert "```output\n4\n```" in answer.delta
    final = next(e for e in events if isinstance(e, FinalAnswer))
    assert (final.answer, final.check, final.votes, final.samples) == ("4", "verified", 2, 2)


def test_one_sample_is_the_plain_greedy_stream() -> None:
    """GIVEN samples=1 THEN no sampling: streamed deltas, greedy, no vote in the final event."""
    solver = ScriptedSolver(["\\boxed{4}"])
    events = run(SolveRequest(question="What is $2+2$?"), solver)
    assert solver.samplings == [None]
    assert not any(isinstance(e, SampleProgress | SamplesVoted) for e in events)
    final = next(e for e in events if isinstance(e, FinalAnswer))
    assert "votes" not in (to_json(final) or {})

"""The pipeline: read -> solve -> final answer, as typed events, with cancel and errors."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence

import pytest

from desktop_app.core import prompts
from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.errors import BackendError, ConfigError, MissingKeyError
from desktop_app.core.events import (
    AnswerDelta,
    CodeBlock,
    CodeOutput,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    ImageReady,
    PlotPoint,
    PlotReady,
    StageStarted,
    TranscriptDelta,
    to_json,
)
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from desktop_app.core.sandbox import SandboxResult
from desktop_app.core.tir import CODE_STOP, pending_code
from tests.fakes.images import png_bytes


class ScriptedBackend:
    """Reader and solver that yield scripted deltas and record what they were asked."""

    def __init__(self, transcript: list[str], answer: list[str], fail_after: int | None = None):
        self.transcript, self.answer, self.fail_after = transcript, answer, fail_after
        self.read_calls: list[tuple[bytes, str]] = []
        self.solve_calls: list[list[ChatMessage]] = []

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        self.read_calls.append((image_png, prompt))
        yield from self.transcript

    def solve(
        self, messages: list[ChatMessage], cancel: threading.Event, *, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        self.solve_calls.append(messages)
        for i, delta in enumerate(self.answer):
            if self.fail_after is not None and i == self.fail_after:
                raise BackendError("The connection dropped.")
            if cancel.is_set():
                from desktop_app.core.errors import Cancelled

                raise Cancelled()
            yield delta


def backends_for(backend: ScriptedBackend) -> Backends:
    return Backends(lambda: backend, lambda: backend, "reader-x", "solver-y")


def run(request: SolveRequest, backend: ScriptedBackend) -> list[Event]:
    return list(run_pipeline(request, backends_for(backend), threading.Event()))


def test_image_problem_streams_transcript_then_answer_then_final() -> None:
    """GIVEN an image WHEN solved THEN events come in order and the final answer is boxed."""
    backend = ScriptedBackend(["Solve $x+1", "=3$"], ["So $x=", "2$. \\boxed{", "2}"])
    events = run(SolveRequest(image=png_bytes(64, 32), question="find x"), backend)
    kinds = [type(e) for e in events]
    assert kinds == [
        ImageReady,
        StageStarted,
        TranscriptDelta,
        TranscriptDelta,
        StageStarted,
        AnswerDelta,
        AnswerDelta,
        AnswerDelta,
        FinalAnswer,
        PlotReady,
        Finished,
    ]
    assert events[-3] == FinalAnswer(
        "2", "verified", "x = 2 solves x + 1 = 3, and there are no other solutions."
    )
    plot = events[-2]
    assert isinstance(plot, PlotReady)
    assert (plot.functions, plot.points) == (("x + 1", "3"), (PlotPoint(2.0, 3.0, "x = 2"),))
    assert backend.read_calls[0][1] == prompts.READER_PROMPT
    assert backend.solve_calls[0] == [
        {"role": "system", "content": prompts.COT_SYSTEM_PROMPT},
        {"role": "user", "content": "Image description: Solve $x+1=3$\n\nUser question: find x"},
    ]


def test_text_only_problem_skips_the_reader() -> None:
    """GIVEN only a question WHEN solved THEN the reader is never called."""
    backend = ScriptedBackend(["unused"], ["\\boxed{4}"])
    events = run(SolveRequest(question="What is 2+2?"), backend)
    assert backend.read_calls == []
    assert backend.solve_calls[0][1]["content"] == "What is 2+2?"
    assert FinalAnswer("4", "verified", "The expression is 4, as the answer says.") in events


def test_the_checker_starts_at_the_first_answer_token_not_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a fresh app process WHEN a solve runs THEN no checker process exists when the
    first answer token is handed over, and one runs by the next event."""
    from desktop_app.core import check_worker

    fresh = check_worker.CheckWorker()
    monkeypatch.setattr(check_worker, "_shared", fresh)
    backend = ScriptedBackend([], ["So ", "\\boxed{4}"])
    seen: list[tuple[str, bool]] = []
    try:
        for event in run_pipeline(
            SolveRequest(question="What is $2+2$?"), backends_for(backend), threading.Event()
        ):
            seen.append((type(event).__name__, fresh.pid is not None))
    finally:
        fresh.close()
    assert seen[:3] == [("StageStarted", False), ("AnswerDelta", False), ("AnswerDelta", True)]
    assert ("FinalAnswer", True) in seen


def test_corrupt_image_fails_with_exit_code_3_before_any_backend_call() -> None:
    """GIVEN bytes that are no image WHEN solved THEN one Failed(3) and no backend call."""
    backend = ScriptedBackend(["x"], ["y"])
    events = run(SolveRequest(image=b"not an image at all"), backend)
    assert len(events) == 1
    assert isinstance(events[0], Failed)
    assert events[0].exit_code == 3
    assert backend.read_calls == []


def test_backend_failure_mid_answer_keeps_the_partial_deltas() -> None:
    """GIVEN a solver that fails after two deltas THEN both deltas precede the Failed event."""
    backend = ScriptedBackend([], ["a", "b", "c"], fail_after=2)
    events = run(SolveRequest(question="q"), backend)
    assert [e for e in events if isinstance(e, AnswerDelta)] == [AnswerDelta("a"), AnswerDelta("b")]
    assert isinstance(events[-1], Failed)
    assert events[-1].exit_code == 5
    assert events[-1].stage == "solver"


def test_missing_key_surfaces_as_configuration_failure() -> None:
    """GIVEN a backend factory that cannot find a key THEN Failed carries exit code 4 and says
    a key would help; other configuration failures do not."""

    def no_key() -> ScriptedBackend:
        raise MissingKeyError("No key.")

    def bad_model() -> ScriptedBackend:
        raise ConfigError("No such model.")

    def first_event(factory: Callable[[], ScriptedBackend]) -> Event:
        backends = Backends(factory, factory, "r", "s")
        return next(run_pipeline(SolveRequest(question="q"), backends, threading.Event()))

    assert first_event(no_key) == Failed("No key.", 4, "solver", needs_key=True)
    assert first_event(bad_model) == Failed("No such model.", 4, "solver", needs_key=False)


def test_cancel_stops_with_exit_code_130() -> None:
    """GIVEN a cancel set mid-answer THEN the run ends with Failed(130) and no final answer."""
    backend = ScriptedBackend([], ["a", "b", "\\boxed{1}"])
    cancel = threading.Event()
    events: list[Event] = []
    for event in run_pipeline(SolveRequest(question="q"), backends_for(backend), cancel):
        events.append(event)
        if isinstance(event, AnswerDelta):
            cancel.set()
    assert isinstance(events[-1], Failed)
    assert events[-1].exit_code == 130
    assert not any(isinstance(e, FinalAnswer) for e in events)


# -- TIR ----------------------------------------------------------------------------------------


class TirSolver:
    """A solver scripted per call that honours `stop` and records each call's messages."""

    def __init__(self, replies: list[str]) -> None:
        self.replies = replies
        self.calls: list[tuple[list[ChatMessage], tuple[str, ...]]] = []

    def solve(
        self, messages: list[ChatMessage], cancel: threading.Event, *, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        self.calls.append((list(messages), tuple(stop)))
        text = self.replies[len(self.calls) - 1]
        for word in stop:
            text = text.split(word, 1)[0]
        yield from (text[i : i + 7] for i in range(0, len(text), 7))


FIRST = "Let me compute.\n```python\nprint(sum(range(1, 101)))\n```\n```output\nhallucinated"
SECOND = "The sum is 5050, so \\boxed{5050}."


def run_tir_problem(
    solver: TirSolver, runner: object = None, cancel: threading.Event | None = None
) -> list[Event]:
    backends = Backends(lambda: solver, lambda: solver, "r", "s")
    kwargs = {"code_runner": runner} if runner is not None else {}
    request = SolveRequest(question="Sum 1..100", mode="tir")
    return list(run_pipeline(request, backends, cancel or threading.Event(), **kwargs))  # type: ignore[arg-type]


def test_tir_runs_one_code_round_in_the_real_sandbox_and_continues_the_message() -> None:
    """GIVEN a model that writes code THEN it runs, its output is fed back, the answer checked."""
    solver = TirSolver([FIRST, SECOND])
    events = run_tir_problem(solver)

    code = [e for e in events if isinstance(e, CodeBlock | CodeOutput)]
    assert code == [CodeBlock("print(sum(range(1, 101)))"), CodeOutput("5050", "ok")]
    assert events[-2] == FinalAnswer(
        "5050", "verified", "The code printed 5050, which matches the answer."
    )
    assert isinstance(events[-1], Finished)
    first, second = solver.calls
    assert first[0][0] == {"role": "system", "content": prompts.TIR_SYSTEM_PROMPT}
    assert first[1] == (CODE_STOP,)
    assert second[0][-1] == {
        "role": "assistant",
        "content": FIRST.split(CODE_STOP)[0] + "```output\n5050\n```\n",
    }
    text = "".join(e.delta for e in events if isinstance(e, AnswerDelta))
    assert "hallucinated" not in text
    # the answer stream is the whole assistant message, real code output included
    assert text == FIRST.split(CODE_STOP)[0] + "```output\n5050\n```\n" + SECOND
    # The code events appear between the two model turns, in the JSON contract's shapes.
    kinds = [
        to_json(e)["type"] for e in events if isinstance(e, AnswerDelta | CodeBlock | CodeOutput)
    ]  # type: ignore[index]
    assert kinds.index("code") < kinds.index("code_output") < len(kinds) - 1
    assert to_json(code[1]) == {"type": "code_output", "output": "5050", "status": "ok"}


def test_tir_final_answer_contradicted_by_the_code_output() -> None:
    """GIVEN an answer that differs from what the code printed THEN the check says so."""
    solver = TirSolver([FIRST, "So \\boxed{5051}."])
    events = run_tir_problem(solver, runner=lambda src, cancel: SandboxResult("5050", "ok"))
    assert (
        FinalAnswer("5051", "contradicted", "The code printed 5050, which is not the answer.")
        in events
    )


def test_tir_stops_after_four_code_rounds() -> None:
    """GIVEN a model that always writes code THEN at most four run and the fifth turn is free."""
    loop = "```python\nprint(1)\n```\n"
    solver = TirSolver([loop] * 5 + ["unused"])
    runs: list[str] = []

    def runner(source: str, cancel: threading.Event) -> SandboxResult:
        runs.append(source)
        return SandboxResult("1", "ok")

    run_tir_problem(solver, runner=runner)
    assert len(runs) == 4
    assert len(solver.calls) == 5
    assert solver.calls[-1][1] == ()


def test_tir_cancel_during_a_code_run_stops_the_run() -> None:
    """GIVEN a cancel while code runs THEN the run ends with Failed(130), no second turn."""
    solver = TirSolver([FIRST, SECOND])
    cancel = threading.Event()

    def runner(source: str, token: threading.Event) -> SandboxResult:
        token.set()
        return SandboxResult("The run was stopped.", "killed")

    events = run_tir_problem(solver, runner=runner, cancel=cancel)
    assert isinstance(events[-1], Failed)
    assert events[-1].exit_code == 130
    assert len(solver.calls) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n```python\nx = 1\nprint(x)\n```\n", ("x = 1\nprint(x)", "")),
        ("a\n```python\nprint(2)\n```", ("print(2)", "\n")),
        ("a\n```python\nprint(3)\n", ("print(3)", "```\n")),
        ("```python\nprint(1)\n```\nthen text", None),
        ("no code", None),
        ("```python\nold()\n```\n```output\n1\n```\n```python\nnew()\n```\n", ("new()", "")),
    ],
)
def test_pending_code(text: str, expected: tuple[str, str] | None) -> None:
    """GIVEN model text THEN the last python block is found only when the text ends at it."""
    assert pending_code(text) == expected

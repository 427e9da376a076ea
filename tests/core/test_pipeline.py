"""The pipeline: read -> solve -> final answer, as typed events, with cancel and errors."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

from PIL import Image

from desktop_app.core import prompts
from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.errors import BackendError, ConfigError
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    ImageReady,
    StageStarted,
    TranscriptDelta,
)
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "white").save(buffer, "PNG")
    return buffer.getvalue()


class ScriptedBackend:
    """Reader and solver that yield scripted deltas and record what they were asked."""

    def __init__(self, transcript: list[str], answer: list[str], fail_after: int | None = None):
        self.transcript, self.answer, self.fail_after = transcript, answer, fail_after
        self.read_calls: list[tuple[bytes, str]] = []
        self.solve_calls: list[list[ChatMessage]] = []

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        self.read_calls.append((image_png, prompt))
        yield from self.transcript

    def solve(self, messages: list[ChatMessage], cancel: threading.Event) -> Iterator[str]:
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
    events = run(SolveRequest(image=png_bytes(), question="find x"), backend)
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
        Finished,
    ]
    assert events[-2] == FinalAnswer("2")
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
    assert FinalAnswer("4") in events


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
    assert events[-1].stage == "solve"


def test_missing_key_surfaces_as_configuration_failure() -> None:
    """GIVEN a backend factory that cannot find a key THEN Failed carries exit code 4."""

    def no_key() -> ScriptedBackend:
        raise ConfigError("No key.")

    events = list(
        run_pipeline(
            SolveRequest(question="q"), Backends(no_key, no_key, "r", "s"), threading.Event()
        )
    )
    assert events == [Failed("No key.", 4, "solve")]


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

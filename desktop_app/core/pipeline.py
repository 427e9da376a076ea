"""Read -> solve -> extract, as an iterator of typed events with a cancel token."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from desktop_app.core import prompts
from desktop_app.core.answers import extract_boxed
from desktop_app.core.backends.base import Reader, Solver
from desktop_app.core.errors import AppError, Cancelled, UsageError
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    ImageReady,
    Stage,
    StageStarted,
    TranscriptDelta,
)
from desktop_app.core.images import normalise_image


@dataclass(frozen=True)
class SolveRequest:
    """One problem: raw image bytes and/or a question (or an already corrected transcript)."""

    image: bytes | None = None
    question: str = ""
    transcript: str | None = None
    mode: prompts.Mode = "cot"


@dataclass(frozen=True)
class Backends:
    """What runs each stage; built lazily so a text-only solve never needs a reader."""

    reader: Callable[[], Reader]
    solver: Callable[[], Solver]
    reader_model: str
    solver_model: str


def run_pipeline(
    request: SolveRequest, backends: Backends, cancel: threading.Event
) -> Iterator[Event]:
    """Yield the events of solving `request`; errors end the stream with a Failed event."""
    stage: Stage | None = None
    try:
        transcript = request.transcript or ""
        if request.transcript is None and request.image is not None:
            stage = "read"
            image = normalise_image(request.image)
            yield ImageReady(image.png, image.width, image.height)
            reader = backends.reader()
            yield StageStarted("read", backends.reader_model)
            parts: list[str] = []
            for delta in reader.read(image.png, prompts.READER_PROMPT, cancel):
                parts.append(delta)
                yield TranscriptDelta(delta)
            transcript = "".join(parts)
        if not transcript.strip() and not request.question.strip():
            raise UsageError("There is no problem to solve: give an image or type a question.")
        _check(cancel)
        stage = "solve"
        solver = backends.solver()
        yield StageStarted("solve", backends.solver_model)
        messages = prompts.solver_messages(transcript, request.question, request.mode)
        answer: list[str] = []
        for delta in solver.solve(messages, cancel):
            answer.append(delta)
            yield AnswerDelta(delta)
        _check(cancel)
        final = extract_boxed("".join(answer))
        if final is not None:
            yield FinalAnswer(final)
        yield Finished()
    except AppError as exc:
        yield Failed(str(exc), exc.exit_code, stage)


def _check(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled()

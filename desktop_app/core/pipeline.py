"""Read -> solve -> check, as an iterator of typed events with a cancel token."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

from desktop_app.core import prompts
from desktop_app.core.conversation import followup_messages
from desktop_app.core.errors import (
    AppError,
    MissingKeyError,
    UsageError,
    raise_if_cancelled,
)
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    Finished,
    ImageReady,
    StageStarted,
    TranscriptDelta,
)
from desktop_app.core.solve_request import Backends, SolveRequest

__all__ = ["Backends", "SolveRequest", "run_pipeline"]

if TYPE_CHECKING:
    from desktop_app.core.backends.base import Role
    from desktop_app.core.tir import CodeRunner


def run_pipeline(
    request: SolveRequest,
    backends: Backends,
    cancel: threading.Event,
    *,
    code_runner: CodeRunner | None = None,
) -> Iterator[Event]:
    """Yield the events of solving `request`; errors end the stream with a Failed event.

    In TIR mode, model-written code runs through `code_runner` (the sandbox by default).
    """
    stage: Role | None = None
    try:
        transcript = request.transcript or ""
        if request.reads_image:
            stage = "reader"
            from desktop_app.core.images import normalise_image  # Pillow loads on first use

            image = normalise_image(request.image or b"")
            yield ImageReady(image.png, image.width, image.height)
            reader = backends.reader()
            yield StageStarted("reader", backends.reader_model)
            parts: list[str] = []
            for delta in reader.read(image.png, prompts.READER_PROMPT, cancel):
                parts.append(delta)
                yield TranscriptDelta(delta)
            transcript = "".join(parts)
        if not transcript.strip() and not request.question.strip():
            raise UsageError("There is no problem to solve: give an image or type a question.")
        raise_if_cancelled(cancel)
        stage = "solver"
        solver = backends.solver()
        yield StageStarted("solver", backends.solver_model)
        messages = followup_messages(transcript, request.history, request.question, request.mode)
        voted = None
        if request.samples > 1:  # self-consistency: sampled solutions and a majority vote
            from desktop_app.core.sampling import solve_by_vote

            solution, voted = yield from solve_by_vote(
                solver,
                messages,
                request.samples,
                cancel,
                mode=request.mode,
                code_runner=code_runner,
            )
        elif request.mode == "tir":
            from desktop_app.core.tir import run_tir, sandbox_runner

            runner = code_runner or sandbox_runner
            solution = yield from _warm_checks(run_tir(solver, messages, cancel, runner=runner))
        else:
            solution = yield from _warm_checks(_stream_answer(solver.solve(messages, cancel)))
        raise_if_cancelled(cancel)
        from desktop_app.core.checks import check_solution

        problem = "\n\n".join(p for p in (transcript, request.question) if p.strip())
        checks = check_solution(problem, solution, cancel)  # the majority's, with samples
        if voted is not None:
            from desktop_app.core.sampling import with_votes

            checks = with_votes(checks, voted)
        yield from checks
        raise_if_cancelled(cancel)
        yield Finished()
    except AppError as exc:
        yield Failed(str(exc), exc.exit_code, stage, needs_key=isinstance(exc, MissingKeyError))


def _stream_answer(deltas: Iterator[str]) -> Generator[Event, None, str]:
    parts: list[str] = []
    for delta in deltas:
        parts.append(delta)
        yield AnswerDelta(delta)
    return "".join(parts)


def _warm_checks(events: Generator[Event, None, str]) -> Generator[Event, None, str]:
    """The solver's events, passed on; the checker process starts at the first answer token.

    It loads SymPy and math-verify (a second or two) while the answer streams, so the checks
    are quick when the answer ends, and none of it loads before the first token.
    """
    warmed = False
    while True:
        try:
            event = next(events)
        except StopIteration as stop:
            return str(stop.value)
        yield event
        if not warmed and isinstance(event, AnswerDelta):
            warmed = True  # after the first token has gone out, not before it
            from desktop_app.core.check_worker import shared_worker

            shared_worker().start()

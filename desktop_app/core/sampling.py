"""Self-consistency: N sampled solutions at once, then a majority vote on their final answers.

Every backend samples with Qwen's recipe (temperature 0.7, top_p 0.8). The cloud and
servers get N concurrent requests (servers batch them, so N cost about the time of one);
the local backend decodes the N sequences in one batched `generate`. Nothing is streamed
while they run: SampleProgress events say how many have finished, and once all are in the
majority sample's text comes as the answer, followed by SamplesVoted and the final answer
with its votes.

In TIR mode each sample runs its own loop with its own sandbox runs, all loops at once, at
most MAX_PARALLEL_CODE_RUNS sandboxes at a time (each is a process with its own memory).
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import replace
from typing import TYPE_CHECKING

from desktop_app.core.backends.base import QWEN_SAMPLING, ChatMessage, Sampling, Solver
from desktop_app.core.errors import AppError, UsageError, one_line, raise_if_cancelled
from desktop_app.core.events import AnswerDelta, Event, FinalAnswer, Notice, SampleProgress
from desktop_app.core.settings import MAX_SAMPLES

if TYPE_CHECKING:
    from desktop_app.core.events import SamplesVoted
    from desktop_app.core.prompts import Mode
    from desktop_app.core.sandbox import SandboxResult
    from desktop_app.core.tir import CodeRunner

MAX_PARALLEL_CODE_RUNS = max(1, min(4, os.cpu_count() or 1))
_POLL_S = 0.05  # how often the waiting loop looks at the cancel token
SAMPLES_RANGE = f"The number of samples must be a whole number from 1 to {MAX_SAMPLES}."


def check_samples(n: int) -> int:
    """`n` if it is a valid number of samples, else UsageError with one sentence."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
        raise UsageError(SAMPLES_RANGE)
    return n


def solve_by_vote(
    solver: Solver,
    messages: list[ChatMessage],
    n: int,
    cancel: threading.Event,
    *,
    mode: Mode = "cot",
    code_runner: CodeRunner | None = None,
) -> Generator[Event, None, tuple[str, SamplesVoted]]:
    """Run `n` samples, vote, and yield the majority sample's text as the answer; return that
    text and the vote."""
    from desktop_app.core.voting import BY_TEXT_NOTICE, vote

    solutions = yield from run_samples(
        solver, messages, n, cancel, mode=mode, code_runner=code_runner
    )
    voted = vote(solutions, cancel)
    if not voted.by_equivalence:
        yield Notice(BY_TEXT_NOTICE)
    text = voted.samples[voted.majority].text
    yield AnswerDelta(text)
    yield voted
    return text, voted


def with_votes(events: Iterator[Event], voted: SamplesVoted) -> Iterator[Event]:
    """`events` with the vote added to the final answer (votes out of the samples that ran)."""
    for event in events:
        if isinstance(event, FinalAnswer):
            event = replace(event, votes=voted.votes, samples=len(voted.samples))
        yield event


def run_samples(
    solver: Solver,
    messages: list[ChatMessage],
    n: int,
    cancel: threading.Event,
    *,
    mode: Mode = "cot",
    code_runner: CodeRunner | None = None,
    sampling: Sampling = QWEN_SAMPLING,
) -> Generator[Event, None, list[str]]:
    """Yield SampleProgress as `n` sampled solutions finish; return those that finished, in
    the order they were requested.

    Failed samples are dropped with a Notice; when all fail the first error is raised, and a
    cancel raises Cancelled once every sample has stopped.
    """
    check_samples(n)
    stop = threading.Event()  # the samples' token: set on cancel, or when nobody listens
    counts: queue.SimpleQueue[int] = queue.SimpleQueue()
    batch = getattr(solver, "solve_batch", None) if mode == "cot" else None
    tasks: list[Callable[[], object]]
    if batch is not None:  # the local backend: one generate call for all n
        tasks = [lambda: batch(list(messages), n, stop, sampling=sampling, on_finished=counts.put)]
    else:
        one = _sample_task(solver, messages, stop, sampling, mode, code_runner)
        tasks = [one] * n
    results: list[str | AppError] = []
    with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="sample") as pool:
        futures = [pool.submit(task) for task in tasks]
        try:
            yield SampleProgress(0, n)
            yield from _progress(futures, counts if batch else None, n, cancel, stop)
        finally:
            if not all(future.done() for future in futures):
                stop.set()  # a cancel, an error, or the consumer closed this generator
        for future in futures:
            results += _outcomes(future)
    raise_if_cancelled(cancel)
    solutions = [r for r in results if isinstance(r, str)]
    errors = [r for r in results if not isinstance(r, str)]
    if not solutions:
        raise errors[0]
    if errors:
        yield Notice(
            f"{len(errors)} of {n} samples failed and were left out of the vote "
            f"({one_line(str(errors[0]))})."
        )
    return solutions


def _progress(
    futures: list[Future[object]],
    counts: queue.SimpleQueue[int] | None,
    n: int,
    cancel: threading.Event,
    stop: threading.Event,
) -> Iterator[SampleProgress]:
    """A SampleProgress each time more samples have finished, until all have; `counts` is a
    batch's own count of its ended rows (None: one future per sample)."""
    pending = set(futures)
    finished = failed = 0
    warmed = False
    while pending:
        if cancel.is_set():
            stop.set()
        done, pending = wait(pending, timeout=_POLL_S, return_when=FIRST_COMPLETED)
        now_finished, now_failed = finished, failed
        if counts is not None:
            while not counts.empty():
                now_finished = max(now_finished, counts.get())
        else:
            now_finished += len(done)
            now_failed += sum(1 for f in done if f.exception() is not None)
        if (now_finished, now_failed) != (finished, failed) and not cancel.is_set():
            finished, failed = min(now_finished, n), now_failed
            if not warmed and finished > failed:
                warmed = True  # the vote and the checks will need the checker: start it now
                from desktop_app.core.check_worker import shared_worker

                shared_worker().start()
            yield SampleProgress(finished, n, failed)


def _outcomes(future: Future[object]) -> list[str | AppError]:
    """What one task gave: one solution or error, or a batch's list of them."""
    try:
        value = future.result()
    except AppError as exc:
        return [exc]
    if isinstance(value, list):
        return [v if isinstance(v, str | AppError) else str(v) for v in value]
    return [str(value)]


def _sample_task(
    solver: Solver,
    messages: list[ChatMessage],
    stop: threading.Event,
    sampling: Sampling,
    mode: Mode,
    code_runner: CodeRunner | None,
) -> Callable[[], str]:
    """One sample: a streamed reply joined, or in TIR a whole loop with its own code runs."""
    if mode != "tir":
        return lambda: "".join(solver.solve(list(messages), stop, sampling=sampling))
    from desktop_app.core.tir import run_tir, sandbox_runner

    runner = _bounded(code_runner or sandbox_runner, threading.Semaphore(MAX_PARALLEL_CODE_RUNS))

    def loop() -> str:
        events = run_tir(solver, list(messages), stop, runner=runner, sampling=sampling)
        while True:  # the events are the answer's own text and code runs: only the end counts
            try:
                next(events)
            except StopIteration as end:
                return str(end.value)

    return loop


def _bounded(runner: CodeRunner, slots: threading.Semaphore) -> CodeRunner:
    """`runner`, at most as many at once as `slots` allows; waiting ends on cancel."""

    def run(source: str, cancel: threading.Event) -> SandboxResult:
        while not slots.acquire(timeout=_POLL_S):
            raise_if_cancelled(cancel)
        try:
            return runner(source, cancel)
        finally:
            slots.release()

    return run

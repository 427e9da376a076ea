"""Self-consistency: several sampled solutions at once, then a majority vote on their answers."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from desktop_app.core.answers import extract_boxed
from desktop_app.core.backends.base import ChatMessage, Solver
from desktop_app.core.errors import AppError, Cancelled


@dataclass(frozen=True)
class Vote:
    """The winning answer, how many samples gave it, and how many had an answer at all."""

    answer: str | None
    votes: int
    answered: int


def sample_answers(
    solver_factory: Callable[[], Solver],
    messages: list[ChatMessage],
    n: int,
    cancel: threading.Event,
    *,
    stop: Sequence[str] = (),
) -> list[str]:
    """`n` full solutions, requested concurrently (one thread each); failed samples are dropped.

    The factory should give a sampling solver (temperature > 0), or all samples agree. When
    every sample fails the first error is raised; a cancel raises Cancelled.
    """
    if n < 1:
        raise ValueError("n must be at least 1")

    def one() -> str:
        return "".join(solver_factory().solve(list(messages), cancel, stop=stop))

    # Threads, not the API's `n=`: every backend supports it, and servers batch the requests.
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="sample") as pool:
        futures = [pool.submit(one) for _ in range(n)]
        results: list[str] = []
        errors: list[AppError] = []
        for future in futures:
            try:
                results.append(future.result())
            except AppError as exc:
                errors.append(exc)
    if cancel.is_set():
        raise Cancelled()
    if not results:
        raise errors[0]
    return results


def majority_vote(solutions: Sequence[str]) -> Vote:
    """The most frequent final \\boxed{} answer (the earliest one wins a tie)."""
    answers = [a for a in (extract_boxed(s) for s in solutions) if a is not None]
    if not answers:
        return Vote(None, 0, 0)
    # Compared after dropping spaces only; mathematical equivalence is answers.py's job.
    keys = ["".join(a.split()) for a in answers]
    counts = Counter(keys)
    best = max(keys, key=lambda k: (counts[k], -keys.index(k)))
    return Vote(answers[keys.index(best)], counts[best], len(answers))

"""Benchmark: 8 self-consistency samples cost about as much wall time as one, measured
through the whole pipeline (samples, vote, the majority's check) against a server."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.events import Failed, FinalAnswer
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from tests.fakes.openai_server import FakeOpenAI

QUESTION = "Solve $2x + 3 = 7$."
LATENCY_S = 0.2


def best_of(backend: OpenAICompatibleBackend, n: int, repeats: int = 3) -> float:
    """The fastest of `repeats` whole solves with `n` samples, in seconds."""
    backends = Backends(lambda: backend, lambda: backend, "", "m")
    times = []
    for _ in range(repeats):
        started = time.monotonic()
        events = list(
            run_pipeline(SolveRequest(question=QUESTION, samples=n), backends, threading.Event())
        )
        times.append(time.monotonic() - started)
        assert not any(isinstance(e, Failed) for e in events), events
        final = next(e for e in events if isinstance(e, FinalAnswer))
        assert (final.answer, final.check) == ("2", "verified")
        assert final.votes == (n if n > 1 else None)
    return min(times)


@pytest.mark.bench
def test_eight_samples_take_at_most_one_and_a_half_times_one() -> None:
    """GIVEN 200 ms latency per request THEN a solve with 8 samples finishes within 1.5x the
    time of a solve with one."""
    with FakeOpenAI(latency=LATENCY_S, chunk_size=8) as server:
        backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m")
        try:
            best_of(backend, 1, repeats=1)  # warm: SDK import, connection, checker process
            best_of(backend, 8, repeats=1)
            one = best_of(backend, 1)
            eight = best_of(backend, 8)
        finally:
            backend.close()
    ratio = eight / one
    print(
        f"\nparallel sampling (pipeline): 1 sample {one * 1000:.0f} ms, 8 samples "
        f"{eight * 1000:.0f} ms, ratio {ratio:.2f} (limit 1.5)"
    )
    assert ratio <= 1.5

"""Benchmark: 8 self-consistency samples cost about as much wall time as one."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.sampling import majority_vote, sample_answers
from tests.fakes.openai_server import FakeOpenAI

QUESTION: list[ChatMessage] = [{"role": "user", "content": "Solve 2x + 3 = 7."}]
LATENCY_S = 0.2


def best_of(server: FakeOpenAI, n: int, repeats: int = 3) -> float:
    """The fastest of `repeats` runs of `n` concurrent samples, in seconds."""
    backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m", temperature=0.7)
    times = []
    try:
        for _ in range(repeats):
            started = time.monotonic()
            texts = sample_answers(lambda: backend, QUESTION, n, threading.Event())
            times.append(time.monotonic() - started)
            assert majority_vote(texts).answer == "2"
    finally:
        backend.close()
    return min(times)


@pytest.mark.bench
def test_eight_samples_take_at_most_one_and_a_half_times_one() -> None:
    """GIVEN 200 ms latency per request THEN 8 samples finish within 1.5x the time of one."""
    with FakeOpenAI(latency=LATENCY_S, chunk_size=8) as server:
        best_of(server, 1, repeats=1)  # warm: SDK import, first connection
        one = best_of(server, 1)
        eight = best_of(server, 8)
    ratio = eight / one
    print(
        f"\nparallel sampling: 1 sample {one * 1000:.0f} ms, 8 samples {eight * 1000:.0f} ms, "
        f"ratio {ratio:.2f} (limit 1.5)"
    )
    assert ratio <= 1.5

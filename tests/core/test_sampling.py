"""Self-consistency: samples run concurrently against a server and the majority answer wins."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.errors import BackendError, Cancelled
from desktop_app.core.sampling import Vote, majority_vote, sample_answers
from tests.fakes.openai_server import FakeOpenAI

QUESTION: list[ChatMessage] = [{"role": "user", "content": "Solve 2x + 3 = 7."}]


def timed_samples(server: FakeOpenAI, n: int) -> float:
    backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m", temperature=0.7)
    try:
        started = time.monotonic()
        texts = sample_answers(lambda: backend, QUESTION, n, threading.Event())
        elapsed = time.monotonic() - started
    finally:
        backend.close()
    assert len(texts) == n
    return elapsed


def test_samples_run_concurrently() -> None:
    """GIVEN 300 ms per request THEN 4 samples take less than twice as long as one."""
    with FakeOpenAI(latency=0.3) as server:
        timed_samples(server, 1)  # warm: SDK import and first connection
        one = timed_samples(server, 1)
        four = timed_samples(server, 4)
        assert all(r.field("temperature") == 0.7 for r in server.chat_requests())
    assert four < 2 * one, (one, four)


def test_failed_samples_are_dropped_and_all_failing_raises() -> None:
    """GIVEN one of three samples failing THEN two come back; all failing raises the error."""

    class Flaky:
        def __init__(self, fail: bool) -> None:
            self.fail = fail

        def solve(
            self, messages: list[ChatMessage], cancel: threading.Event, *, stop: Sequence[str] = ()
        ) -> Iterator[str]:
            if self.fail:
                raise BackendError("The server failed.")
            yield "$\\boxed{2}$"

    fails = iter([True, False, False])
    lock = threading.Lock()

    def factory() -> Flaky:
        with lock:
            return Flaky(next(fails))

    assert sample_answers(factory, QUESTION, 3, threading.Event()) == ["$\\boxed{2}$"] * 2
    with pytest.raises(BackendError, match="failed"):
        sample_answers(lambda: Flaky(True), QUESTION, 2, threading.Event())


def test_cancel_raises_cancelled() -> None:
    """GIVEN a cancelled token THEN sampling raises Cancelled."""
    with FakeOpenAI() as server:
        backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m")
        cancel = threading.Event()
        cancel.set()
        with pytest.raises(Cancelled):
            sample_answers(lambda: backend, QUESTION, 2, cancel)
        backend.close()


@pytest.mark.parametrize(
    ("solutions", "vote"),
    [
        (["$\\boxed{2}$", "$\\boxed{3}$", "so \\boxed{ 2 }"], Vote("2", 2, 3)),
        (["\\boxed{a}", "\\boxed{b}"], Vote("a", 1, 2)),  # a tie goes to the earliest
        (["no answer", "\\boxed{7}"], Vote("7", 1, 1)),
        (["nothing"], Vote(None, 0, 0)),
    ],
)
def test_majority_vote(solutions: list[str], vote: Vote) -> None:
    """GIVEN sampled solutions THEN the most frequent boxed answer wins."""
    assert majority_vote(solutions) == vote

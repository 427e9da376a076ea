"""Self-consistency's sampling: N solutions at once on every backend, with Qwen's recipe,
progress as they finish, failed samples dropped, Stop stopping them all."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from desktop_app.core.backends.base import QWEN_SAMPLING, ChatMessage, Sampling
from desktop_app.core.backends.dashscope_cloud import DashScopeBackend
from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.errors import BackendError, Cancelled, UsageError
from desktop_app.core.events import Event, Notice, SampleProgress
from desktop_app.core.sampling import MAX_PARALLEL_CODE_RUNS, check_samples, run_samples
from desktop_app.core.sandbox import SandboxResult
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.solvers import ScriptedSolver
from tests.threads import wait_threads_gone

QUESTION: list[ChatMessage] = [{"role": "user", "content": "Solve 2x + 3 = 7."}]
KEY = "sk-test-0123456789abcdef"


@pytest.fixture(autouse=True)
def no_thread_leaks() -> Iterator[None]:
    """Every sample thread is joined before run_samples returns or raises."""
    before = set(threading.enumerate())
    yield
    left = wait_threads_gone(lambda: {t for t in set(threading.enumerate()) - before})
    assert not {t for t in left if t.name.startswith("sample")}, left


def drain(events: Iterator[Event] | Any) -> tuple[list[Event], list[str]]:
    """Every event of a run_samples generator, and what it returned."""
    seen: list[Event] = []
    while True:
        try:
            seen.append(next(events))
        except StopIteration as end:
            return seen, list(end.value)


def timed(run: Callable[[], object]) -> float:
    started = time.monotonic()
    run()
    return time.monotonic() - started


def test_openai_samples_run_concurrently_with_qwens_recipe() -> None:
    """GIVEN a server taking 300 ms per request WHEN 4 samples run THEN they take less than
    twice one, and every request carries temperature 0.7 and top_p 0.8."""
    with FakeOpenAI(latency=0.3) as server:
        backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m")
        try:
            drain(run_samples(backend, QUESTION, 1, threading.Event()))  # warm: SDK, connection
            one = timed(lambda: drain(run_samples(backend, QUESTION, 1, threading.Event())))
            started = time.monotonic()
            events, texts = drain(run_samples(backend, QUESTION, 4, threading.Event()))
            four = time.monotonic() - started
        finally:
            backend.close()
        bodies = [r.body for r in server.chat_requests()]
    assert len(texts) == 4
    assert all("\\boxed{2}" in t for t in texts)
    assert len(bodies) == 6
    assert all((b["temperature"], b["top_p"]) == (0.7, 0.8) for b in bodies), bodies
    assert four < 2 * one, (one, four)
    progress = [e for e in events if isinstance(e, SampleProgress)]
    assert progress[0] == SampleProgress(0, 4)
    assert progress[-1] == SampleProgress(4, 4)


def test_dashscope_samples_run_concurrently_with_qwens_recipe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN the cloud taking 400 ms before each reply WHEN 4 samples run THEN the 4 requests
    overlap, and each carries temperature 0.7 and top_p 0.8 in its parameters."""
    with FakeDashScope() as server:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", server.base_url)
        backend = DashScopeBackend(api_key=KEY)
        drain(run_samples(backend, QUESTION, 2, threading.Event()))  # warm: the SDK import
        for _ in range(4):
            server.script_text("So $\\boxed{2}$.", endpoint="text", headers_delay=0.4)
        started = time.monotonic()
        _events, texts = drain(run_samples(backend, QUESTION, 4, threading.Event()))
        elapsed = time.monotonic() - started
        requests = server.requests_to("text")
    assert texts == ["So $\\boxed{2}$."] * 4
    assert elapsed < 1.2, elapsed  # one after another would take at least 1.6 s
    for request in requests:
        assert request.parameters["temperature"] == 0.7
        assert request.parameters["top_p"] == 0.8
        assert request.incremental_output


def test_greedy_requests_carry_no_sampling_parameters() -> None:
    """GIVEN a plain solve (no samples) THEN neither temperature nor top_p is sent."""
    with FakeOpenAI() as server:
        backend = OpenAICompatibleBackend(base_url=server.base_url, solver_model="m")
        try:
            "".join(backend.solve(QUESTION, threading.Event()))
        finally:
            backend.close()
        body = server.chat_requests()[0].body
    assert "temperature" not in body
    assert "top_p" not in body


def test_progress_counts_samples_as_they_finish() -> None:
    """GIVEN samples finishing at different times THEN progress rises one by one to all."""

    class Staggered(ScriptedSolver):
        def __init__(self) -> None:
            super().__init__(["\\boxed{1}"] * 3)
            self.calls = 0

        def solve(self, *args: Any, **kwargs: Any) -> Iterator[str]:
            with self._lock:
                self.calls += 1
                self.delay = 0.15 * self.calls
            yield from super().solve(*args, **kwargs)

    events, texts = drain(run_samples(Staggered(), QUESTION, 3, threading.Event()))
    finished = [e.finished for e in events if isinstance(e, SampleProgress)]
    assert finished == [0, 1, 2, 3]
    assert texts == ["\\boxed{1}"] * 3


def test_failed_samples_are_dropped_with_a_notice() -> None:
    """GIVEN one of three samples failing THEN two come back and a notice says why."""
    solver = ScriptedSolver(["\\boxed{2}", BackendError("The server failed."), "\\boxed{2}"])
    events, texts = drain(run_samples(solver, QUESTION, 3, threading.Event()))
    assert texts == ["\\boxed{2}", "\\boxed{2}"]
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices == [
        Notice("1 of 3 samples failed and were left out of the vote (The server failed).")
    ]
    assert [e for e in events if isinstance(e, SampleProgress)][-1] == SampleProgress(3, 3, 1)
    assert solver.samplings == [QWEN_SAMPLING] * 3


def test_all_samples_failing_raises_the_first_error() -> None:
    """GIVEN every sample failing THEN the first error is raised."""
    solver = ScriptedSolver([BackendError("First."), BackendError("Second.")])
    with pytest.raises(BackendError, match="First"):
        drain(run_samples(solver, QUESTION, 2, threading.Event()))


def test_cancel_stops_every_sample_at_once() -> None:
    """GIVEN 8 slow samples WHEN cancelled THEN all stop within a moment and Cancelled."""
    solver = ScriptedSolver(["\\boxed{1}"] * 8, delay=30)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        drain(run_samples(solver, QUESTION, 8, cancel))
    assert time.monotonic() - started < 3


def test_closing_the_stream_stops_the_samples() -> None:
    """GIVEN a consumer that stops listening WHEN it closes the events THEN no sample runs on."""
    solver = ScriptedSolver(["\\boxed{1}"] * 4, delay=30)
    events = run_samples(solver, QUESTION, 4, threading.Event())
    assert next(events) == SampleProgress(0, 4)
    started = time.monotonic()
    events.close()
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("n", [0, 17, -1])
def test_out_of_range_counts_are_refused(n: int) -> None:
    """GIVEN 0, -1 or 17 samples THEN one clear sentence, before anything runs."""
    with pytest.raises(UsageError, match="from 1 to 16"):
        check_samples(n)
    with pytest.raises(UsageError):
        drain(run_samples(ScriptedSolver([]), QUESTION, n, threading.Event()))


def test_tir_samples_run_their_own_loops_with_bounded_sandboxes() -> None:
    """GIVEN TIR and 6 samples WHEN each writes code THEN each runs its own code once, never
    more than MAX_PARALLEL_CODE_RUNS at a time, and its output goes back into its own text."""
    running, most = 0, 0
    lock = threading.Lock()
    ran: list[str] = []

    def runner(source: str, cancel: threading.Event) -> SandboxResult:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            ran.append(source)
        time.sleep(0.2)
        with lock:
            running -= 1
        return SandboxResult(output=source.split("(")[1].rstrip(")"), status="ok")

    class Coder(ScriptedSolver):
        def solve(self, messages: list[ChatMessage], *args: Any, **kwargs: Any) -> Iterator[str]:
            with self._lock:
                self.samplings.append(kwargs.get("sampling"))
                self.stops.append(tuple(kwargs.get("stop", ())))
                self.calls = getattr(self, "calls", 0) + 1
                number = self.calls
            if messages[-1]["role"] == "assistant":  # its code ran: the answer is the output
                printed = messages[-1]["content"].split("```output\n")[1].split("\n")[0]
                yield f" so \\boxed{{{printed}}}"
            else:
                yield f"```python\nprint({number})\n```"

    solver = Coder([])
    events, texts = drain(
        run_samples(solver, QUESTION, 6, threading.Event(), mode="tir", code_runner=runner)
    )
    assert len(ran) == len(set(ran)) == 6  # six different programs, each run once
    assert 1 <= most <= MAX_PARALLEL_CODE_RUNS
    for text in texts:  # each sample's output is its own code's, and so is its answer
        k = text.split("print(")[1].split(")")[0]
        assert f"```output\n{k}\n```" in text
        assert text.endswith(f"\\boxed{{{k}}}")
    assert ("```output",) in solver.stops
    assert solver.samplings == [QWEN_SAMPLING] * 12
    assert [e for e in events if isinstance(e, SampleProgress)][-1] == SampleProgress(6, 6)


def test_a_batch_solver_gets_one_call_for_all_samples() -> None:
    """GIVEN a solver that batches (the local backend's way) WHEN 4 CoT samples run THEN it is
    called once for all 4, its counts become progress, and a row it failed is dropped."""

    class Batch:
        def __init__(self) -> None:
            self.calls: list[tuple[int, Sampling]] = []

        def solve(self, *args: Any, **kwargs: Any) -> Iterator[str]:
            raise AssertionError("a batch solver is not asked one by one")

        def solve_batch(
            self,
            messages: list[ChatMessage],
            n: int,
            cancel: threading.Event,
            *,
            sampling: Sampling,
            on_finished: Callable[[int], None] | None = None,
        ) -> list[str | BackendError]:
            self.calls.append((n, sampling))
            assert on_finished is not None
            for count in (1, 3):
                on_finished(count)
                time.sleep(0.1)
            return ["\\boxed{1}", "\\boxed{2}", BackendError("Too slow."), "\\boxed{1}"]

    solver = Batch()
    events, texts = drain(run_samples(solver, QUESTION, 4, threading.Event()))  # type: ignore[arg-type]
    assert solver.calls == [(4, QWEN_SAMPLING)]
    assert texts == ["\\boxed{1}", "\\boxed{2}", "\\boxed{1}"]
    finished = [e.finished for e in events if isinstance(e, SampleProgress)]
    assert finished[0] == 0
    assert finished[-1] == 3
    assert 1 in finished
    assert any(isinstance(e, Notice) and "1 of 4 samples failed" in e.message for e in events)

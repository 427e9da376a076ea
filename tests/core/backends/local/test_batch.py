"""Self-consistency on the local backend: N samples from one `generate` call on a tiny model
(num_return_sequences), Qwen's sampling recipe, progress, cancel and the deadline."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

pytest.importorskip("torch", reason="the local backend's tests need the 'local' extra")
pytest.importorskip("transformers", reason="the local backend's tests need the 'local' extra")

from desktop_app.core.backends.base import QWEN_SAMPLING
from desktop_app.core.backends.local.backend import LocalTransformersBackend
from desktop_app.core.backends.local.batch import _watch_class
from desktop_app.core.errors import BackendError, Cancelled
from desktop_app.core.events import FinalAnswer, SampleProgress, SamplesVoted
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from tests.core.backends.local.conftest import QUESTION, loaded_model
from tests.fakes.tiny_models import (
    ENDOFTEXT_ID,
    IM_END_ID,
    tiny_solver_dir,  # noqa: F401  (fixture)
)


def spy_generate(backend: LocalTransformersBackend) -> list[dict[str, Any]]:
    """Record every call of the loaded model's generate (its keyword arguments)."""
    model = loaded_model(backend)
    calls: list[dict[str, Any]] = []
    original = model.generate

    def spy(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return original(**kwargs)

    model.generate = spy
    return calls


def test_four_samples_come_from_one_generate_call(solver: LocalTransformersBackend) -> None:
    """GIVEN the tiny model WHEN 4 samples are asked THEN one generate call makes 4 sequences
    with temperature 0.7 and top_p 0.8, and each comes back as its own text."""
    list(solver.solve(QUESTION, threading.Event()))  # load
    calls = spy_generate(solver)
    counts: list[int] = []
    try:
        texts = solver.solve_batch(
            QUESTION, 4, threading.Event(), sampling=QWEN_SAMPLING, on_finished=counts.append
        )
    finally:
        del loaded_model(solver).generate
    assert len(calls) == 1
    call = calls[0]
    assert call["num_return_sequences"] == 4
    assert call["input_ids"].shape[0] == 1  # the prompt is encoded once
    assert (call["do_sample"], call["temperature"], call["top_p"]) == (True, 0.7, 0.8)
    assert call["top_k"] is None
    assert len(texts) == 4
    assert all(isinstance(t, str) for t in texts)  # a row may end at once on a stop token
    assert len(set(texts)) > 1  # sampled, not four copies of the greedy answer
    assert counts[-1] == 4


def test_greedy_solve_still_samples_nothing(solver: LocalTransformersBackend) -> None:
    """GIVEN a plain solve THEN decoding stays greedy; with sampling it samples."""
    list(solver.solve(QUESTION, threading.Event()))
    calls = spy_generate(solver)
    try:
        list(solver.solve(QUESTION, threading.Event()))
        list(solver.solve(QUESTION, threading.Event(), sampling=QWEN_SAMPLING))
    finally:
        del loaded_model(solver).generate
    assert calls[0]["do_sample"] is False
    assert (calls[1]["do_sample"], calls[1]["temperature"], calls[1]["top_p"]) == (True, 0.7, 0.8)


def test_the_watch_counts_rows_that_ended() -> None:
    """GIVEN a batch where rows reach their stop token at different steps THEN the count rises
    as they do, and a row that ended stays ended while padding follows."""
    import torch

    counts: list[int] = []
    watch = _watch_class()(threading.Event(), [IM_END_ID], None, counts.append)
    steps = [
        [[9, 7], [9, 8], [9, 8]],
        [[9, 7, IM_END_ID], [9, 8, 5], [9, 8, 6]],
        [[9, 7, IM_END_ID, 0], [9, 8, 5, IM_END_ID], [9, 8, 6, 4]],
    ]
    stopped = [bool(watch(torch.tensor(ids), None).any()) for ids in steps]
    assert counts == [1, 2]
    assert watch.ended.tolist() == [True, True, False]
    assert stopped == [False, False, False]


def test_cancel_stops_the_batch_at_once(solver: LocalTransformersBackend) -> None:
    """GIVEN a long batch WHEN cancelled THEN generate stops within a moment: Cancelled."""
    list(solver.solve(QUESTION, threading.Event()))
    solver.max_new_tokens = 3000
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        solver.solve_batch(QUESTION, 4, cancel, sampling=QWEN_SAMPLING)
    assert time.monotonic() - started < 5


def test_rows_unfinished_at_the_deadline_are_errors(make_backend: Any) -> None:
    """GIVEN a batch running past the answer deadline THEN it stops, and each unfinished row
    is an error (the pipeline drops it with a notice)."""
    backend = make_backend(max_new_tokens=3000, answer_deadline_s=600)
    list(backend.solve(QUESTION, threading.Event()))  # loads the model, at any machine speed
    backend.answer_deadline_s = 0.3
    model = loaded_model(backend)
    original = model.generate
    # Sampling may pick a stop token, which a real model does when it is done: forbid them,
    # so no row can end before the deadline.
    model.generate = lambda **kwargs: original(**kwargs, suppress_tokens=[IM_END_ID, ENDOFTEXT_ID])
    started = time.monotonic()
    try:
        results = backend.solve_batch(QUESTION, 3, threading.Event(), sampling=QWEN_SAMPLING)
    finally:
        del model.generate
    assert time.monotonic() - started < 10
    assert len(results) == 3
    assert all(isinstance(r, BackendError) and "0.3 seconds" in str(r) for r in results)


def test_the_pipeline_votes_on_a_local_batch(solver: LocalTransformersBackend) -> None:
    """GIVEN the local backend WHEN a problem is solved with 4 samples THEN one batch, progress
    to 4 of 4, and a vote over the 4 samples."""
    list(solver.solve(QUESTION, threading.Event()))
    calls = spy_generate(solver)
    backends = Backends(lambda: solver, lambda: solver, "", "tiny")
    try:
        events = list(
            run_pipeline(
                SolveRequest(question="Solve x + 1 = 3.", samples=4), backends, threading.Event()
            )
        )
    finally:
        del loaded_model(solver).generate
    assert [c["num_return_sequences"] for c in calls] == [4]
    progress = [e for e in events if isinstance(e, SampleProgress)]
    assert progress[0] == SampleProgress(0, 4)
    assert progress[-1] == SampleProgress(4, 4)
    voted = next(e for e in events if isinstance(e, SamplesVoted))
    assert len(voted.samples) == 4
    finals = [e for e in events if isinstance(e, FinalAnswer)]
    assert all(f.samples == 4 for f in finals)  # a random model rarely boxes an answer

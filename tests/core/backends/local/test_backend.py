"""LocalTransformersBackend generating on tiny random Qwen2 / Qwen2-VL models: streaming, stop
strings, cancel, the one-generation lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="the local backend's tests need the 'local' extra")
pytest.importorskip("transformers", reason="the local backend's tests need the 'local' extra")

from desktop_app.core.backends.local import backend as lt
from desktop_app.core.backends.local.backend import LocalTransformersBackend
from desktop_app.core.backends.stop_strings import StopScanner
from desktop_app.core.errors import BackendError, Cancelled, StreamInterrupted
from tests.core.backends.local.conftest import (
    PROBLEM_PNG,
    QUESTION,
    loaded_model,
    our_threads,
)
from tests.fakes.tiny_models import (
    IM_END_ID,
    tiny_reader_dir,  # noqa: F401  (fixture)
    tiny_solver_dir,  # noqa: F401  (fixture)
)


def test_solver_streams_several_deltas(
    solver: LocalTransformersBackend, warnings: list[str]
) -> None:
    """GIVEN a local folder WHEN solving on the CPU THEN text streams in pieces, with a warning."""
    deltas = list(solver.solve(QUESTION, threading.Event()))
    assert len(deltas) >= 2
    assert all(isinstance(d, str) and d for d in deltas)
    assert any("CPU" in w for w in warnings)
    assert type(loaded_model(solver)).__name__ == "Qwen2ForCausalLM"


def test_reader_streams_a_transcription(tiny_reader_dir: Path) -> None:  # noqa: F811
    """GIVEN a Qwen2-VL folder WHEN reading a PNG THEN the transcription streams."""
    reader = LocalTransformersBackend(
        str(tiny_reader_dir),
        None,
        device="cpu",
        max_new_tokens=10,
        idle_unload_s=None,
        min_pixels=4 * 28 * 28,
        max_pixels=16 * 28 * 28,
    )
    deltas = list(reader.read(PROBLEM_PNG, "Describe the math.", threading.Event()))
    assert "".join(deltas)
    model = loaded_model(reader, "reader")
    assert type(model).__name__ == "Qwen2VLForConditionalGeneration"
    assert model.config._attn_implementation == "sdpa"


def test_continuing_an_assistant_turn_prompts_with_the_partial_text(
    solver: LocalTransformersBackend,
) -> None:
    """GIVEN a partial assistant turn WHEN solving THEN generation continues that very turn."""
    list(solver.solve(QUESTION, threading.Event()))  # load
    model = loaded_model(solver)
    seen: dict[str, Any] = {}
    original = model.generate

    def spy(**kwargs: Any) -> Any:
        seen.update(kwargs)
        return original(**kwargs)

    model.generate = spy
    try:
        messages = [*QUESTION, {"role": "assistant", "content": "We have x = 2"}]
        deltas = list(solver.solve(messages, threading.Event()))
    finally:
        del model.generate
    tokenizer = seen["streamer"].tokenizer
    prompt = tokenizer.decode(seen["input_ids"][0])
    assert prompt.endswith("<|im_start|>assistant\nWe have x = 2")
    assert "We have x = 2" not in "".join(deltas)  # only the new text is yielded
    assert seen["do_sample"] is False
    assert IM_END_ID in seen["eos_token_id"]


def test_cancel_stops_generate_itself_and_frees_the_lock(
    solver: LocalTransformersBackend,
) -> None:
    """GIVEN a long generation WHEN cancelled after the first delta THEN generate stops at once."""
    backend = solver
    list(backend.solve(QUESTION, threading.Event()))  # load the model
    backend.max_new_tokens = 3000
    model = loaded_model(backend)
    produced: list[int] = []
    original = model.generate

    def counting(**kwargs: Any) -> Any:
        out = original(**kwargs)
        produced.append(int(out.shape[-1] - kwargs["input_ids"].shape[-1]))
        return out

    model.generate = counting
    cancel = threading.Event()
    stream = backend.solve(QUESTION, cancel)
    assert next(stream)
    cancel.set()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        list(stream)
    assert time.monotonic() - started < 1.0
    assert not our_threads()  # the generate thread has ended
    assert produced
    assert produced[0] < 3000
    assert not lt._GENERATION_LOCK.locked()
    del model.generate
    backend.max_new_tokens = 4
    assert list(backend.solve(QUESTION, threading.Event()))  # the next question runs


def test_waiting_for_the_lock_is_cancellable(solver: LocalTransformersBackend) -> None:
    """GIVEN one generation running WHEN a second waits and is cancelled THEN it ends at once."""
    lt._GENERATION_LOCK.acquire()
    try:
        cancel = threading.Event()
        cancel.set()
        started = time.monotonic()
        with pytest.raises(Cancelled):
            list(solver.solve(QUESTION, cancel))
        assert time.monotonic() - started < 0.5
    finally:
        lt._GENERATION_LOCK.release()


def test_a_generate_that_raises_is_a_backend_error(solver: LocalTransformersBackend) -> None:
    """GIVEN generate raising WHEN solving THEN a BackendError comes quickly, and no hang."""
    list(solver.solve(QUESTION, threading.Event()))
    model = loaded_model(solver)

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("CUDA error: device-side assert triggered")

    model.generate = broken
    started = time.monotonic()
    try:
        with pytest.raises(BackendError, match=r"failed while generating \(RuntimeError"):
            list(solver.solve(QUESTION, threading.Event()))
    finally:
        del model.generate
    assert time.monotonic() - started < 1.0


def test_a_silent_generate_times_out_and_is_stopped(make_backend: Any) -> None:
    """GIVEN generate producing nothing WHEN the timeout passes THEN BackendError, generate told."""
    backend = make_backend()
    list(backend.solve(QUESTION, threading.Event()))  # loads the model, at any machine speed
    backend.generation_timeout = 0.3
    model = loaded_model(backend)
    told_to_stop = threading.Event()

    def stuck(**kwargs: Any) -> None:
        ids = kwargs["input_ids"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # a generate stuck before its first token
            if kwargs["stopping_criteria"](ids, None).all():
                told_to_stop.set()
                return
            time.sleep(0.01)

    model.generate = stuck
    try:
        with pytest.raises(BackendError, match=r"no text for 0\.3 seconds"):
            list(backend.solve(QUESTION, threading.Event()))
    finally:
        del model.generate
    assert told_to_stop.is_set()


def test_a_generate_past_the_answer_deadline_is_stopped_keeping_its_text(
    make_backend: Any,
) -> None:
    """GIVEN generate streaming text without end WHEN the answer deadline passes THEN the text
    so far arrived, a StreamInterrupted says so, and generate itself was told to stop."""
    backend = make_backend(answer_deadline_s=600)
    list(backend.solve(QUESTION, threading.Event()))  # loads the model, at any machine speed
    backend.answer_deadline_s = 0.5
    model = loaded_model(backend)
    told_to_stop = threading.Event()

    def endless(**kwargs: Any) -> None:
        streamer, ids = kwargs["streamer"], kwargs["input_ids"]
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:  # a model that never reaches its end token
            if kwargs["stopping_criteria"](ids, None).all():
                told_to_stop.set()
                break
            streamer.on_finalized_text("more ")
            time.sleep(0.02)
        streamer.end()

    model.generate = endless
    deltas: list[str] = []

    def read_all() -> None:
        deltas.extend(backend.solve(QUESTION, threading.Event()))

    try:
        with pytest.raises(StreamInterrupted, match=r"still answering after 0\.5 seconds"):
            read_all()
    finally:
        del model.generate
    assert "".join(deltas).startswith("more more ")
    assert told_to_stop.is_set()


def _scripted_generate(pieces: list[str], seen: dict[str, Any]) -> Any:
    """A generate that streams fixed text, as a real one would after stopping at a stop string."""

    def generate(**kwargs: Any) -> None:
        seen.update(kwargs)
        streamer = kwargs["streamer"]
        for piece in pieces:
            streamer.on_finalized_text(piece)
        streamer.end()

    return generate


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (
            ["Run it:\n```py", "thon\nprint(2)\n```\n``", "`output\n2"],
            "Run it:\n```python\nprint(2)\n```\n",
        ),
        (["no stop ``", "` here"], "no stop ``` here"),
        (["ends on a prefix ```out"], "ends on a prefix ```out"),
    ],
    ids=["cut-at-stop", "partial-match-released", "prefix-at-end"],
)
def test_stop_strings_end_the_text_and_are_not_yielded(
    solver: LocalTransformersBackend, pieces: list[str], expected: str
) -> None:
    """GIVEN stop strings WHEN the streamed text reaches one THEN it ends just before it."""
    list(solver.solve(QUESTION, threading.Event()))
    model = loaded_model(solver)
    seen: dict[str, Any] = {}
    model.generate = _scripted_generate(pieces, seen)
    try:
        text = "".join(solver.solve(QUESTION, threading.Event(), stop=["```output"]))
    finally:
        del model.generate
    assert text == expected
    assert seen["stop_strings"] == ["```output"]
    assert seen["tokenizer"] is seen["streamer"].tokenizer


def test_real_generate_honours_a_stop_string(solver: LocalTransformersBackend) -> None:
    """GIVEN greedy output X WHEN a piece of X is a stop string THEN the text ends before it."""
    full = "".join(solver.solve(QUESTION, threading.Event()))
    printable = [i for i in range(2, len(full) - 2) if full[i : i + 2].isalnum()]
    if not printable:
        pytest.skip(f"the tiny model's greedy text has no clean stop candidate: {full!r}")
    start = printable[0]
    stop = full[start : start + 2]
    text = "".join(solver.solve(QUESTION, threading.Event(), stop=[stop]))
    assert text == full[: full.index(stop)]


def test_stop_trimmer_holds_back_only_possible_matches() -> None:
    """GIVEN pieces WHEN fed THEN only text that cannot start a stop string is released."""
    trimmer = StopScanner(["```output", "STOP"])
    assert trimmer.feed("abc`") == "abc"
    assert trimmer.feed("`x") == "``x"
    assert trimmer.feed("ST") == ""
    assert trimmer.feed("OP tail") == ""
    assert trimmer.stopped
    assert trimmer.finish() == ""

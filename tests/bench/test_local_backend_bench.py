"""The local backend's overhead: tokens per second and the first token, against bare generate.

The same tiny random Qwen2 (solver) and Qwen2-VL (reader) folders are loaded twice: once by
the app's local backend (through the backend registry, as `qwen-math solve --backend local`
does) and once by plain `from_pretrained`. Runs alternate between the two; each generates
the same number of new tokens greedily (the tiny models never choose an end token), and the
texts must come out identical.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="needs the 'local' extra")
pytest.importorskip("transformers", reason="needs the 'local' extra")

from desktop_app.core.backends.registry import build_backends
from desktop_app.core.settings import LocalSettings, Settings
from tests.fakes.images import png_bytes
from tests.fakes.tiny_models import (
    ENDOFTEXT_ID,
    IM_END_ID,
    tiny_reader_dir,  # noqa: F401  (fixture)
    tiny_solver_dir,  # noqa: F401  (fixture)
)

pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]

NEW_TOKENS = 400
ROUNDS = 21
QUESTION = [{"role": "user", "content": "Solve x + 1 = 3 for x."}]
PROMPT = "Please describe the math-related content in this image."
PROBLEM_PNG = png_bytes(240, 60, text="x + 1 = 3", at=(10, 20))


def placement() -> tuple[str, Any]:
    """Where and in which precision the backend puts a model on this machine (device auto)."""
    import torch

    if torch.cuda.is_available():
        return "cuda", torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return "cpu", torch.float32


@pytest.fixture(scope="module", autouse=True)
def one_intra_op_thread() -> Iterator[None]:
    """Both paths compute with one PyTorch thread.

    On a shared two-core machine under load, two intra-op threads that spin-wait for each
    other made a run take anywhere from 0.6 to 15 s for the same 300 tokens, on either path;
    one thread gives stable figures. The backend's own overhead does not depend on it.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ours(tiny_reader_dir: Path, tiny_solver_dir: Path) -> Iterator[Any]:  # noqa: F811
    """The app's local backend for both stages, as the registry builds it."""
    settings = Settings(
        local=LocalSettings(
            reader_model=str(tiny_reader_dir),
            solver_model=str(tiny_solver_dir),
            device="auto",
            max_new_tokens=NEW_TOKENS,
        )
    )
    backend = build_backends(settings, backend="local", keep_warm=False).solver()
    yield backend
    backend.close()


class FirstToken:
    """A streamer for bare generate that only notes when the first new token arrives."""

    def __init__(self) -> None:
        self.at: float | None = None
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True  # generate hands the streamer the prompt first
        elif self.at is None:
            self.at = time.perf_counter()

    def end(self) -> None:
        pass


def bare(model: Any, inputs: dict[str, Any], tokenizer: Any) -> tuple[float, float, str]:
    """(seconds to the first token, seconds in all, text) of one bare greedy generate.

    It runs on a plain thread, as the backend runs it, so that only what the backend adds is
    measured, not where generate runs.
    """
    import torch

    streamer = FirstToken()
    out: list[Any] = []

    def generate() -> None:
        with torch.inference_mode():
            out.append(
                model.generate(
                    **inputs,
                    max_new_tokens=NEW_TOKENS,
                    do_sample=False,
                    eos_token_id=[ENDOFTEXT_ID, IM_END_ID],
                    pad_token_id=ENDOFTEXT_ID,
                    streamer=streamer,
                )
            )

    start = time.perf_counter()
    thread = threading.Thread(target=generate, name="bare-generate")
    thread.start()
    thread.join()
    total = time.perf_counter() - start
    new = out[0][0, inputs["input_ids"].shape[-1] :]
    assert len(new) == NEW_TOKENS
    assert streamer.at is not None
    return streamer.at - start, total, tokenizer.decode(new, skip_special_tokens=True)


def through_ours(call: Callable[[threading.Event], Iterator[str]]) -> tuple[float, float, str]:
    """(seconds to the first text, seconds in all, text) of one stream through our backend."""
    start = time.perf_counter()
    first, parts = None, []
    for delta in call(threading.Event()):
        if first is None:
            first = time.perf_counter()
        parts.append(delta)
    total = time.perf_counter() - start
    assert first is not None
    return first - start, total, "".join(parts)


def compare(
    name: str,
    run_bare: Callable[[], tuple[float, float, str]],
    run_ours: Callable[[], tuple[float, float, str]],
) -> float:
    """Interleaved pairs of runs; prints the figures, returns our tokens/s over bare tokens/s.

    The ratio is the median over pairs of bare time / our time: the two runs of a pair follow
    each other, so they see the same load on the shared machine, which drifts over seconds.
    """
    run_bare(), run_ours()  # warm-up: first-call allocations and caches
    pairs: list[tuple[tuple[float, float, str], tuple[float, float, str]]] = []
    for round_ in range(ROUNDS):
        if round_ % 2 == 0:
            bare_run = run_bare()
            pairs.append((bare_run, run_ours()))
        else:
            ours_run = run_ours()
            pairs.append((run_bare(), ours_run))
    texts = {run[2] for pair in pairs for run in pair}
    assert len(texts) == 1, "the two paths generated different text"
    bare_s = [b[1] for b, _ in pairs]
    ours_s = [o[1] for _, o in pairs]
    ratio = statistics.median(b[1] / o[1] for b, o in pairs)
    first_bare = statistics.median(b[0] for b, _ in pairs)
    first_ours = statistics.median(o[0] for _, o in pairs)
    print(
        f"\n{name}: {NEW_TOKENS} new tokens, {ROUNDS} interleaved pairs; tokens/s (medians) "
        f"bare {NEW_TOKENS / statistics.median(bare_s):.0f}, ours "
        f"{NEW_TOKENS / statistics.median(ours_s):.0f}; ours / bare {ratio:.3f} (median of the "
        f"pairs; of the medians {statistics.median(bare_s) / statistics.median(ours_s):.3f}, of "
        f"the fastest runs {min(bare_s) / min(ours_s):.3f}); first token bare "
        f"{first_bare * 1e3:.1f} ms, first text ours {first_ours * 1e3:.1f} ms "
        f"(+{(first_ours - first_bare) * 1e3:.1f} ms); runs ours/bare s: "
        + " ".join(f"{o:.3f}/{b:.3f}" for o, b in zip(ours_s, bare_s, strict=True))
    )
    return ratio


def test_solver_tokens_per_second_match_bare_generate(
    ours: Any,
    tiny_solver_dir: Path,  # noqa: F811
) -> None:
    """GIVEN the tiny Qwen2 solver WHEN it generates 400 tokens through our backend and through
    bare generate THEN our tokens per second are at least 0.95 of bare's."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device, dtype = placement()
    tokenizer = AutoTokenizer.from_pretrained(tiny_solver_dir)
    model = AutoModelForCausalLM.from_pretrained(
        tiny_solver_dir, dtype=dtype, attn_implementation="sdpa"
    ).to(device)
    model.eval()
    prompt = tokenizer.apply_chat_template(QUESTION, tokenize=False, add_generation_prompt=True)
    inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(device)
    ratio = compare(
        f"solver on {device}",
        lambda: bare(model, dict(inputs), tokenizer),
        lambda: through_ours(lambda cancel: ours.solve(QUESTION, cancel)),
    )
    assert ratio >= 0.95


def test_reader_tokens_per_second_match_bare_generate(
    ours: Any,
    tiny_reader_dir: Path,  # noqa: F811
) -> None:
    """GIVEN the tiny Qwen2-VL reader and a picture WHEN it generates 400 tokens through our
    backend and through bare generate THEN our tokens per second are at least 0.95 of bare's."""
    import io

    from PIL import Image
    from transformers import AutoProcessor, Qwen2VLForConditionalGeneration

    device, dtype = placement()
    min_pixels, max_pixels = ours.pixels  # the backend's resolution, so both see one image
    processor = AutoProcessor.from_pretrained(
        tiny_reader_dir, size={"shortest_edge": min_pixels, "longest_edge": max_pixels}
    )
    model = Qwen2VLForConditionalGeneration.from_pretrained(
        tiny_reader_dir, dtype=dtype, attn_implementation="sdpa"
    ).to(device)
    model.eval()
    messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": PROMPT}]}]
    chat = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    image = Image.open(io.BytesIO(PROBLEM_PNG)).convert("RGB")
    inputs = processor(text=[chat], images=[image], return_tensors="pt").to(device)
    ratio = compare(
        f"reader on {device} ({int(inputs['image_grid_thw'].prod())} image patches)",
        lambda: bare(model, dict(inputs), processor.tokenizer),
        lambda: through_ours(lambda cancel: ours.read(PROBLEM_PNG, PROMPT, cancel)),
    )
    assert ratio >= 0.95

"""Local backend: Qwen2(.5)-VL reads and Qwen2.5-Math solves on this computer, via Transformers.

Models load once (shared by path and device) and stay warm until `unload()`, `close()` or an
idle timer. One generation runs at a time, process-wide; a cancel stops `generate` itself.
torch and transformers are imported on first use, never at import time.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from desktop_app.core.backends.base import ChatMessage, FinishedCount, Role, Sampling
from desktop_app.core.backends.local import loading
from desktop_app.core.backends.local.catalogue import Progress, detect_vram, recommend_pair
from desktop_app.core.backends.local.loading import (
    CacheKey,
    Loaded,
    Placement,
    Source,
    choose_placement,
    require_extra,
    resolve_source,
)
from desktop_app.core.backends.local.streaming import LockTicket, stream_generation
from desktop_app.core.errors import (
    AppError,
    BackendError,
    ConfigError,
    ImageError,
    raise_if_cancelled,
)

PIXEL_UNIT = 28 * 28  # Qwen2-VL sees 28x28 pixel patches (14-pixel patches merged 2x2)
DEFAULT_MIN_PIXELS = 256 * PIXEL_UNIT
DEFAULT_MAX_PIXELS = 1280 * PIXEL_UNIT
_STOP_TOKENS = ("<|im_end|>", "<|endoftext|>")  # ids 151645 / 151643 in Qwen's vocabulary
_GENERATION_LOCK = threading.Lock()  # one generation at a time on this machine's accelerator


class LocalTransformersBackend:
    """Reader and solver running on the local GPU (or MPS, or the CPU) with Transformers."""

    def __init__(
        self,
        reader_model: str | None = None,
        solver_model: str | None = None,
        *,
        device: str = "auto",
        max_new_tokens: int = 2048,
        generation_timeout: float = 300.0,
        answer_deadline_s: float | None = None,
        idle_unload_s: float | None = 600.0,
        min_pixels: int = DEFAULT_MIN_PIXELS,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        allow_download: bool = False,
        on_warning: Callable[[str], None] | None = None,
        on_download_progress: Progress | None = None,
    ) -> None:
        """Models are folders or Hugging Face ids; None picks the pair recommended for the GPU."""
        require_extra()
        if max_new_tokens < 1:
            raise ConfigError("max_new_tokens must be at least 1.")
        if generation_timeout <= 0:
            raise ConfigError("The generation timeout must be positive.")
        if answer_deadline_s is not None and answer_deadline_s <= 0:
            raise ConfigError("The answer deadline must be positive.")
        if not PIXEL_UNIT <= min_pixels <= max_pixels:
            raise ConfigError("min_pixels must be at least 784 and at most max_pixels.")
        self.reader_model = reader_model
        self.solver_model = solver_model
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.generation_timeout = generation_timeout
        self.answer_deadline_s = answer_deadline_s
        self.idle_unload_s = idle_unload_s
        # Round to whole 28x28 patches, as Qwen's own resizing does.
        self.pixels = (
            max(1, round(min_pixels / PIXEL_UNIT)) * PIXEL_UNIT,
            max(1, round(max_pixels / PIXEL_UNIT)) * PIXEL_UNIT,
        )
        self.allow_download = allow_download
        self._warn = on_warning or (lambda message: None)
        self._on_download_progress = on_download_progress
        self._placement: Placement | None = None
        self._sources: dict[Role, Source] = {}
        self._keys: set[CacheKey] = set()
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        """Names the models and device, for logs."""
        return (
            f"LocalTransformersBackend(reader_model={self.reader_model!r}, "
            f"solver_model={self.solver_model!r}, device={self.device!r})"
        )

    def __enter__(self) -> LocalTransformersBackend:
        """Use as a context manager to unload and stop the idle timer on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the backend."""
        self.close()

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        """Yield the vision model's transcription of a PNG image as it streams."""

        def inputs(loaded: Loaded) -> dict[str, Any]:
            image = _decode_image(image_png)
            content = [{"type": "image"}, {"type": "text", "text": prompt}]
            messages = [{"role": "user", "content": content}]
            text = loaded.processor.apply_chat_template(
                messages, tokenize=False, add_generation_prompt=True
            )
            return dict(loaded.processor(text=[text], images=[image], return_tensors="pt"))

        yield from self._generate("reader", inputs, cancel, ())

    def solve(
        self,
        messages: list[ChatMessage],
        cancel: threading.Event,
        *,
        stop: Sequence[str] = (),
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Yield the math model's reply (or the continuation of a partial assistant turn)."""
        yield from self._generate("solver", self._chat_inputs(messages), cancel, stop, sampling)

    def solve_batch(
        self,
        messages: list[ChatMessage],
        n: int,
        cancel: threading.Event,
        *,
        sampling: Sampling,
        on_finished: FinishedCount | None = None,
    ) -> list[str | AppError]:
        """`n` sampled replies from one `generate` call (num_return_sequences), not streamed;
        `on_finished` hears how many have ended, from the generating thread."""
        from desktop_app.core.backends.local.batch import generate_batch

        if n < 1:
            raise ValueError("n must be at least 1")
        self._cancel_timer()
        while not _GENERATION_LOCK.acquire(timeout=0.05):
            raise_if_cancelled(cancel)
        try:
            raise_if_cancelled(cancel)
            loaded = self._loaded("solver", cancel)
            inputs = _to_device(self._chat_inputs(messages)(loaded), loaded.model)
            options = self._options(loaded, inputs, (), sampling)
            return generate_batch(
                loaded.model,
                loaded.tokenizer,
                {**inputs, **options},
                n,
                cancel,
                stop_ids=options["eos_token_id"],
                deadline=self.answer_deadline_s,
                on_finished=on_finished,
            )
        finally:
            _GENERATION_LOCK.release()
            self._arm_timer()

    def _chat_inputs(self, messages: list[ChatMessage]) -> Callable[[Loaded], dict[str, Any]]:
        """How to turn `messages` into the solver's input tensors, once it is loaded."""

        def inputs(loaded: Loaded) -> dict[str, Any]:
            chat = [{"role": m["role"], "content": m["content"]} for m in messages]
            partial = chat.pop()["content"] if chat and chat[-1]["role"] == "assistant" else ""
            try:
                prompt = loaded.tokenizer.apply_chat_template(
                    chat, tokenize=False, add_generation_prompt=True
                )
            except ValueError as exc:  # no chat template: a base model, not an -Instruct one
                raise ConfigError(
                    f"The model {self._sources['solver'].name} has no chat template; "
                    "use an -Instruct model."
                ) from exc
            return dict(
                loaded.tokenizer(prompt + partial, return_tensors="pt", add_special_tokens=False)
            )

        return inputs

    def unload(self) -> None:
        """Free this backend's models now (waits for a running generation to end)."""
        self._cancel_timer()
        with _GENERATION_LOCK:
            self._unload_models()

    def close(self) -> None:
        """Stop the idle timer and free the models; the backend loads them again if used."""
        self._closed = True
        self.unload()

    def _generate(
        self,
        role: Role,
        build_inputs: Callable[[Loaded], dict[str, Any]],
        cancel: threading.Event,
        stop: Sequence[str],
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Take the generation lock, load, and stream; the lock is free again on any exit."""
        self._cancel_timer()
        while not _GENERATION_LOCK.acquire(timeout=0.05):
            raise_if_cancelled(cancel)
        ticket = LockTicket(_GENERATION_LOCK, self._arm_timer)
        try:
            raise_if_cancelled(cancel)
            loaded = self._loaded(role, cancel)
            inputs = _to_device(build_inputs(loaded), loaded.model)
            options = self._options(loaded, inputs, stop, sampling)
            yield from stream_generation(
                loaded.model,
                loaded.tokenizer,
                {**inputs, **options},
                cancel,
                ticket,
                stop=stop,
                timeout=self.generation_timeout,
                deadline=self.answer_deadline_s,
            )
        finally:
            if not ticket.handed_to_thread:
                ticket.release()

    def _loaded(self, role: Role, cancel: threading.Event) -> Loaded:
        """The role's model, loaded on first use into the shared cache."""
        if self._placement is None:
            self._placement = choose_placement(self.device, self._warn)
        source = self._sources.get(role)
        if source is None:
            source = resolve_source(
                self._model_name(role),
                role,
                allow_download=self.allow_download,
                progress=self._on_download_progress,
                cancel=cancel,
            )
            self._sources[role] = source
        key = loading.cache_key(role, source, self._placement, self.pixels)
        self._keys.add(key)
        return loading.load(role, source, self._placement, self.pixels)

    def _model_name(self, role: Role) -> str:
        """The configured model, or the recommended one for this GPU's memory."""
        name = self.reader_model if role == "reader" else self.solver_model
        if name:
            return name
        reader, solver = recommend_pair(detect_vram())
        return reader if role == "reader" else solver

    def _options(
        self,
        loaded: Loaded,
        inputs: dict[str, Any],
        stop: Sequence[str],
        sampling: Sampling | None = None,
    ) -> dict[str, Any]:
        """Greedy decoding (as Qwen's published scores use) unless `sampling` is given,
        bounded by the model's context."""
        prompt_tokens = int(inputs["input_ids"].shape[-1])
        config = getattr(loaded.model.config, "text_config", None) or loaded.model.config
        context = int(getattr(config, "max_position_embeddings", 0) or 0)
        room = context - prompt_tokens if context else self.max_new_tokens
        if room < 1:
            raise BackendError(
                f"The problem is too long for the model's {context}-token context; "
                "shorten it or start a new conversation."
            )
        eos = _stop_token_ids(loaded.tokenizer, loaded.model)
        options: dict[str, Any] = {
            "max_new_tokens": min(self.max_new_tokens, room),
            "do_sample": False,
            "temperature": None,
            "top_p": None,
            "top_k": None,
            "eos_token_id": eos,
            "pad_token_id": _pad_token_id(loaded.tokenizer, eos),
        }
        if sampling is not None:  # top_k stays off: the recipe is temperature and top_p
            options.update(do_sample=True, temperature=sampling.temperature, top_p=sampling.top_p)
        if stop:
            options.update(stop_strings=list(stop), tokenizer=loaded.tokenizer)
        return options

    def _arm_timer(self) -> None:
        """(Re)start the idle-unload countdown after a generation ends."""
        if self.idle_unload_s is None or self._closed:
            return
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.idle_unload_s, self._on_idle)
            self._timer.name = "local-model-idle-unload"
            self._timer.daemon = True
            self._timer.start()

    def _cancel_timer(self) -> None:
        with self._timer_lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            if timer is not threading.current_thread():
                timer.join()

    def _on_idle(self) -> None:
        """Unload after the idle delay, unless a generation has started meanwhile."""
        if not _GENERATION_LOCK.acquire(blocking=False):
            return  # busy: the running generation re-arms the timer when it ends
        try:
            self._unload_models()
        finally:
            _GENERATION_LOCK.release()

    def _unload_models(self) -> None:
        keys, self._keys = self._keys, set()
        if keys:
            loading.unload(keys)


def _decode_image(image_png: bytes) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(image_png)) as image:
            return image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError("The image could not be decoded.") from exc


def _to_device(inputs: dict[str, Any], model: Any) -> dict[str, Any]:
    """Move the input tensors to the model's device."""
    device = model.device
    return {k: v.to(device) if hasattr(v, "to") else v for k, v in inputs.items()}


def _stop_token_ids(tokenizer: Any, model: Any) -> list[int]:
    """<|im_end|> and <|endoftext|> (151645 / 151643 in Qwen), plus the model's own eos ids."""
    ids: set[int] = set()
    unknown = getattr(tokenizer, "unk_token_id", None)
    for token in _STOP_TOKENS:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != unknown:
            ids.add(token_id)
    for extra in (tokenizer.eos_token_id, model.generation_config.eos_token_id):
        if isinstance(extra, int):
            ids.add(extra)
        elif isinstance(extra, list):
            ids.update(i for i in extra if isinstance(i, int))
    return sorted(ids)


def _pad_token_id(tokenizer: Any, eos: list[int]) -> int | None:
    pad = tokenizer.pad_token_id
    return pad if isinstance(pad, int) else (eos[0] if eos else None)

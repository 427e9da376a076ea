"""Finding, placing, loading and caching local models; torch/transformers imported on use."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.backends.base import Role
from desktop_app.core.backends.local.catalogue import (
    MISSING_EXTRA,
    ModelInfo,
    Progress,
    cached_snapshot,
    download_model,
    is_hub_id,
    validate_model_folder,
)
from desktop_app.core.errors import BackendError, ConfigError, one_line
from desktop_app.core.heavy_imports import import_heavy

CPU_WARNING = (
    "No GPU is available to PyTorch, so the local models run on the CPU: expect minutes per "
    "answer (an NVIDIA GPU with CUDA or Apple Silicon is much faster)."
)
_REQUIRED = ("torch", "transformers", "huggingface_hub")
_READER_CLASSES = {
    "qwen2_vl": "Qwen2VLForConditionalGeneration",
    "qwen2_5_vl": "Qwen2_5_VLForConditionalGeneration",
}


def require_extra() -> None:
    """Raise ConfigError unless the 'local' extra is installed (without importing it)."""
    for name in _REQUIRED:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            raise ConfigError(MISSING_EXTRA)


def import_lib(name: str) -> Any:
    """Import a heavy optional library, turning its absence into the missing-extra sentence."""
    try:
        return import_heavy(name)
    except ImportError as exc:
        raise ConfigError(MISSING_EXTRA) from exc


@dataclass(frozen=True)
class Placement:
    """Where the models run and in which precision."""

    device: str
    dtype: str  # an attribute name of torch: bfloat16, float16, float32


def choose_placement(device: str, warn: Callable[[str], None]) -> Placement:
    """CUDA in bf16 (fp16 without bf16 support), else Apple MPS in fp16, else CPU in fp32."""
    torch = import_lib("torch")
    mps = getattr(torch.backends, "mps", None)
    has_mps = bool(mps is not None and mps.is_available())
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError("The device is set to CUDA, but PyTorch sees no CUDA GPU.")
        return Placement(device, "bfloat16" if torch.cuda.is_bf16_supported() else "float16")
    if device == "mps":
        if not has_mps:
            raise ConfigError("The device is set to mps, but PyTorch sees no Apple GPU.")
        return Placement(device, "float16")
    if device != "cpu":
        raise ConfigError(f"Unknown device {device!r}: use auto, cuda, cuda:N, mps or cpu.")
    warn(CPU_WARNING)
    return Placement("cpu", "float32")  # bf16 matmuls are slow on most CPUs


@dataclass(frozen=True)
class Source:
    """A model the user named, found on this computer."""

    name: str
    info: ModelInfo


def resolve_source(
    name: str,
    role: Role,
    *,
    allow_download: bool,
    progress: Progress | None,
    cancel: threading.Event,
) -> Source:
    """A folder is used as is; a hub id comes from the Hugging Face cache (or is downloaded)."""
    path = Path(name).expanduser()
    if path.is_dir() or not is_hub_id(name):
        return Source(name, validate_model_folder(path, role))
    snapshot = cached_snapshot(name)
    if snapshot is None:
        if not allow_download:
            raise ConfigError(
                f"The model {name} is not on this computer yet: download it from the app's "
                "settings, or give the folder that holds it."
            )
        snapshot = download_model(name, progress=progress, cancel=cancel)
    return Source(name, validate_model_folder(snapshot, role))


@dataclass
class Loaded:
    """A model ready to generate, with its tokenizer (and the reader's processor)."""

    model: Any
    tokenizer: Any
    processor: Any = None


CacheKey = tuple[str, str, str, str, int, int]
_CACHE: dict[CacheKey, Loaded] = {}
_CACHE_LOCK = threading.Lock()  # held while loading, so one model is never loaded twice


def cache_key(
    role: Role, source: Source, placement: Placement, pixels: tuple[int, int]
) -> CacheKey:
    """Models are shared by every backend that names the same folder on the same device."""
    return (role, str(source.info.path.resolve()), placement.device, placement.dtype, *pixels)


def load(role: Role, source: Source, placement: Placement, pixels: tuple[int, int]) -> Loaded:
    """The cached model for this key, loading it (from local files only) on first use."""
    key = cache_key(role, source, placement, pixels)
    with _CACHE_LOCK:
        loaded = _CACHE.get(key)
        if loaded is None:
            loaded = _load(role, source, placement, pixels)
            _CACHE[key] = loaded
        return loaded


def unload(keys: set[CacheKey] | None = None) -> None:
    """Drop cached models (all when `keys` is None) and give their memory back."""
    with _CACHE_LOCK:
        for key in list(_CACHE) if keys is None else keys:
            _CACHE.pop(key, None)
    gc.collect()
    torch: Any = import_heavy("torch") if importlib.util.find_spec("torch") else None
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def cached_keys() -> set[CacheKey]:
    """Keys of the models loaded now (tests and diagnostics)."""
    with _CACHE_LOCK:
        return set(_CACHE)


def _load(role: Role, source: Source, placement: Placement, pixels: tuple[int, int]) -> Loaded:
    torch = import_lib("torch")
    transformers = import_lib("transformers")
    path = str(source.info.path)
    kwargs: dict[str, Any] = {
        "local_files_only": True,  # the folder is on disk: never ask the network
        "attn_implementation": "sdpa",
        _dtype_keyword(transformers.__version__): getattr(torch, placement.dtype),
    }
    if placement.device != "cpu":
        kwargs["device_map"] = {"": placement.device}  # load straight onto the GPU
    try:
        if role == "solver":
            tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
            processor = None
            model_class = transformers.AutoModelForCausalLM
        else:
            min_pixels, max_pixels = pixels
            processor = transformers.AutoProcessor.from_pretrained(
                path,
                local_files_only=True,
                size={"shortest_edge": min_pixels, "longest_edge": max_pixels},
            )
            tokenizer = processor.tokenizer
            model_class = getattr(
                transformers,
                _READER_CLASSES.get(source.info.model_type, ""),
                transformers.AutoModelForImageTextToText,
            )
        model = model_class.from_pretrained(path, **kwargs)
    except ImportError as exc:
        raise ConfigError(MISSING_EXTRA) from exc
    except Exception as exc:
        if type(exc).__name__ == "OutOfMemoryError":
            needed = source.info.vram_bytes / 1024**3
            raise BackendError(
                f"Not enough GPU memory to load {source.name} (about {needed:.0f} GB needed); "
                "choose a smaller model."
            ) from exc
        raise ConfigError(
            f"The model {source.name} could not be loaded ({type(exc).__name__}: {short(exc)})."
        ) from exc
    model.eval()
    return Loaded(model, tokenizer, processor)


def _dtype_keyword(version: str) -> str:
    """transformers 4.56 renamed from_pretrained's `torch_dtype` to `dtype`."""
    match = re.match(r"(\d+)\.(\d+)", version)
    major, minor = (int(match.group(1)), int(match.group(2))) if match else (5, 0)
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def short(exc: BaseException) -> str:
    """An exception's message on one line, trimmed and without a trailing period."""
    return one_line(str(exc), 160) or "no details"

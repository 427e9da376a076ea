"""Local model folders: validation, size and GPU-memory estimates, recommendations, downloads.

Nothing here imports torch or transformers at module level; `detect_vram` and
`download_model` import what they need when called.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core.backends.base import Role
from desktop_app.core.errors import BackendError, Cancelled, ConfigError, raise_if_cancelled
from desktop_app.core.heavy_imports import import_heavy

MISSING_EXTRA = (
    "The local backend needs the optional 'local' extra: run `uv run --extra local qwen-math` "
    "(or install qwen-math-desktop[local])."
)
SUPPORTED_TYPES: dict[Role, frozenset[str]] = {
    "reader": frozenset({"qwen2_vl", "qwen2_5_vl"}),
    "solver": frozenset({"qwen2", "qwen3"}),
}
_ROLE_HINT: dict[Role, str] = {
    "reader": "use a Qwen2-VL or Qwen2.5-VL model",
    "solver": "use a Qwen2.5-Math-Instruct (Qwen2) model",
}
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
GIB = 1024**3

# The recommended models (all Apache-2.0), their parameter counts (billions) and MATH CoT scores
# where published; see docs/adr/005-local-backend.md.
KNOWN_MODELS: dict[str, float] = {
    "Qwen/Qwen2.5-VL-7B-Instruct": 8.29,
    "Qwen/Qwen2-VL-7B-Instruct": 8.29,
    "Qwen/Qwen2-VL-2B-Instruct": 2.21,
    "Qwen/Qwen2.5-Math-7B-Instruct": 7.62,
    "Qwen/Qwen2.5-Math-1.5B-Instruct": 1.54,
}
# Best first: the solver's quality matters most (MATH 83.6 for 7B vs 75.8 for 1.5B), then the
# reader's. Both models stay loaded, so a pair must fit together.
_PAIRS: list[tuple[str, str]] = [
    ("Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen2.5-Math-7B-Instruct"),
    ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2.5-Math-7B-Instruct"),
    ("Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen2.5-Math-1.5B-Instruct"),
    ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2.5-Math-1.5B-Instruct"),
]
SMALLEST_PAIR = _PAIRS[-1]
_ACTIVATION_BYTES = int(0.75 * GIB)  # KV cache at 4K tokens, image activations, workspace
_CUDA_CONTEXT_BYTES = int(0.5 * GIB)
_USABLE_FRACTION = 0.95  # leave room for the desktop and other programs on the GPU


@dataclass(frozen=True)
class ModelInfo:
    """What a validated model folder holds."""

    path: Path
    model_type: str
    params: int
    disk_bytes: int

    @property
    def vram_bytes(self) -> int:
        """Estimated GPU memory to run it in bf16."""
        return estimate_vram_bytes(self.params)


def is_hub_id(name: str) -> bool:
    """Whether `name` looks like a Hugging Face repo id ("Qwen/Qwen2-VL-2B-Instruct")."""
    return bool(_HUB_ID.match(name)) and not Path(name).expanduser().exists()


def validate_model_folder(folder: str | Path, role: Role) -> ModelInfo:
    """Check that `folder` holds a usable model for `role`; raise ConfigError saying why not."""
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise ConfigError(f"The model folder {path} does not exist.")

    def unusable(reason: str) -> ConfigError:
        return ConfigError(f"The folder {path} is not a usable model: {reason}.")

    config_file = path / "config.json"
    if not config_file.is_file():
        raise unusable("no config.json")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise unusable("config.json is not valid JSON") from None
    if not isinstance(config, dict):
        raise unusable("config.json is not a JSON object")
    model_type = str(config.get("model_type", ""))
    if model_type not in SUPPORTED_TYPES[role]:
        shown = model_type or "missing"
        raise unusable(f"its model type ({shown}) cannot be the {role}; {_ROLE_HINT[role]}")
    _check_weights(path, unusable)
    if not ((path / "tokenizer.json").is_file() or (path / "vocab.json").is_file()):
        raise unusable("no tokenizer files (tokenizer.json or vocab.json)")
    has_image_config = any(
        (path / name).is_file() for name in ("preprocessor_config.json", "processor_config.json")
    )
    if role == "reader" and not has_image_config:
        raise unusable("no preprocessor_config.json (the image processor settings)")
    return ModelInfo(path, model_type, count_params(path, config), disk_size(path))


def _check_weights(path: Path, unusable: Callable[[str], ConfigError]) -> None:
    """Weights present, and every shard an index lists is there (a partial download is not)."""
    for index_name in ("model.safetensors.index.json", "pytorch_model.bin.index.json"):
        index_file = path / index_name
        if index_file.is_file():
            try:
                shards = set(
                    json.loads(index_file.read_text(encoding="utf-8"))["weight_map"].values()
                )
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                raise unusable(f"{index_name} is not valid") from None
            missing = sorted(s for s in shards if not (path / s).is_file())
            if missing:
                raise unusable(f"the weight file {missing[0]} is missing (incomplete download?)")
            return
    if not (any(path.glob("*.safetensors")) or any(path.glob("*.bin"))):
        raise unusable("no weights (*.safetensors or *.bin files)")


def disk_size(folder: Path) -> int:
    """Bytes the folder's files take (following the Hugging Face cache's symlinks)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def count_params(folder: Path, config: dict[str, Any] | None = None) -> int:
    """Parameter count from the safetensors headers, else estimated from config.json."""
    total = 0
    for file in sorted(folder.glob("*.safetensors")):
        try:
            with file.open("rb") as handle:
                (length,) = struct.unpack("<Q", handle.read(8))
                header = json.loads(handle.read(length))
        except (OSError, struct.error, ValueError):
            total = 0
            break
        for name, tensor in header.items():
            if name != "__metadata__":
                count = 1
                for dim in tensor["shape"]:
                    count *= int(dim)
                total += count
    if total:
        return total
    if config is None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return estimate_params(config)


def estimate_params(config: dict[str, Any]) -> int:
    """Parameters of a Qwen2-style decoder (plus a VL vision tower) from its config."""
    text = config.get("text_config") or config
    hidden = int(text.get("hidden_size", 0))
    layers = int(text.get("num_hidden_layers", 0))
    vocab = int(text.get("vocab_size", 0))
    inter = int(text.get("intermediate_size") or 4 * hidden)
    heads = int(text.get("num_attention_heads", 1)) or 1
    kv_heads = int(text.get("num_key_value_heads") or heads)
    head_dim = int(text.get("head_dim") or hidden // heads)
    attn = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    per_layer = attn + 3 * hidden * inter + 2 * hidden
    tied = bool(config.get("tie_word_embeddings", text.get("tie_word_embeddings", False)))
    total = layers * per_layer + vocab * hidden * (1 if tied else 2)
    vision = config.get("vision_config")
    if isinstance(vision, dict):
        dim = int(vision.get("embed_dim") or vision.get("hidden_size") or 0)
        depth = int(vision.get("depth") or 0)
        mlp = int(vision.get("intermediate_size") or dim * int(vision.get("mlp_ratio") or 4))
        total += depth * (4 * dim * dim + 2 * dim * mlp)
    return total


def estimate_vram_bytes(params: int) -> int:
    """GPU memory to run a model: bf16 weights plus KV cache and activations."""
    return 2 * params + _ACTIVATION_BYTES


def pair_vram_bytes(reader_id: str, solver_id: str) -> int:
    """GPU memory to keep a known reader and solver loaded together."""
    params = [int(KNOWN_MODELS[m] * 1e9) for m in (reader_id, solver_id)]
    return sum(estimate_vram_bytes(p) for p in params) + _CUDA_CONTEXT_BYTES


def recommend_pair(vram_gb: float | None) -> tuple[str, str]:
    """The best (reader, solver) hub ids that fit together in `vram_gb`; the smallest if none."""
    if vram_gb is None:
        return SMALLEST_PAIR
    budget = vram_gb * GIB * _USABLE_FRACTION
    for reader, solver in _PAIRS:
        if pair_vram_bytes(reader, solver) <= budget:
            return reader, solver
    return SMALLEST_PAIR


def detect_vram() -> float | None:
    """Total memory of the first CUDA GPU in GiB, or None (no torch, no CUDA, or Apple MPS)."""
    if importlib.util.find_spec("torch") is None:
        return None
    torch: Any = import_heavy("torch")
    if not torch.cuda.is_available():
        return None
    return float(torch.cuda.get_device_properties(0).total_memory) / GIB


def cached_snapshot(repo_id: str) -> Path | None:
    """The folder of `repo_id` in the Hugging Face cache, without touching the network."""
    hub: Any = importlib.import_module("huggingface_hub")
    try:
        return Path(hub.snapshot_download(repo_id, local_files_only=True))
    except Exception:  # not cached (LocalEntryNotFoundError), or an unreadable cache
        return None


Progress = Callable[[int, int], None]  # (bytes done, bytes total)

_ALLOW_PATTERNS = ["*.json", "*.safetensors", "*.txt", "*.jinja", "*.model", "*.py", "*.md"]


def download_model(
    repo_id: str,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """Download `repo_id` from the Hugging Face Hub into its cache; return the snapshot folder."""
    try:
        hub: Any = importlib.import_module("huggingface_hub")
        errors: Any = importlib.import_module("huggingface_hub.errors")
        tqdm_base: Any = importlib.import_module("tqdm").tqdm
    except ImportError:
        raise ConfigError(MISSING_EXTRA) from None
    event = cancel or threading.Event()

    class _Progress(tqdm_base):  # type: ignore[misc]  # huggingface_hub reports through it
        """A silent bar that forwards byte counts to `progress` and stops the download on cancel."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True
            # The per-file byte bars are reported twice (transfer and reconstruction); keep one.
            self._reports = kwargs.get("unit") == "B" and not str(
                kwargs.get("desc", "")
            ).startswith("Downloading bytes")
            self._done = int(kwargs.get("initial") or 0)
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            raise_if_cancelled(event)
            self._done += int(n or 0)
            if self._reports and progress is not None:
                progress(self._done, int(self.total or 0))
            return None

    try:
        path = hub.snapshot_download(
            repo_id,
            cache_dir=cache_dir,
            allow_patterns=_ALLOW_PATTERNS,
            tqdm_class=_Progress,
        )
    except Cancelled:
        raise
    except (errors.OfflineModeIsEnabled, errors.LocalEntryNotFoundError):
        raise_if_cancelled(event)
        raise ConfigError(
            f"Cannot download {repo_id}: Hugging Face Hub access is switched off "
            "(HF_HUB_OFFLINE=1) or unreachable, and the model is not in the local cache."
        ) from None
    except (errors.RepositoryNotFoundError, errors.GatedRepoError):
        raise ConfigError(f"There is no public model named {repo_id} on Hugging Face.") from None
    except Exception as exc:
        raise_if_cancelled(event)
        raise BackendError(
            f"Downloading {repo_id} failed ({type(exc).__name__}); check the network and retry."
        ) from exc
    raise_if_cancelled(event)
    return Path(path)

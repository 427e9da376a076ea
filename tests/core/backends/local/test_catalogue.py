"""Local model folders: validation sentences, size and memory estimates, recommendations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.backends.local.catalogue import (
    SMALLEST_PAIR,
    count_params,
    estimate_params,
    estimate_vram_bytes,
    pair_vram_bytes,
    recommend_pair,
    validate_model_folder,
)
from desktop_app.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[4]


def _folder(tmp_path: Path, model_type: str = "qwen2", **files: str) -> Path:
    """A fake model folder: config, one weights file, a tokenizer, plus `files`."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": model_type}))
    (folder / "model.safetensors").write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")
    for name, text in files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


Breaker = Callable[[Path], None]


def _remove(name: str) -> Breaker:
    return lambda folder: (folder / name).unlink()


def _write(name: str, text: str) -> Breaker:
    return lambda folder: (folder / name).write_text(text)


def _index_listing_a_missing_shard(folder: Path) -> None:
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors"}}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index))


@pytest.mark.parametrize(
    ("role", "breaker", "reason"),
    [
        ("solver", _remove("config.json"), "no config.json"),
        ("solver", _write("config.json", "{not json"), "config.json is not valid JSON"),
        (
            "solver",
            _write("config.json", '{"model_type": "llama"}'),
            r"its model type \(llama\) cannot be the solver; use a Qwen2.5-Math",
        ),
        (
            "reader",
            lambda folder: None,
            r"its model type \(qwen2\) cannot be the reader; use a Qwen2-VL",
        ),
        ("solver", _remove("model.safetensors"), r"no weights \(\*\.safetensors or \*\.bin"),
        ("solver", _index_listing_a_missing_shard, "model-00001-of-00002.safetensors is missing"),
        ("solver", _remove("tokenizer.json"), "no tokenizer files"),
    ],
    ids=["no-config", "bad-json", "wrong-type", "text-model-as-reader", "no-weights",
         "missing-shard", "no-tokenizer"],
)  # fmt: skip
def test_unusable_folders_say_why_in_one_sentence(
    tmp_path: Path, role: str, breaker: Breaker, reason: str
) -> None:
    """GIVEN a broken model folder WHEN validated THEN ConfigError names the folder and reason."""
    folder = _folder(tmp_path)
    breaker(folder)
    with pytest.raises(ConfigError, match=reason) as caught:
        validate_model_folder(folder, role)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"The folder {folder} is not a usable model: ")
    assert message.endswith(".")


def test_a_reader_needs_its_image_processor_settings(tmp_path: Path) -> None:
    """GIVEN a Qwen2-VL folder without preprocessor_config.json THEN it is refused."""
    folder = _folder(tmp_path, "qwen2_vl")
    with pytest.raises(ConfigError, match=r"no preprocessor_config\.json"):
        validate_model_folder(folder, "reader")
    (folder / "preprocessor_config.json").write_text("{}")
    assert validate_model_folder(folder, "reader").model_type == "qwen2_vl"


def test_missing_folder(tmp_path: Path) -> None:
    """GIVEN a path that does not exist THEN the sentence says so."""
    with pytest.raises(ConfigError, match="does not exist"):
        validate_model_folder(tmp_path / "nowhere", "solver")


def test_params_come_from_safetensors_headers(tmp_path: Path) -> None:
    """GIVEN safetensors files THEN the parameter count is read from their headers exactly."""
    folder = tmp_path / "m"
    folder.mkdir()
    for name, shapes in {"a.safetensors": [[10, 20], [5]], "b.safetensors": [[3, 3, 3]]}.items():
        header = {f"t{i}": {"dtype": "BF16", "shape": s, "data_offsets": [0, 0]}
                  for i, s in enumerate(shapes)}  # fmt: skip
        raw = json.dumps(header).encode()
        (folder / name).write_bytes(len(raw).to_bytes(8, "little") + raw)
    assert count_params(folder, {}) == 200 + 5 + 27


def test_config_estimate_matches_qwen25_math_7b() -> None:
    """GIVEN Qwen2.5-Math-7B's published config THEN the estimate is near its 7.6B parameters."""
    config = {
        "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
        "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064,
        "tie_word_embeddings": False,
    }  # fmt: skip
    assert estimate_params(config) == pytest.approx(7.62e9, rel=0.02)
    assert estimate_vram_bytes(estimate_params(config)) / 1024**3 == pytest.approx(15, abs=1.5)


def test_tiny_folders_validate(tmp_path_factory: pytest.TempPathFactory) -> None:
    """GIVEN the test fixtures' tiny models THEN they validate, with exact parameter counts."""
    pytest.importorskip("torch")
    from tests.fakes.tiny_models import build_reader, build_solver

    solver = validate_model_folder(build_solver(tmp_path_factory.mktemp("s")), "solver")
    reader = validate_model_folder(build_reader(tmp_path_factory.mktemp("r")), "reader")
    assert (solver.model_type, reader.model_type) == ("qwen2", "qwen2_vl")
    config = json.loads((solver.path / "config.json").read_text())
    assert solver.params == pytest.approx(estimate_params(config), rel=0.05)
    assert solver.disk_bytes > solver.params * 4  # float32 weights on disk
    assert reader.vram_bytes > 2 * reader.params


@pytest.mark.parametrize(
    ("vram_gb", "pair"),
    [
        (80, ("Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen2.5-Math-7B-Instruct")),
        (40, ("Qwen/Qwen2.5-VL-7B-Instruct", "Qwen/Qwen2.5-Math-7B-Instruct")),
        (24, ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2.5-Math-7B-Instruct")),
        (16, ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2.5-Math-1.5B-Instruct")),
        (12, ("Qwen/Qwen2-VL-2B-Instruct", "Qwen/Qwen2.5-Math-1.5B-Instruct")),
        (4, SMALLEST_PAIR),
        (None, SMALLEST_PAIR),
    ],
)
def test_recommended_pairs(vram_gb: float | None, pair: tuple[str, str]) -> None:
    """GIVEN GPU memory THEN the best pair that fits together is recommended."""
    assert recommend_pair(vram_gb) == pair
    if vram_gb and pair != SMALLEST_PAIR:
        assert pair_vram_bytes(*pair) <= vram_gb * 1024**3


def test_download_offline_fails_with_one_sentence(tmp_path: Path) -> None:
    """GIVEN HF_HUB_OFFLINE=1 and an empty cache WHEN downloading THEN a ConfigError sentence."""
    pytest.importorskip("huggingface_hub")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    code = (
        "from desktop_app.core.backends.local.catalogue import download_model\n"
        "from desktop_app.core.errors import ConfigError\n"
        "try:\n    download_model('Qwen/Qwen2.5-Math-1.5B-Instruct')\n"
        "except ConfigError as e:\n    print('CONFIG', e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("CONFIG Cannot download Qwen/Qwen2.5-Math-1.5B-Instruct: "), (
        result.stdout + result.stderr
    )
    assert "HF_HUB_OFFLINE=1" in result.stdout
    assert "Traceback" not in result.stderr
    shutil.rmtree(tmp_path / "hf", ignore_errors=True)

"""Loading local models as users load theirs: shared, kept warm, unloaded, offline, and the
sentences for a wrong model, device or missing extra."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch", reason="the local backend's tests need the 'local' extra")
pytest.importorskip("transformers", reason="the local backend's tests need the 'local' extra")

from desktop_app.core.backends.local import loading
from desktop_app.core.backends.local.backend import LocalTransformersBackend
from desktop_app.core.errors import ConfigError
from tests.core.backends.local.conftest import (
    PROBLEM_PNG,
    QUESTION,
    ROOT,
    loaded_model,
    our_threads,
)
from tests.fakes.tiny_models import (
    tiny_reader_dir,  # noqa: F401  (fixture)
    tiny_solver_dir,  # noqa: F401  (fixture)
)


def test_models_are_shared_kept_warm_and_unloaded(make_backend: Any) -> None:
    """GIVEN two backends on one folder THEN one model is loaded, and unload() frees it."""
    first, second = make_backend(), make_backend()
    list(first.solve(QUESTION, threading.Event()))
    list(second.solve(QUESTION, threading.Event()))
    assert loaded_model(first) is loaded_model(second)
    (key,) = first._keys
    first.unload()
    assert key not in loading.cached_keys()


def test_idle_timer_unloads_and_ends(make_backend: Any) -> None:
    """GIVEN an idle delay WHEN it passes after a generation THEN the model is unloaded."""
    backend = make_backend(idle_unload_s=0.2)
    list(backend.solve(QUESTION, threading.Event()))
    (key,) = backend._keys
    deadline = time.monotonic() + 3
    while key in loading.cached_keys() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert key not in loading.cached_keys()


def test_close_cancels_a_pending_idle_timer(make_backend: Any) -> None:
    """GIVEN a long idle delay WHEN the backend closes THEN its timer thread is gone."""
    backend = make_backend(idle_unload_s=600)
    list(backend.solve(QUESTION, threading.Event()))
    assert any(t.name == "local-model-idle-unload" for t in our_threads())
    backend.close()
    assert not our_threads()


def test_local_folders_never_touch_the_network(
    tiny_solver_dir: Path,  # noqa: F811
    tiny_reader_dir: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN no network at all WHEN loading and running both tiny models THEN all works."""
    loading.unload()  # load from disk again, under the ban

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("network access attempted in an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    backend = LocalTransformersBackend(
        str(tiny_reader_dir),
        str(tiny_solver_dir),
        device="cpu",
        max_new_tokens=4,
        idle_unload_s=None,
        min_pixels=4 * 28 * 28,
        max_pixels=16 * 28 * 28,
    )
    assert list(backend.read(PROBLEM_PNG, "Describe.", threading.Event()))
    assert list(backend.solve(QUESTION, threading.Event()))


def test_wrong_kind_of_model_is_a_config_error(tiny_reader_dir: Path) -> None:  # noqa: F811
    """GIVEN a vision model as the solver THEN one sentence says why it cannot be used."""
    backend = LocalTransformersBackend(None, str(tiny_reader_dir), device="cpu", idle_unload_s=None)
    with pytest.raises(ConfigError, match=r"model type \(qwen2_vl\) cannot be the solver"):
        list(backend.solve(QUESTION, threading.Event()))


def test_a_hub_id_not_downloaded_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a hub id absent from the cache and downloads off THEN ConfigError, no network."""
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("network"))
    backend = LocalTransformersBackend(
        None, "qwen-math-tests/absent-model", device="cpu", idle_unload_s=None
    )
    with pytest.raises(ConfigError, match="is not on this computer yet"):
        list(backend.solve(QUESTION, threading.Event()))


def test_unknown_device_is_a_config_error(tiny_solver_dir: Path) -> None:  # noqa: F811
    """GIVEN a device that does not exist THEN ConfigError names the choices."""
    backend = LocalTransformersBackend(None, str(tiny_solver_dir), device="tpu", idle_unload_s=None)
    with pytest.raises(ConfigError, match="Unknown device 'tpu'"):
        list(backend.solve(QUESTION, threading.Event()))


def test_missing_extra_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN torch not installed WHEN constructing THEN the sentence names the 'local' extra."""
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ConfigError, match=r"needs the optional 'local' extra: run `uv run --extra"):
        LocalTransformersBackend("a/b", "c/d")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_missing_extra_in_a_fresh_process() -> None:
    """GIVEN a process where importing torch fails THEN constructing raises the extra's sentence."""
    result = _python(
        "import sys; sys.modules['torch'] = None\n"
        "from desktop_app.core.backends.local.backend import LocalTransformersBackend\n"
        "from desktop_app.core.errors import ConfigError\n"
        "try:\n    LocalTransformersBackend(None, None)\n"
        "except ConfigError as e:\n    print(e)\n"
    )
    assert "needs the optional 'local' extra" in result.stdout, result.stderr


def test_importing_the_backend_imports_no_heavy_library() -> None:
    """GIVEN a fresh process WHEN the local modules are imported THEN torch etc. are not."""
    result = _python(
        "import sys\n"
        "import desktop_app.core.backends.local.backend\n"
        "print(sorted(m for m in ('torch', 'transformers', 'huggingface_hub', 'tokenizers')"
        " if m in sys.modules))\n"
    )
    assert result.stdout.strip() == "[]", result.stderr

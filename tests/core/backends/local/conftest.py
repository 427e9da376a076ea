"""Shared by the local backend's tests: tiny model folders, a warm CPU backend, thread checks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.backends.local import backend as lt
from desktop_app.core.backends.local import loading
from desktop_app.core.backends.local.backend import LocalTransformersBackend
from tests.fakes.images import png_bytes
from tests.fakes.tiny_models import (
    tiny_reader_dir,  # noqa: F401  (fixture)
    tiny_solver_dir,  # noqa: F401  (fixture)
)
from tests.threads import wait_threads_gone

ROOT = Path(__file__).resolve().parents[4]
QUESTION = [{"role": "user", "content": "Solve x + 1 = 3 for x."}]
PROBLEM_PNG = png_bytes(84, 56, text="x+1=3", at=(4, 20))  # a small picture of an equation
_OUR_THREADS = ("local-generate", "local-model-idle-unload")


def our_threads() -> list[threading.Thread]:
    """The backend's generate threads and idle timers still running."""
    return [t for t in threading.enumerate() if t.name.startswith(_OUR_THREADS) and t.is_alive()]


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Every test ends with no generate thread or idle timer running and the lock free."""
    yield
    assert not wait_threads_gone(our_threads), "a generate thread or idle timer was left running"
    assert not lt._GENERATION_LOCK.locked()


@pytest.fixture(scope="module")
def warnings() -> list[str]:
    """Sentences the shared backend passed to on_warning."""
    return []


@pytest.fixture(scope="module")
def shared_solver(
    tiny_solver_dir: Path,  # noqa: F811
    warnings: list[str],
) -> Iterator[LocalTransformersBackend]:
    """One CPU backend on the tiny Qwen2 folder, kept warm for the module (unloading is slow)."""
    with LocalTransformersBackend(
        None, str(tiny_solver_dir), device="cpu", idle_unload_s=None, on_warning=warnings.append
    ) as backend:
        yield backend
    loading.unload()


@pytest.fixture
def solver(shared_solver: LocalTransformersBackend) -> LocalTransformersBackend:
    """The shared backend, reset to a short generation."""
    shared_solver.max_new_tokens = 12
    return shared_solver


@pytest.fixture
def make_backend(tiny_solver_dir: Path) -> Iterator[Any]:  # noqa: F811
    """Builds CPU backends on the tiny solver; their idle timers are stopped afterwards."""
    made: list[LocalTransformersBackend] = []

    def make(**options: Any) -> LocalTransformersBackend:
        options = {"device": "cpu", "idle_unload_s": None, "max_new_tokens": 2, **options}
        backend = LocalTransformersBackend(None, str(tiny_solver_dir), **options)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend._cancel_timer()


def loaded_model(backend: LocalTransformersBackend, role: str = "solver") -> Any:
    """The model object `backend` holds in the shared cache for `role`."""
    (key,) = [k for k in backend._keys if k[0] == role]
    return loading._CACHE[key].model

"""End-to-end fixtures: a fake DashScope server and an isolated app home for the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.images import png_bytes

ROOT = Path(__file__).resolve().parents[2]
TEST_KEY = "sk-test-canary-7f3a9c"


@pytest.fixture
def dashscope() -> Iterator[FakeDashScope]:
    """A fake DashScope that accepts only TEST_KEY."""
    with FakeDashScope(api_key=TEST_KEY, chunk_size=6) as server:
        yield server


@pytest.fixture
def cli_env(tmp_path: Path, dashscope: FakeDashScope) -> dict[str, str]:
    """Environment for a `qwen-math` process: the fake service, a key, a private home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE")}
    env.update(
        DASHSCOPE_HTTP_BASE_URL=dashscope.base_url,
        DASHSCOPE_API_KEY=TEST_KEY,
        QWEN_MATH_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def problem_png(tmp_path: Path) -> Path:
    """A small picture of an equation."""
    path = tmp_path / "problem.png"
    path.write_bytes(png_bytes(240, 60, text="x + 1 = 3", at=(10, 20)))
    return path


def run_cli(
    args: list[str], env: dict[str, str], stdin: bytes | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m desktop_app ARGS` as a user would, capturing bytes."""
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
    )

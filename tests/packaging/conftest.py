"""The packaging scripts (loaded by path: `packaging/` is not a package, and its name is
PyPI's), and the bundle, built once per test run for every test that needs it."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
# A build takes 1-3 minutes on two free cores; several times that on a busy machine.
BUILD_TIMEOUT_S = 1500


def packaging_module(name: str) -> ModuleType:
    """packaging/NAME.py as a module (bundle_contents, check_bundle), loaded once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PACKAGING / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # check_bundle imports bundle_contents by this name
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class BuiltBundle:
    """A bundle build_linux.sh built and checked, and what the script printed."""

    folder: Path
    output: str
    seconds: float

    @property
    def executable(self) -> Path:
        """The program: dist/qwen-math/qwen-math."""
        return self.folder / "qwen-math"


@pytest.fixture(scope="session")
def built_bundle() -> BuiltBundle:
    """dist/qwen-math, built once per run by packaging/build_linux.sh: icons, PyInstaller, the
    contents check (packaging/check_bundle.py) and three headless self-checks.

    QWEN_MATH_BUNDLE_REUSE=1 runs only the two checks on the dist/qwen-math already there
    (for working on these tests; a stale bundle passes or fails as it is).
    """
    if not sys.platform.startswith("linux"):
        pytest.skip("build_linux.sh builds the Linux bundle")
    if shutil.which("uv") is None:
        pytest.skip("build_linux.sh needs uv on PATH")
    reuse = os.environ.get("QWEN_MATH_BUNDLE_REUSE") == "1"
    start = time.monotonic()
    result = subprocess.run(
        ["bash", str(PACKAGING / "build_linux.sh"), *(["--check-only"] if reuse else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            "build_linux.sh failed:\n" + result.stdout[-4000:] + result.stderr[-4000:],
            pytrace=False,
        )
    return BuiltBundle(ROOT / "dist" / "qwen-math", result.stdout, time.monotonic() - start)

"""The code stays lint-clean, formatted, type-checked (the whole package, strict), and layered
(core/ never imports Qt; cli > app | headless | history_cli > ui > capture > core)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
        ["lint-imports"],
    ],
    ids=["ruff-lint", "ruff-format", "mypy-strict", "import-linter"],
)
def test_tool_passes(command: list[str]) -> None:
    """GIVEN the source tree WHEN the tool runs THEN it reports no problem."""
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    """GIVEN our Python and JavaScript (not the vendored libraries) THEN every file is at most
    400 lines: a longer one is two things, and gets split by what each does."""
    ours = [
        *(ROOT / "desktop_app").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "resources").glob("*/*.js"),
    ]
    assert ours, "no source files found"
    long = {
        str(path.relative_to(ROOT)): count
        for path in ours
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}

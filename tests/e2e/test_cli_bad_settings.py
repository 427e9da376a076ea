"""`qwen-math solve` with a settings.toml that is not a settings file: exit 4, one sentence."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.edges import cli_args, one_sentence, run_measured
from tests.fakes.dashscope_server import FakeDashScope

FAST_S = 5.0


def _latin1(path: Path) -> None:
    path.write_bytes('[ui]\ntheme = "dark"  # réglé\n'.encode("latin-1"))


def _nested(path: Path) -> None:
    path.write_text("x = " + "[" * 5000 + "]" * 5000)


def _zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (_latin1, "is not UTF-8 text"),
        (_nested, "nests arrays or tables too deeply"),
        (_zero_link, "is a device, not a text file"),
        (_fifo, "is a pipe, not a text file"),
    ],
    ids=["not-utf8", "nested-5000", "link-to-dev-zero", "fifo"],
)
def test_a_broken_settings_file_ends_in_exit_4_at_once(
    cli_env: dict[str, str],
    tmp_path: Path,
    dashscope: FakeDashScope,
    make: Callable[[Path], None],
    fragment: str,
) -> None:
    """GIVEN a settings.toml that is broken, endless or a pipe WHEN solving THEN exit 4 with
    one sentence, quickly, and no request is sent."""
    config = Path(cli_env["QWEN_MATH_HOME"]) / "config"
    config.mkdir(parents=True)
    make(config / "settings.toml")
    run = run_measured(cli_args(["solve", "--question", "1+1?"]), cli_env, timeout=30)
    sentence = one_sentence(run)
    assert run.returncode == 4, sentence
    assert fragment in sentence
    assert run.seconds < FAST_S, f"took {run.seconds:.1f} s"
    assert dashscope.requests == []

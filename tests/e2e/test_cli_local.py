"""`qwen-math solve --backend local` end to end: the real CLI process on a tiny local model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the local backend needs the 'local' extra")

from tests.e2e.conftest import run_cli
from tests.fakes.tiny_models import tiny_solver_dir  # noqa: F401  (fixture)


def test_local_solve_streams_from_a_model_folder(
    tiny_solver_dir: Path,  # noqa: F811
    cli_env: dict[str, str],
) -> None:
    """GIVEN a local model folder WHEN solving a typed question THEN answer deltas stream."""
    config = Path(cli_env["QWEN_MATH_HOME"]) / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text("[local]\nmax_new_tokens = 8\n")
    env = {**cli_env, "HF_HUB_OFFLINE": "1"}
    args = ["solve", "--question", "Solve x + 1 = 3.", "--backend", "local"]
    args += ["--solver-model", str(tiny_solver_dir), "--json", "--no-history"]
    result = run_cli(args, env, timeout=120)
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    answers = [e for e in events if e["type"] == "answer"]
    assert answers
    assert "".join(e["delta"] for e in answers)
    assert "Traceback" not in stderr

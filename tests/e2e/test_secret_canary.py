"""The API key never reaches logs, settings or history, whatever happens."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import TEST_KEY, run_cli
from tests.fakes.dashscope_server import FakeDashScope


def all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_canary_key_is_nowhere_on_disk(
    dashscope: FakeDashScope, cli_env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN runs that succeed, fail and log with --debug THEN no file holds the key."""
    dashscope.script_text("$\\boxed{1}$", endpoint="text")
    assert run_cli(["solve", "--question", "1"], cli_env).returncode == 0
    dashscope.script_error(401, "InvalidApiKey")
    assert run_cli(["--debug", "solve", "--question", "1"], cli_env).returncode == 4
    dashscope.script_drop_after(["partial "], endpoint="text")
    debug_run = run_cli(["solve", str(problem_png), "--debug"], cli_env)
    assert debug_run.returncode == 5
    assert TEST_KEY not in (debug_run.stdout + debug_run.stderr).decode()
    home = Path(cli_env["QWEN_MATH_HOME"])
    files = all_files(home)
    assert any(p.name == "qwen-math.log" for p in files)  # the log really was written
    assert any(p.name == "history.sqlite3" for p in files)
    for path in files:
        assert TEST_KEY.encode() not in path.read_bytes(), f"key leaked into {path}"

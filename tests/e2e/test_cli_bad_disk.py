"""A data folder that is read-only, full, fills up mid-run or has a folder where the database
should be: `solve` still prints the answer and says in one sentence why it was not saved;
`history` commands end in exit 4 with one sentence. All for real: read-only and tiny disks are
tmpfs mounts in a private mount namespace (root), or root-owned folders seen by `nobody`, or
the process's file size limit (anyone).
"""

from __future__ import annotations

import json
import shlex
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core.history.store import DB_NAME, HistoryStore
from tests.e2e.edges import (
    Run,
    cli_args,
    in_private_mounts,
    mount_tmpfs,
    nobody_python,
    one_sentence,
    run_measured,
    shared_folder,
    with_file_size_limit,
)
from tests.fakes.dashscope_server import FakeDashScope

ANSWER = "Add the numbers: $2 + 2 = 4$.\n\n$\\boxed{4}$"
QUESTION = ["solve", "--question", "What is 2 + 2?"]
HISTORY_COMMANDS = ["list", "show", "search", "export", "delete"]
FILL = "dd if=/dev/zero of={folder}/filler bs=4096 2>/dev/null || true"  # until ENOSPC


@pytest.fixture
def home(cli_env: dict[str, str]) -> Path:
    """The app's home (QWEN_MATH_HOME) of the CLI under test."""
    return Path(cli_env["QWEN_MATH_HOME"])


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data folder holding a history with one solved problem, and that problem's id."""
    data = tmp_path_factory.mktemp("seed") / "data"
    with HistoryStore(data / DB_NAME) as store:
        conversation = store.create_conversation(None, "What is 2 + 2?")
        turn = store.add_turn(conversation, "")
        store.update_turn(turn, answer=ANSWER, status="complete", final_answer="4")
    return data, conversation


def _answered_without_saving(run: Run, fragment: str) -> str:
    """The answer reached stdout in full, exit 0, and one sentence says why it is not saved."""
    sentence = one_sentence(run)
    assert run.returncode == 0, sentence
    assert ANSWER in run.stdout.decode()
    assert "## Final answer\n\n4\n\nVerified by SymPy: " in run.stdout.decode()
    assert fragment in sentence
    return sentence


# -- solve: the disk is bad from the start ------------------------------------------------------


def test_a_read_only_data_folder_still_answers(
    dashscope: FakeDashScope, cli_env: dict[str, str], home: Path
) -> None:
    """GIVEN a data folder on a read-only disk (root: chmod would not stop it) THEN the answer
    is printed and one sentence says it is not saved, and why."""
    dashscope.script_text(ANSWER, endpoint="text")
    data = home / "data"
    data.mkdir(parents=True)
    argv = in_private_mounts([mount_tmpfs(data, "ro")], cli_args(QUESTION))
    sentence = _answered_without_saving(run_measured(argv, cli_env), "will not be saved")
    assert f"{data} is on a read-only disk" in sentence


def test_a_read_only_home_still_answers(
    dashscope: FakeDashScope, cli_env: dict[str, str], home: Path
) -> None:
    """GIVEN the whole app home read-only, no data folder yet, logs unwritable too THEN the
    answer is printed, with one sentence."""
    dashscope.script_text(ANSWER, endpoint="text")
    home.mkdir(parents=True)
    argv = in_private_mounts([mount_tmpfs(home, "ro")], cli_args(QUESTION))
    _answered_without_saving(run_measured(argv, cli_env), f"{home} is on a read-only disk")


def test_a_data_folder_owned_by_another_user_still_answers(
    dashscope: FakeDashScope, cli_env: dict[str, str]
) -> None:
    """GIVEN a normal user (nobody) whose data folder belongs to root THEN the answer is printed
    and one sentence says it may not write there."""
    python = nobody_python()
    dashscope.script_text(ANSWER, endpoint="text")
    with shared_folder() as home:
        (home / "data").mkdir(mode=0o755)
        env = {**cli_env, "QWEN_MATH_HOME": str(home)}
        run = run_measured(cli_args(QUESTION, python), env)
    _answered_without_saving(run, f"Qwen Math may not write to {home / 'data'}")


def test_a_folder_where_the_database_should_be(
    dashscope: FakeDashScope, cli_env: dict[str, str], home: Path
) -> None:
    """GIVEN a folder named history.sqlite3 THEN the answer is printed, one sentence says so."""
    dashscope.script_text(ANSWER, endpoint="text")
    (home / "data" / DB_NAME).mkdir(parents=True)
    run = run_measured(cli_args(QUESTION), cli_env)
    _answered_without_saving(run, f"there is a folder at {home / 'data' / DB_NAME}")


def test_a_full_disk_still_answers(
    dashscope: FakeDashScope, cli_env: dict[str, str], home: Path
) -> None:
    """GIVEN a data folder on a disk with no space left THEN the answer is printed, and one
    sentence says the disk is full."""
    dashscope.script_text(ANSWER, endpoint="text")
    data = home / "data"
    data.mkdir(parents=True)
    setup = [mount_tmpfs(data, "size=256k"), FILL.format(folder=shlex.quote(str(data)))]
    run = run_measured(in_private_mounts(setup, cli_args(QUESTION)), cli_env)
    _answered_without_saving(run, f"the disk holding {data} is full")


def test_a_read_only_config_folder_is_no_problem(
    dashscope: FakeDashScope, cli_env: dict[str, str], home: Path
) -> None:
    """GIVEN the settings in a read-only folder THEN they are read, the answer is saved, and
    nothing is said on stderr."""
    dashscope.script_text(ANSWER, endpoint="text")
    config = home / "config"
    config.mkdir(parents=True)
    quoted = shlex.quote(str(config))
    setup = [
        mount_tmpfs(config),
        f"printf '[solve]\\nmode = \"cot\"\\n' > {quoted}/settings.toml",
        f"mount -o remount,ro {quoted}",
    ]
    run = run_measured(in_private_mounts(setup, cli_args([*QUESTION, "--json"])), cli_env)
    assert run.returncode == 0, run.stderr
    assert run.stderr == b""
    assert json.loads(run.stdout.splitlines()[-1])["type"] == "done"


# -- solve: the disk fills while the answer streams ---------------------------------------------

LONG_PIECES = [f"Step {i}: " + f"$x_{{{i}}} = {i}$, " * 700 + "\n" for i in range(120)]
LONG_ANSWER = "".join(LONG_PIECES)  # about 1.9 MB, streamed over about 3 s: several flushes


def _fills_mid_run(
    dashscope: FakeDashScope,
    cli_env: dict[str, str],
    home: Path,
    mounts: Callable[[Path], list[str]],
    limit: Callable[[list[str]], list[str]],
) -> tuple[Run, Path]:
    dashscope.script_text(chunks=LONG_PIECES, delay=0.025, endpoint="text")
    data, kept = home / "data", home / "kept"
    data.mkdir(parents=True)
    kept.mkdir()
    # After the run, the data folder is copied out (a private tmpfs vanishes with its namespace).
    script = f'"$@"; code=$?; cp -a {shlex.quote(str(data))}/. {shlex.quote(str(kept))}; exit $code'
    argv = ["sh", "-c", script, "sh", *limit(cli_args(QUESTION))]
    setup = mounts(data)
    run = run_measured(in_private_mounts(setup, argv) if setup else argv, cli_env, timeout=120)
    return run, kept / DB_NAME


def _turn_after(db: Path) -> tuple[str, str | None, int]:
    with sqlite3.connect(db) as conn:
        (row,) = conn.execute("SELECT status, error, length(answer) FROM turns").fetchall()
    return row  # type: ignore[no-any-return]


def _small_tmpfs(data: Path) -> list[str]:
    return [mount_tmpfs(data, "size=1m")]


def _no_mounts(data: Path) -> list[str]:
    return []


def _unlimited(argv: list[str]) -> list[str]:
    return argv


def _one_mb_per_file(argv: list[str]) -> list[str]:
    # The database's write-ahead log outgrows 1 MB; stdout (1.9 MB) is a pipe, not limited.
    return with_file_size_limit(2**20, argv)


@pytest.mark.parametrize(
    ("mounts", "limit", "fragment"),
    [(_small_tmpfs, _unlimited, "is full"), (_no_mounts, _one_mb_per_file, "size limit")],
    ids=["full-tmpfs", "file-size-limit"],
)
def test_a_disk_that_fills_mid_run_loses_no_printed_answer(
    dashscope: FakeDashScope,
    cli_env: dict[str, str],
    home: Path,
    mounts: Callable[[Path], list[str]],
    limit: Callable[[list[str]], list[str]],
    fragment: str,
) -> None:
    """GIVEN a disk that fills while a long answer streams (a 1 MB tmpfs as root; a 1 MB file
    size limit for anyone) THEN the whole answer is printed, one sentence says it could not be
    saved and why, and the turn is not left 'streaming'."""
    run, db = _fills_mid_run(dashscope, cli_env, home, mounts, limit)
    sentence = one_sentence(run)
    assert run.returncode == 0, sentence
    assert LONG_ANSWER in run.stdout.decode()
    assert sentence.startswith("qwen-math: This answer could not be saved to the history: ")
    assert fragment in sentence
    status, error, saved = _turn_after(db)
    assert status == "failed"
    assert error is not None
    assert error.startswith("Not saved in full:")
    assert saved < len(LONG_ANSWER)  # what fitted (if anything) is kept; the rest was printed


# -- history commands on a bad disk -------------------------------------------------------------


def _history_args(command: str, conversation: str) -> list[str]:
    extra = {"show": [conversation], "export": [conversation], "delete": [conversation]}
    return ["history", command, *extra.get(command, ["2 + 2"] if command == "search" else [])]


def _read_only_copy(home: Path, data: Path) -> list[str]:
    target = shlex.quote(str(home / "data"))
    return [mount_tmpfs(home / "data"), f"cp -a {shlex.quote(str(data))}/. {target}",
            f"mount -o remount,ro {target}"]  # fmt: skip


def _full_copy(home: Path, data: Path) -> list[str]:
    target = shlex.quote(str(home / "data"))
    return [mount_tmpfs(home / "data", "size=512k"), f"cp -a {shlex.quote(str(data))}/. {target}",
            FILL.format(folder=target)]  # fmt: skip


@pytest.mark.parametrize("command", HISTORY_COMMANDS)
@pytest.mark.parametrize(
    ("setup", "fragment"),
    [(_read_only_copy, "is on a read-only disk"), (_full_copy, "is full")],
    ids=["read-only", "full"],
)
def test_history_commands_on_a_bad_disk_are_exit_4(
    cli_env: dict[str, str],
    home: Path,
    seed: tuple[Path, str],
    command: str,
    setup: Callable[[Path, Path], list[str]],
    fragment: str,
) -> None:
    """GIVEN a history on a read-only or full disk THEN every history command ends in exit 4
    with one sentence saying why (no traceback)."""
    data, conversation = seed
    (home / "data").mkdir(parents=True)
    argv = in_private_mounts(setup(home, data), cli_args(_history_args(command, conversation)))
    run = run_measured(argv, cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 4, sentence
    assert sentence.startswith("qwen-math: The history cannot be used: ")
    assert fragment in sentence


@pytest.mark.parametrize("command", HISTORY_COMMANDS)
def test_history_commands_with_a_folder_for_a_database_are_exit_4(
    cli_env: dict[str, str], home: Path, command: str
) -> None:
    """GIVEN a folder where the database file should be THEN exit 4 with one sentence."""
    (home / "data" / DB_NAME).mkdir(parents=True)
    run = run_measured(cli_args(_history_args(command, "abcd1234")), cli_env)
    sentence = one_sentence(run)
    assert run.returncode == 4, sentence
    assert f"there is a folder at {home / 'data' / DB_NAME}" in sentence


@pytest.mark.parametrize("command", HISTORY_COMMANDS)
def test_history_commands_as_a_user_who_may_not_write_are_exit_4(
    cli_env: dict[str, str], seed: tuple[Path, str], command: str
) -> None:
    """GIVEN a normal user (nobody) and a history folder owned by root THEN exit 4, one
    sentence saying the folder may not be written."""
    python = nobody_python()
    data, conversation = seed
    with shared_folder() as home:
        shutil.copytree(data, home / "data")
        for path in [home / "data", *(home / "data").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {**cli_env, "QWEN_MATH_HOME": str(home)}
        run = run_measured(cli_args(_history_args(command, conversation), python), env)
    sentence = one_sentence(run)
    assert run.returncode == 4, sentence
    assert f"Qwen Math may not write to {home / 'data'}" in sentence

"""`qwen-math solve` on inputs that never end, are huge, or cannot be read: exit 3, at once.

Each case runs the real CLI process and checks the exit code, the one sentence, the wall time
(generous: the machine may be busy) and the peak memory (the 50 MB cap, not the input's size).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.edges import (
    Run,
    cli_args,
    nobody_python,
    one_sentence,
    run_measured,
    shared_folder,
)

# Start-up alone takes about 0.3 s here; several engineers' tests may share two cores.
FAST_S = 5.0
# The interpreter, Pillow and a capped 50 MB read; /dev/zero read whole would reach gigabytes.
MAX_RSS_MB = 250
SPARSE_BYTES = 3 * 2**30


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    """The CLI's environment (a fake DashScope that must never be asked anything)."""
    return cli_env


def _assert_refused_fast(run: Run, fragment: str) -> None:
    sentence = one_sentence(run)
    assert run.returncode == 3, sentence
    assert fragment in sentence
    assert run.seconds < FAST_S, f"took {run.seconds:.1f} s"
    assert run.max_rss_mb < MAX_RSS_MB, f"peaked at {run.max_rss_mb:.0f} MB"
    assert run.stdout == b""


@pytest.mark.parametrize(
    ("device", "fragment"),
    [("/dev/zero", "larger than 50 MB"), ("/dev/urandom", "larger than 50 MB")],
)
def test_a_device_that_never_ends_is_refused_at_the_cap(
    env: dict[str, str], device: str, fragment: str
) -> None:
    """GIVEN an endless device as the image WHEN solved THEN exit 3 after reading 50 MB."""
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    _assert_refused_fast(run_measured(cli_args(["solve", device]), env), fragment)


def test_endless_standard_input_is_refused_at_the_cap(env: dict[str, str]) -> None:
    """GIVEN `solve - < /dev/zero` THEN exit 3 after reading 50 MB of standard input."""
    with open("/dev/zero", "rb") as zero:
        run = run_measured(cli_args(["solve", "-"]), env, stdin=zero.fileno())
    _assert_refused_fast(run, "larger than 50 MB")


def test_a_huge_sparse_file_is_refused_before_reading(env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a 3 GB (sparse) file THEN it is refused from its size alone, without reading it."""
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(SPARSE_BYTES)
    run = run_measured(cli_args(["solve", str(huge)]), env)
    _assert_refused_fast(run, "larger than 50 MB")
    assert run.max_rss_mb < 150  # not even the 50 MB cap was read


def test_a_named_pipe_with_no_writer_does_not_hang(env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a FIFO nobody writes to THEN exit 3 at once, naming the pipe."""
    fifo = tmp_path / "shot.png"
    os.mkfifo(fifo)
    run = run_measured(cli_args(["solve", str(fifo)]), env, timeout=20)
    _assert_refused_fast(run, 'Nothing was written to the pipe "shot.png"')


def test_a_pipe_with_a_writer_is_read(env: dict[str, str], problem_png: Path) -> None:
    """GIVEN a pipe some process writes an image to (what `<(...)` gives) THEN it is read."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as writer:
        writer.write(problem_png.read_bytes())  # a small PNG fits in the pipe's buffer
    try:
        args = ["solve", f"/dev/fd/{read_end}", "--json", "--no-history"]
        run = run_measured(cli_args(args), env, pass_fds=(read_end,))
    finally:
        os.close(read_end)
    assert run.returncode == 0, run.stderr


def test_a_folder_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a folder as the image THEN exit 3: it is a folder, not an image file."""
    run = run_measured(cli_args(["solve", str(tmp_path)]), env)
    _assert_refused_fast(run, "is a folder, not an image file")


@pytest.fixture
def secret_png(problem_png: Path) -> Iterator[Path]:
    """A real image in a folder any user may enter, readable by root alone (mode 600)."""
    with shared_folder() as folder:
        secret = folder / "secret.png"
        secret.write_bytes(problem_png.read_bytes())
        secret.chmod(0o600)
        yield secret


def test_an_unreadable_file_is_reported_as_unreadable(
    env: dict[str, str], secret_png: Path
) -> None:
    """GIVEN a file the user may not read (run as nobody: chmod stops no root) THEN exit 3
    saying it is not allowed, not that the file is empty."""
    python = nobody_python()
    with shared_folder() as home:
        (home / "home").mkdir(mode=0o777)
        (home / "home").chmod(0o777)
        run = run_measured(
            cli_args(["solve", str(secret_png)], python),
            {**env, "QWEN_MATH_HOME": str(home / "home")},
        )
    _assert_refused_fast(run, 'not allowed to read "secret.png"')
    assert "0 bytes" not in run.stderr.decode()


def test_the_same_file_is_read_by_its_owner(env: dict[str, str], secret_png: Path) -> None:
    """GIVEN that file and its owner (root) THEN it is read and solved: the refusal above was
    the permission, not the file."""
    run = run_measured(cli_args(["solve", str(secret_png), "--no-history"]), env)
    assert run.returncode == 0, run.stderr

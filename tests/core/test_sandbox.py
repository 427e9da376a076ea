"""The TIR sandbox runs model code and returns its output, within its limits."""

from __future__ import annotations

import os
import sys
import textwrap
import threading
import time

import pytest

from desktop_app.core.sandbox import SandboxResult, run_code
from tests.core.sandbox_fixtures import (
    launcher,
    nothing_left_behind,
    protections,
    timed,
)

__all__ = ["launcher", "nothing_left_behind"]  # fixtures, used by name
pytestmark = pytest.mark.usefixtures("nothing_left_behind")
LINUX = sys.platform.startswith("linux")


# -- ordinary runs (under bubblewrap and under the fallback launcher) -------------------------


def test_printed_output_comes_back(launcher: str) -> None:
    """GIVEN code that prints WHEN run THEN its output and status ok come back."""
    assert run_code("print(6 * 7)") == SandboxResult("42", "ok")


def test_a_trailing_expression_is_shown_like_a_notebook() -> None:
    """GIVEN code ending in a bare expression THEN its value is printed."""
    assert run_code("x = 3\nx ** 2").output == "9"
    assert run_code("x = 3\nprint(x)\nNone").output == "3"


def test_an_error_shows_only_the_last_traceback_line_after_the_printed_output(
    launcher: str,
) -> None:
    """GIVEN code that prints then raises THEN the output ends with the exception line only."""
    result = run_code("print('before')\n1 / 0")
    assert result == SandboxResult("before\nZeroDivisionError: division by zero", "error")


def test_a_syntax_error_is_reported() -> None:
    """GIVEN code that does not parse THEN the SyntaxError line comes back."""
    result = run_code("x = (")
    assert result.status == "error"
    assert result.output.startswith("SyntaxError")


def test_stdin_is_closed(launcher: str) -> None:
    """GIVEN code calling input() THEN it fails at once with EOFError instead of hanging."""
    result, seconds = timed("input('x? ')", timeout=5)
    assert result.status == "error"
    assert "EOFError" in result.output
    assert seconds < 5


def test_sympy_and_numpy_from_site_packages_are_available(launcher: str) -> None:
    """GIVEN code using sympy and numpy WHEN run THEN it works (site-packages are readable)."""
    source = """
        import numpy as np, sympy as sp
        x = sp.symbols('x')
        print(sp.solve(x**2 - 4, x), int(np.arange(4).sum()))
    """
    assert run_code(textwrap.dedent(source), timeout=20) == SandboxResult("[-2, 2] 6", "ok")


def test_cancel_kills_a_running_sandbox_promptly(launcher: str) -> None:
    """GIVEN a long run WHEN cancel is set THEN it stops within a moment, status killed."""
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def fire() -> None:
        cancelled_at.append(time.monotonic())
        cancel.set()

    timer = threading.Timer(0.5, fire)
    timer.start()
    result = run_code("while True: pass", timeout=20, cancel=cancel)
    returned_at = time.monotonic()
    timer.join()
    assert result.status == "killed"
    assert returned_at - cancelled_at[0] < 0.5  # ~0.07 s on a quiet machine


# -- limits ---------------------------------------------------------------------------------


def test_infinite_loop_times_out(launcher: str) -> None:
    """GIVEN an endless loop THEN the wall-clock limit stops it."""
    result, seconds = timed("while True: pass", timeout=1)
    assert result.status == "timeout"
    assert "TimeoutError" in result.output
    assert seconds < 3


def test_memory_hog_is_stopped(launcher: str) -> None:
    """GIVEN code grabbing memory without end THEN the memory limit stops it."""
    source = "chunks = []\nwhile True:\n    chunks.append(b'x' * 16 * 1024 * 1024)"
    result, seconds = timed(source, memory_mb=256, timeout=10)
    assert result.status in ("error", "killed")
    assert "MemoryError" in result.output
    assert seconds < 10


def test_print_flood_is_truncated_promptly(launcher: str) -> None:
    """GIVEN code printing forever THEN the output is cut and the run stopped."""
    result, seconds = timed("while True: print('x' * 1000)", output_limit=2000, timeout=10)
    assert result.status == "truncated"
    assert len(result.output) < 2100
    assert result.output.endswith("(output truncated)")
    assert seconds < 3


def test_huge_file_is_stopped_by_the_file_size_limit(launcher: str) -> None:
    """GIVEN code writing a file past the limit THEN the write fails with File too large."""
    source = """
        with open('big.bin', 'wb') as f:
            for _ in range(64):
                f.write(b'0' * 1024 * 1024)
    """
    result, _ = timed(source, file_size_mb=1)
    assert result.status == "error"
    assert "File too large" in result.output


def test_fork_bomb_is_contained_and_returns_promptly(launcher: str) -> None:
    """GIVEN a fork bomb THEN the process cap (or the ban on new processes) holds, the run
    ends and nothing is left."""
    if launcher == "fallback" and os.geteuid() == 0 and not protections(launcher).get("cgroup"):
        pytest.skip("no process cap here (root without a writable pids cgroup)")
    source = """
        import os, time
        end = time.monotonic() + 30
        for _ in range(10000):
            if time.monotonic() > end:
                break
            try:
                os.fork()
            except OSError:
                pass
    """
    result, seconds = timed(source, timeout=2, max_processes=16)
    assert result.status in ("timeout", "ok", "killed")
    assert seconds < 6
    assert os.getloadavg()[0] < 200  # the machine stays usable


def test_a_kill_by_the_memory_cgroup_says_memory_error(launcher: str) -> None:
    """GIVEN two processes that together pass the run's memory WHEN the kernel kills the code's
    main process for it THEN the result says the memory limit stopped it."""
    if "memory" not in (protections(launcher).get("cgroup") or []):
        pytest.skip("no memory cgroup here (a normal user): the code is one process")
    source = """
        import os, time
        if os.fork() == 0:
            block = b'x' * (300 << 20)
            time.sleep(5)
            os._exit(0)
        with open('/proc/self/oom_score_adj', 'w') as f:
            f.write('1000')  # be the one the kernel picks
        time.sleep(0.5)
        block = b'x' * (300 << 20)
        print('not reached')
    """
    result = run_code(textwrap.dedent(source), memory_mb=512, timeout=20)
    assert result.status == "killed"
    assert "MemoryError: the code used more than its 512 MB" in result.output
    assert "not reached" not in result.output


def test_source_that_is_not_valid_unicode_is_an_error_not_a_crash(launcher: str) -> None:
    """GIVEN model code holding a lone surrogate WHEN run THEN an error result, no exception."""
    result = run_code("print('\udc80')")
    assert result.status in ("ok", "error")

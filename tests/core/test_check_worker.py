"""The checker process: checks run in a child with a deadline; an overrun is killed and the
next call gets a fresh child; the app's own process never loads SymPy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.core import check_worker
from desktop_app.core.check_worker import CheckCancelled, CheckTimeout, CheckWorker

RUNAWAY = "9^{9^{9^{9}}}"  # SymPy would compute this integer for ever
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker() -> Iterator[CheckWorker]:
    """A private checker process, stopped after the test."""
    checker = CheckWorker()
    yield checker
    checker.close()


def test_a_check_runs_in_the_child_and_the_child_is_reused(worker: CheckWorker) -> None:
    """GIVEN a worker WHEN two checks run THEN both answer, from one and the same child."""
    assert worker.call("equivalent", "\\frac{1}{2}", "0.5", timeout=30) is True
    first = worker.pid
    assert worker.call("equivalent", "073", "055", timeout=30) is False
    assert worker.pid == first is not None
    assert worker.restarts == 0


def test_an_overrun_is_killed_and_the_next_call_gets_a_fresh_child(worker: CheckWorker) -> None:
    """GIVEN a check that never ends WHEN its deadline passes THEN CheckTimeout, the child is
    gone, and the next check runs in a new one."""
    worker.call("equivalent", "1", "1", timeout=30)  # started and warm
    stuck = worker.pid
    started = time.monotonic()
    with pytest.raises(CheckTimeout):
        worker.call("equivalent", RUNAWAY, "1", timeout=1.5)
    assert time.monotonic() - started < 10
    assert worker.pid is None
    assert stuck is not None
    assert not Path(f"/proc/{stuck}").exists()
    assert worker.call("equivalent", "2", "2", timeout=30) is True
    assert worker.restarts == 1


def test_cancel_stops_a_running_check_at_once(worker: CheckWorker) -> None:
    """GIVEN a long check WHEN the caller cancels THEN CheckCancelled within a moment."""
    worker.call("equivalent", "1", "1", timeout=30)
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(CheckCancelled):
        worker.call("equivalent", RUNAWAY, "1", timeout=60, cancel=cancel)
    assert time.monotonic() - started < 5


def test_checks_work_from_a_thread_that_is_not_the_main_one(worker: CheckWorker) -> None:
    """GIVEN math-verify (whose own timeouts need the main thread) WHEN a worker thread
    checks THEN it gets an answer, not math-verify's ValueError."""
    results: list[object] = []
    thread = threading.Thread(
        target=lambda: results.append(worker.call("equivalent", "x = 2", "2", timeout=30))
    )
    thread.start()
    thread.join(60)
    assert results == [True]


def test_the_child_gets_no_api_key(worker: CheckWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN keys in the app's environment WHEN the checker starts THEN it has none of them."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-canary-checker")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-canary-checker-2")
    worker.start()
    environ = Path(f"/proc/{worker.pid}/environ").read_bytes()
    assert b"sk-canary-checker" not in environ


def test_unknown_tasks_are_refused(worker: CheckWorker) -> None:
    """GIVEN a task name not in TASKS THEN ValueError, and nothing is sent to the child."""
    with pytest.raises(ValueError, match="unknown check task"):
        worker.call("__import__", "os", timeout=5)
    assert worker.pid is None


def test_a_failing_check_is_one_error_reply_and_the_child_lives_on(worker: CheckWorker) -> None:
    """GIVEN arguments a task cannot take THEN CheckError with a sentence; the child survives."""
    with pytest.raises(check_worker.CheckError, match=r"The check failed \(TypeError\)\."):
        worker.call("equivalent", "1", timeout=30)
    pid = worker.pid
    assert worker.call("equivalent", "1", "1", timeout=30) is True
    assert worker.pid == pid


def test_the_frozen_app_serves_checks_through_its_own_command_line() -> None:
    """GIVEN `python -m desktop_app --check-worker` (what a frozen app runs) WHEN a request
    arrives on stdin THEN the reply comes on stdout after the ready line."""
    assert cli.CHECK_WORKER_FLAG == check_worker.WORKER_FLAG
    request = json.dumps({"id": 7, "task": "equivalent", "args": ["025", "25"]}) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", check_worker.WORKER_FLAG],
        input=request.encode(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    ready, reply = result.stdout.decode().splitlines()
    assert ready == "ready"
    assert json.loads(reply) == {"id": 7, "ok": True, "result": True}


def test_the_app_process_never_loads_sympy() -> None:
    """GIVEN is_equivalent and verify_answer called in a fresh process THEN they answer, and
    neither SymPy nor math-verify is imported there (only the checker child loads them)."""
    probe = (
        "import sys\n"
        "from desktop_app.core.answers import is_equivalent\n"
        "from desktop_app.core.verify import verify_answer\n"
        "assert is_equivalent('x = 2', '2')\n"
        "assert verify_answer('Solve $x + 1 = 3$.', '2') == 'verified'\n"
        "print(sorted(m for m in ('sympy', 'math_verify', 'mpmath') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("QWEN_MATH")}
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().strip() == "[]"

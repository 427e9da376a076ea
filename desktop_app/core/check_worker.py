"""The checker process: every answer, step and plot check runs here, with a deadline each.

SymPy can run for minutes, or forever, on a short hostile string (`9^{9^{9^{9}}}`), and
math-verify's own timeouts use `signal.alarm`, which only works on a main thread and cannot
interrupt a big-integer power inside C. So the checks run in a child process that the caller
kills when a deadline passes; the next call starts a fresh one. The child loads SymPy and
math-verify once and serves many requests, so a check costs milliseconds, not a start-up.

Protocol: one JSON object per line. The parent sends `{"id": N, "task": NAME, "args": [...]}`;
the child answers `{"id": N, "ok": true, "result": ...}` or `{"id": N, "ok": false, "error":
TEXT}`. Only the tasks named in TASKS can be called; each maps to a function in the child.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from typing import Any

# What the child may run: task name -> "module:function". Add checks here.
TASKS: dict[str, str] = {
    "equivalent": "desktop_app.core.checking.equivalence:equivalent",
    "verify_answer": "desktop_app.core.checking.problem_check:verify_answer",
    "code_output": "desktop_app.core.checking.code_output:compare_code_output",
    "step_check": "desktop_app.core.checking.step_blocks:check_block_task",
    "plot": "desktop_app.core.checking.plotting:problem_plot",
    "plot_function": "desktop_app.core.checking.plotting:typed_function",
    "group_answers": "desktop_app.core.checking.grouping:group_answers",
}
# Loaded (and run once) by the child before it says it is ready, so the first check is fast:
# math-verify compiles its large regular expressions on first use.
_PRELOAD = tuple(sorted({task.partition(":")[0] for task in TASKS.values()}))
_WARM_UP = ("equivalent", ("\\frac{1}{2}", "0.5"))
START_TIMEOUT_S = 60.0  # loading SymPy and math-verify on a busy machine
_POLL_S = 0.05
_MEMORY_LIMIT = 2 * 1024**3  # a runaway expansion fails with MemoryError instead of swapping
_READY = "ready"
_SECRET_VARS = ("DASHSCOPE_API_KEY", "OPENAI_API_KEY")
WORKER_FLAG = "--check-worker"  # a frozen app runs its own executable with this flag


class CheckError(Exception):
    """A check gave no result; the message is one sentence for the user."""


class CheckTimeout(CheckError):
    """The check ran past its deadline and its process was stopped."""


class CheckCancelled(CheckError):
    """The caller cancelled while the check ran."""


class CheckWorker:
    """A long-lived checker child process; one request at a time, each with a deadline."""

    def __init__(self, *, start_timeout: float = START_TIMEOUT_S) -> None:
        self._start_timeout = start_timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._buffer = b""
        self._next_id = 0
        self.restarts = 0  # children stopped for an overrun, a cancel or a crash

    def start(self) -> None:
        """Start the child now (it loads SymPy in the background); returns at once."""
        with self._lock:
            self._ensure_started()

    def call(
        self,
        task: str,
        *args: Any,
        timeout: float,
        cancel: threading.Event | None = None,
    ) -> Any:
        """Run `task(*args)` in the child; raise CheckError if it fails, overruns or is cancelled.

        The deadline counts from when the child is ready: a cold start does not eat it.
        """
        if task not in TASKS:
            raise ValueError(f"unknown check task {task!r}")
        if cancel is not None and cancel.is_set():
            raise CheckCancelled("The check was stopped.")
        with self._lock:
            proc = self._ensure_started()
            if not self._ready:
                self._read_line(proc, time.monotonic() + self._start_timeout, cancel, "start")
                self._ready = True
            self._next_id += 1
            request = {"id": self._next_id, "task": task, "args": list(args)}
            try:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps(request).encode() + b"\n")
                proc.stdin.flush()
            except OSError as exc:
                self._drop()
                raise CheckError("The checker stopped unexpectedly.") from exc
            line = self._read_line(proc, time.monotonic() + timeout, cancel, task)
        reply = json.loads(line)
        if not reply.get("ok"):
            raise CheckError(str(reply.get("error", "The check failed.")))
        return reply.get("result")

    def close(self) -> None:
        """Stop the child (a later call starts a new one)."""
        with self._lock:
            self._stop()

    @property
    def pid(self) -> int | None:
        """The child's process id, or None when none runs."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        if self._proc is not None:
            self._drop()  # it died since the last call
        env = {k: v for k, v in os.environ.items() if k not in _SECRET_VARS}
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONUNBUFFERED="1")
        self._proc = subprocess.Popen(
            _worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        self._ready, self._buffer = False, b""
        return self._proc

    def _read_line(
        self,
        proc: subprocess.Popen[bytes],
        deadline: float,
        cancel: threading.Event | None,
        what: str,
    ) -> str:
        """The child's next line; on overrun, cancel or exit the child is stopped."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                if cancel is not None and cancel.is_set():
                    self._drop()
                    raise CheckCancelled("The check was stopped.")
                left = deadline - time.monotonic()
                if left <= 0:
                    self._drop()
                    if what == "start":
                        raise CheckTimeout("The checker did not start in time.")
                    raise CheckTimeout("The check took too long and was stopped.")
                if selector.select(min(left, _POLL_S)):
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        self._drop()
                        raise CheckError("The checker stopped unexpectedly.")
                    self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def _drop(self) -> None:
        """Stop a child that overran, was cancelled or died; the next call starts another."""
        self._stop()
        self.restarts += 1

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        self._ready, self._buffer = False, b""
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _worker_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "desktop_app.core.check_worker"]


_shared: CheckWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> CheckWorker:
    """The process-wide checker (started on first use, stopped at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = CheckWorker()
            atexit.register(_shared.close)
        return _shared


def run_check(task: str, *args: Any, timeout: float, cancel: threading.Event | None = None) -> Any:
    """Run one check in the shared checker process (see CheckWorker.call)."""
    return shared_worker().call(task, *args, timeout=timeout, cancel=cancel)


# -- the child ----------------------------------------------------------------------------------


def serve() -> int:
    """The child's main loop: read requests on stdin, answer on stdout, until stdin closes."""
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    sys.stdout = sys.stderr  # a library's print() must not corrupt the protocol
    _limit_memory()
    _quiet_libraries()
    for name in _PRELOAD:
        importlib.import_module(name)
    functions: dict[str, Any] = {}
    task, args = _WARM_UP
    _load(task, functions)(*args)
    out.write(_READY + "\n")
    for raw in sys.stdin:
        try:
            request = json.loads(raw)
            function = functions.get(request["task"]) or _load(request["task"], functions)
            reply = {"id": request["id"], "ok": True, "result": function(*request["args"])}
        except MemoryError:
            reply = {"id": _request_id(raw), "ok": False, "error": "The check ran out of memory."}
        except Exception as exc:  # a check that fails is one error reply, never a dead child
            reply = {"id": _request_id(raw), "ok": False, "error": _sentence(exc)}
        out.write(json.dumps(reply) + "\n")
    return 0


def _load(task: str, cache: dict[str, Any]) -> Any:
    module, _, name = TASKS[task].partition(":")
    cache[task] = getattr(importlib.import_module(module), name)
    return cache[task]


def _request_id(raw: str) -> Any:
    try:
        return json.loads(raw).get("id")
    except (ValueError, AttributeError):
        return None


def _sentence(exc: BaseException) -> str:
    return f"The check failed ({type(exc).__name__})."


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > _MEMORY_LIMIT:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, hard))


def _quiet_libraries() -> None:
    """math-verify logs a warning on every call made without its signal timeouts."""
    import logging

    for name in ("math_verify", "latex2sympy2_extended"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


if __name__ == "__main__":
    sys.exit(serve())

"""Run model-written Python in a separate, limited, isolated process (TIR's code runner).

The layers, and what each OS gets, are in docs/adr/010-sandbox-layers.md: on Linux
bubblewrap with a seccomp filter and a cgroup (core/sandbox_bwrap.py), else our own launcher
(core/sandbox_fallback.py, which is also the macOS and Windows path).
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Literal, Protocol

from desktop_app.core import sandbox_paths
from desktop_app.core.events import CodeStatus
from desktop_app.core.sandbox_bwrap import BwrapLaunch, Limits, bwrap_works
from desktop_app.core.sandbox_fallback import LauncherLaunch
from desktop_app.core.sandbox_paths import default_hidden_paths, resolve

__all__ = ["SandboxResult", "default_hidden_paths", "isolation", "run_code"]

Status = CodeStatus
Isolation = Literal["bubblewrap", "namespaces", "seatbelt", "limits"]
MARKER_VAR = "QWEN_MATH_SANDBOX"
LINUX = sys.platform.startswith("linux")
_POLL_S = 0.05
START_TIMEOUT_S = 30.0  # bwrap's set-up, on a loaded machine; not counted in the code's time
KILL_GRACE_S = 5.0  # how long killing and reaping may take on a loaded machine
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxResult:
    """What the code printed (stdout + stderr, traceback cut to its last line), how it ended."""

    output: str
    status: Status
    protections: dict[str, object] = field(default_factory=dict, compare=False)


class Launch(Protocol):
    """One way to start the sandbox (bubblewrap, or the fallback launcher)."""

    argv: list[str]
    pass_fds: tuple[int, ...]
    creationflags: int
    cwd: str | None
    report: dict[str, object]

    def prepare(self) -> None: ...
    def env(self, base: dict[str, str]) -> dict[str, str]: ...
    def started(self, proc: subprocess.Popen[bytes], deadline: float) -> str | None: ...
    def kill(self) -> None: ...
    def pids(self) -> list[int]: ...
    def oom_killed(self) -> bool: ...
    def close(self, grace_s: float) -> None: ...


def run_code(
    source: str,
    *,
    timeout: float = 10.0,
    memory_mb: int = 1024,
    output_limit: int = 4000,
    file_size_mb: int = 16,
    max_processes: int = 32,
    cancel: threading.Event | None = None,
    hide: tuple[str, ...] | None = None,
) -> SandboxResult:
    """Run `source` in a sandboxed interpreter; never raises for anything the code does."""
    cancel = cancel or threading.Event()
    marker = f"{os.getpid()}-{uuid.uuid4().hex}"  # whose run it is, then which
    limits = Limits(timeout, memory_mb, file_size_mb, max_processes)
    hidden = tuple(resolve(p) for p in (hide if hide is not None else default_hidden_paths()))
    launch = _launch(
        _display_last_expression(source), limits, hidden, f"qwen-math-sandbox-{marker}"
    )
    posix = os.name == "posix"
    try:
        launch.prepare()
        proc = subprocess.Popen(
            launch.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=launch.cwd,
            env=launch.env(_environment(marker)),
            close_fds=True,
            pass_fds=launch.pass_fds,
            start_new_session=posix,
            creationflags=launch.creationflags,
        )
    except OSError as exc:
        launch.close(KILL_GRACE_S)
        return SandboxResult(f"The sandbox could not start: {exc}", "error", launch.report)
    oom, failure = False, None
    data, ended_by = b"", "exit"
    try:
        failure = launch.started(proc, time.monotonic() + START_TIMEOUT_S)
        if failure is None:
            data, ended_by = _collect(proc, time.monotonic() + timeout, output_limit, cancel)
    finally:
        _kill_all(proc, marker, launch)
        if failure is not None:  # what bwrap said on its way out, if anything
            data = _rest(proc)
        oom = launch.oom_killed()
        launch.close(KILL_GRACE_S)
        if proc.stdout is not None:
            proc.stdout.close()
    if failure is not None:
        said = data.decode("utf-8", errors="replace").strip()
        text = f"The sandbox could not start: {failure}." + (f" {said}" if said else "")
        return SandboxResult(text, "error", launch.report)
    result = _result(data, ended_by, proc.returncode, timeout, output_limit, launch.report)
    if oom and result.status in ("killed", "error"):
        note = f"MemoryError: the code used more than its {memory_mb} MB and was stopped."
        return SandboxResult(_join(result.output, note), "killed", launch.report)
    return result


def isolation() -> Isolation:
    """Which layer isolates model code on this machine.

    "bubblewrap": Linux, the full sandbox; "namespaces": Linux without a working bubblewrap,
    our launcher; "seatbelt": macOS's sandbox profile; "limits": time, memory and processes
    only. On Linux the first call runs bubblewrap once (tens of ms) to be sure it works here.
    """
    if LINUX:
        return "bubblewrap" if bwrap_works() else "namespaces"
    if sys.platform == "darwin":
        from desktop_app.core import sandbox_macos

        return "seatbelt" if sandbox_macos.available() else "limits"
    return "limits"


def _use_bwrap() -> bool:
    return LINUX and bwrap_works()


def _launch(source: str, limits: Limits, hidden: tuple[str, ...], name: str) -> Launch:
    interp = sandbox_paths.interpreter()  # looked up per run: a frozen app swaps it
    if _use_bwrap():
        return BwrapLaunch(interp, limits, source, hidden, name)
    return LauncherLaunch(interp, limits, source, hidden, name)


def _environment(marker: str) -> dict[str, str]:
    """An allow-list: nothing is inherited, so no API key or token can leak in."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin" if os.name == "posix" else os.defpath,
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        # One thread each: BLAS thread pools would count against the process limit.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        MARKER_VAR: marker,
        **({"SYSTEMROOT": os.environ.get("SYSTEMROOT", "")} if os.name == "nt" else {}),
    }


def _display_last_expression(source: str) -> str:
    """Print a trailing bare expression, as a notebook (and Qwen's executor) would show it."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: NUL bytes, lone surrogates
        return source  # the sandboxed interpreter reports it
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return source
    last = tree.body[-1]
    value = last.value
    if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "print":
        return source
    lines = source.splitlines()
    start, end = last.lineno - 1, (last.end_lineno or last.lineno)
    if last.col_offset != 0 or last.end_col_offset != len(lines[end - 1]):
        return source  # shares a line with other statements: leave it alone
    expr = "\n".join(lines[start:end])
    shown = f"__value = (\n{expr}\n)\nif __value is not None:\n    print(__value)\n"
    return "\n".join(lines[:start]) + "\n" + shown


def _collect(
    proc: subprocess.Popen[bytes], deadline: float, limit: int, cancel: threading.Event
) -> tuple[bytes, str]:
    """Read output until the sandbox exits, the time is up, output overflows or cancel."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            if cancel.is_set():
                return b"".join(chunks), "cancel"
            if time.monotonic() >= deadline:
                return b"".join(chunks), "timeout"
            exited = proc.poll() is not None
            if selector.select(_POLL_S) or exited:
                # A descendant may still hold the pipe open: read what is there, never block.
                with contextlib.suppress(BlockingIOError):
                    while block := os.read(fd, 65536):
                        chunks.append(block)
                        size += len(block)
                        if size > limit * 4 + 4096:  # bytes; enough for `limit` characters
                            return b"".join(chunks), "overflow"
                    if not exited:
                        selector.unregister(fd)  # EOF: only the exit is left to wait for
                        try:
                            proc.wait(max(0.0, deadline - time.monotonic()))
                        except subprocess.TimeoutExpired:
                            return b"".join(chunks), "timeout"
                        exited = True
            if exited:
                return b"".join(chunks), "exit"


def _rest(proc: subprocess.Popen[bytes]) -> bytes:
    """What is left in the output pipe of a sandbox already killed."""
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    with contextlib.suppress(OSError):
        return os.read(proc.stdout.fileno(), 65536)
    return b""


def _kill_all(proc: subprocess.Popen[bytes], marker: str, launch: Launch) -> None:
    """Kill the sandbox's process group, its first process, its cgroup and any marked process."""
    if os.name != "posix":
        launch.kill()
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(KILL_GRACE_S)
        return
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    launch.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(KILL_GRACE_S)
    # A fork bomb may still be forking, and a loaded machine reaps slowly: sweep until
    # nothing is left, by the clock rather than a fixed number of rounds.
    deadline = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < deadline:
        pids = set(launch.pids()) | set(_marked_pids(marker))
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    log.warning("sandbox processes survived %.0f s of SIGKILL", KILL_GRACE_S)


def _marked_pids(marker: str) -> list[int]:
    """Live processes whose environment carries this run's marker (Linux /proc only)."""
    if not os.path.isdir("/proc"):
        return []
    needle = f"{MARKER_VAR}={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0"):
                    with open(f"/proc/{entry}/stat") as s:
                        if s.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):
                            found.append(int(entry))
        except (OSError, IndexError):
            continue
    return found


def _result(
    data: bytes,
    ended_by: str,
    returncode: int | None,
    timeout: float,
    limit: int,
    protections: dict[str, object],
) -> SandboxResult:
    text = data.decode("utf-8", errors="replace")
    status: Status
    if ended_by == "overflow" or len(text) > limit:
        text, status = text[:limit].rstrip() + "\n... (output truncated)", "truncated"
    elif ended_by == "timeout":
        note = f"TimeoutError: the code ran longer than {timeout:g} s and was stopped."
        text, status = _join(text, note), "timeout"
    elif ended_by == "cancel":
        text, status = _join(text, "The run was stopped."), "killed"
    elif returncode == 0:
        status = "ok"
    elif returncode is not None and returncode > 128:
        sig = returncode - 128
        if sig == getattr(signal, "SIGXCPU", -1):
            text, status = _join(text, "TimeoutError: the CPU time limit was reached."), "timeout"
        else:
            text, status = _join(text, f"The code was killed ({_signal_name(sig)})."), "killed"
    else:
        text, status = _last_error_line(text), "error"
    return SandboxResult(text.strip(), status, protections)


def _join(text: str, note: str) -> str:
    return f"{text.rstrip()}\n{note}" if text.strip() else note


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _last_error_line(text: str) -> str:
    """Keep what was printed before a traceback, and only the traceback's final line."""
    head, sep, tail = text.partition("Traceback (most recent call last):")
    if not sep:
        if 'File "' in text and "Error" in text:  # a SyntaxError has no "Traceback" header
            lines = [line for line in text.splitlines() if line.strip()]
            return lines[-1] if lines else text
        return text
    lines = [line for line in tail.splitlines() if line.strip()]
    return _join(head, lines[-1] if lines else "Error")

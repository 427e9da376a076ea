"""Run model-written Python in a separate, limited, isolated process (TIR's code runner)."""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.events import CodeStatus

Status = CodeStatus
LAUNCHER = Path(__file__).with_name("sandbox_launcher.py")
MARKER_VAR = "QWEN_MATH_SANDBOX"
_SECRETS = (
    ".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".config", ".netrc", ".pypirc",
    ".git-credentials", ".bash_history", ".zsh_history", ".python_history",
    ".local/share/qwen-math",
)  # fmt: skip
_POLL_S = 0.05
KILL_GRACE_S = 5.0  # how long killing and reaping may take on a loaded machine
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxResult:
    """What the code printed (stdout + stderr, traceback cut to its last line), how it ended."""

    output: str
    status: Status
    protections: dict[str, object] = field(default_factory=dict, compare=False)


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
    root = Path(tempfile.mkdtemp(prefix="qwen-math-sandbox-"))
    work, home = root / "work", root / "home"
    work.mkdir()
    home.mkdir()
    script = root / "snippet.py"
    script.write_text(_display_last_expression(source), encoding="utf-8")
    marker = uuid.uuid4().hex
    cgroup = _make_pids_cgroup(marker, max_processes)
    report_r, report_w = os.pipe()
    config = {
        "python": sys.executable,
        "script": str(script),
        "report_fd": report_w,
        "cpu_s": int(timeout) + 1,
        "memory": memory_mb * 1024 * 1024 if memory_mb else 0,
        "fsize": file_size_mb * 1024 * 1024,
        "nofile": 64,
        "nproc": max_processes,
        "cgroup": cgroup,
        "hide": list(hide if hide is not None else default_hidden_paths()),
    }
    posix = os.name == "posix"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(LAUNCHER), json.dumps(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=work,
            env=_environment(home, work, marker),
            close_fds=True,
            pass_fds=(report_w,) if posix else (),
            start_new_session=posix,
        )
    except OSError as exc:
        os.close(report_r)
        os.close(report_w)
        _cleanup(root, cgroup)
        return SandboxResult(f"The sandbox could not start: {exc}", "error")
    os.close(report_w)
    try:
        data, ended_by = _collect(proc, timeout, output_limit, cancel or threading.Event())
    finally:
        _kill_all(proc, marker, cgroup)
        protections = _read_report(report_r)
        _cleanup(root, cgroup)
        if proc.stdout is not None:
            proc.stdout.close()
    return _result(data, ended_by, proc.returncode, timeout, output_limit, protections)


def default_hidden_paths() -> tuple[str, ...]:
    """Secrets under the user's real home, covered up when a mount namespace is available."""
    home = Path.home()
    paths = [str(home / name) for name in _SECRETS]
    if os.environ.get("QWEN_MATH_HOME"):
        paths.append(os.environ["QWEN_MATH_HOME"])
    return tuple(paths)


def _environment(home: Path, work: Path, marker: str) -> dict[str, str]:
    """An allow-list: nothing is inherited, so no API key or token can leak in."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin" if os.name == "posix" else os.defpath,
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(work),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home),
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
    except SyntaxError:
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
    proc: subprocess.Popen[bytes], timeout: float, limit: int, cancel: threading.Event
) -> tuple[bytes, str]:
    """Read output until the launcher exits, the time is up, output overflows or cancel."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
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


def _kill_all(proc: subprocess.Popen[bytes], marker: str, cgroup: str | None) -> None:
    """Kill the launcher's group, the pids cgroup, and any process carrying our marker."""
    if os.name != "posix":
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        return
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
    # A fork bomb may still be forking, and a loaded machine reaps slowly: sweep until
    # nothing is left, by the clock rather than a fixed number of rounds.
    deadline = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < deadline:
        pids = set(_cgroup_pids(cgroup)) | set(_marked_pids(marker))
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


def _make_pids_cgroup(marker: str, max_processes: int) -> str | None:
    """A cgroup capping the number of processes, where we may make one (Linux, often root)."""
    if not sys.platform.startswith("linux"):
        return None
    for base in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        path = os.path.join(base, f"qwen-math-sandbox-{marker}")
        try:
            os.mkdir(path)
        except OSError:
            continue
        try:
            with open(os.path.join(path, "pids.max"), "w") as f:
                f.write(str(max_processes))
        except OSError:
            with contextlib.suppress(OSError):
                os.rmdir(path)
            continue
        return path
    return None


def _cgroup_pids(cgroup: str | None) -> list[int]:
    if not cgroup:
        return []
    try:
        with open(os.path.join(cgroup, "cgroup.procs")) as f:
            return [int(line) for line in f if line.strip()]
    except OSError:
        return []


def _read_report(fd: int) -> dict[str, object]:
    try:
        with os.fdopen(fd, "rb") as f:
            os.set_blocking(f.fileno(), False)
            data = f.read() or b""
        report = json.loads(data)
    except (OSError, ValueError, TypeError):
        return {}
    return report if isinstance(report, dict) else {}


def _cleanup(root: Path, cgroup: str | None) -> None:
    if cgroup:
        deadline = time.monotonic() + KILL_GRACE_S
        while True:
            try:
                os.rmdir(cgroup)
                break
            except FileNotFoundError:
                break
            except OSError:  # still has (dying) members
                if time.monotonic() > deadline:
                    log.warning("sandbox cgroup %s could not be removed", cgroup)
                    break
                for pid in _cgroup_pids(cgroup):
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.01)
    shutil.rmtree(root, ignore_errors=True)


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

"""The TIR sandbox: model-written code runs limited and isolated, and attacks are contained."""

from __future__ import annotations

import glob
import os
import socket
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from desktop_app.core.sandbox import MARKER_VAR, SandboxResult, run_code

LINUX = sys.platform.startswith("linux")


@cache
def protections() -> dict[str, object]:
    """What isolation this machine grants the sandbox (probed once)."""
    return run_code("pass").protections


def namespaces() -> list[str]:
    value = protections().get("namespaces")
    return list(value) if isinstance(value, list) else []


def alive(pid: int) -> bool:
    """True for a live process (a zombie is dead: it only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def sandbox_processes() -> list[int]:
    """Live processes that carry any sandbox's marker in their environment."""
    found = []
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(path, "rb") as f:
                if any(v.startswith(MARKER_VAR.encode() + b"=") for v in f.read().split(b"\0")):
                    pid = int(path.split("/")[2])
                    if alive(pid):
                        found.append(pid)
        except OSError:
            continue
    return found


def live_children() -> list[int]:
    me = str(os.getpid())
    children = []
    for path in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(path) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me and fields[0] not in ("Z", "X"):
            children.append(int(path.split("/")[2]))
    return children


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Every test leaves no sandbox process, child, cgroup or temporary folder behind."""
    before = set(live_children()) if LINUX else set()
    yield
    if not LINUX:
        return
    deadline = time.monotonic() + 5.0  # reaping is slow on a loaded machine
    while (sandbox_processes() or set(live_children()) - before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox_processes() == []
    assert set(live_children()) - before == set()
    assert glob.glob("/sys/fs/cgroup/*/qwen-math-sandbox-*") == []
    assert glob.glob(os.path.join(tempfile.gettempdir(), "qwen-math-sandbox-*")) == []


def timed(source: str, **kwargs: object) -> tuple[SandboxResult, float]:
    start = time.monotonic()
    result = run_code(textwrap.dedent(source), **kwargs)  # type: ignore[arg-type]
    return result, time.monotonic() - start


# -- ordinary runs ---------------------------------------------------------------------------


def test_printed_output_comes_back() -> None:
    """GIVEN code that prints WHEN run THEN its output and status ok come back."""
    assert run_code("print(6 * 7)") == SandboxResult("42", "ok")


def test_a_trailing_expression_is_shown_like_a_notebook() -> None:
    """GIVEN code ending in a bare expression THEN its value is printed."""
    assert run_code("x = 3\nx ** 2").output == "9"
    assert run_code("x = 3\nprint(x)\nNone").output == "3"


def test_an_error_shows_only_the_last_traceback_line_after_the_printed_output() -> None:
    """GIVEN code that prints then raises THEN the output ends with the exception line only."""
    result = run_code("print('before')\n1 / 0")
    assert result == SandboxResult("before\nZeroDivisionError: division by zero", "error")


def test_a_syntax_error_is_reported() -> None:
    """GIVEN code that does not parse THEN the SyntaxError line comes back."""
    result = run_code("x = (")
    assert result.status == "error"
    assert result.output.startswith("SyntaxError")


def test_stdin_is_closed() -> None:
    """GIVEN code calling input() THEN it fails at once with EOFError instead of hanging."""
    result, seconds = timed("input('x? ')", timeout=5)
    assert result.status == "error"
    assert "EOFError" in result.output
    assert seconds < 5


def test_sympy_from_site_packages_is_available() -> None:
    """GIVEN code using sympy WHEN run THEN it works (site-packages are kept)."""
    source = "import sympy as sp\nx = sp.symbols('x')\nprint(sp.solve(x**2 - 4, x))"
    assert run_code(source, timeout=20) == SandboxResult("[-2, 2]", "ok")


def test_cancel_kills_a_running_sandbox_promptly() -> None:
    """GIVEN a long run WHEN cancel is set THEN it stops within a moment, status killed."""
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    result, seconds = timed("while True: pass", timeout=20, cancel=cancel)
    timer.join()
    assert result.status == "killed"
    assert seconds < 2


# -- attacks --------------------------------------------------------------------------------


def test_infinite_loop_times_out() -> None:
    """GIVEN an endless loop THEN the wall-clock limit stops it."""
    result, seconds = timed("while True: pass", timeout=1)
    assert result.status == "timeout"
    assert "TimeoutError" in result.output
    assert seconds < 3


def test_memory_hog_is_stopped() -> None:
    """GIVEN code grabbing memory without end THEN the address-space limit stops it."""
    source = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))"
    result, seconds = timed(source, memory_mb=256, timeout=10)
    assert result.status in ("error", "killed")
    assert result.status == "killed" or "MemoryError" in result.output
    assert seconds < 10


def test_print_flood_is_truncated_promptly() -> None:
    """GIVEN code printing forever THEN the output is cut and the run stopped."""
    result, seconds = timed("while True: print('x' * 1000)", output_limit=2000, timeout=10)
    assert result.status == "truncated"
    assert len(result.output) < 2100
    assert result.output.endswith("(output truncated)")
    assert seconds < 3


def test_huge_file_is_stopped_by_the_file_size_limit() -> None:
    """GIVEN code writing a file past the limit THEN the write fails with File too large."""
    source = """
        with open('big.bin', 'wb') as f:
            for _ in range(64):
                f.write(b'0' * 1024 * 1024)
    """
    result, _ = timed(source, file_size_mb=1)
    assert result.status == "error"
    assert "File too large" in result.output


def test_secrets_are_not_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN an API key in the app's environment THEN the code sees no key, no real ~/.ssh."""
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-very-secret")
    source = f"""
        import os
        print(os.environ.get('DASHSCOPE_API_KEY'))
        print(os.path.exists(os.path.expanduser('~/.ssh')))
        try:
            print(open('/proc/{os.getpid()}/environ', 'rb').read().count(b'sk-very-secret'))
        except OSError as exc:
            print(type(exc).__name__)
    """
    result = run_code(textwrap.dedent(source))
    lines = result.output.splitlines()
    assert lines[:2] == ["None", "False"]
    if "pid" in namespaces() and "mount" in namespaces():  # its own /proc: the app is not in it
        assert lines[2] in ("FileNotFoundError", "PermissionError")
    assert "sk-very-secret" not in result.output


def test_hidden_paths_are_covered(tmp_path: Path) -> None:
    """GIVEN a secret folder and file to hide THEN the code finds them empty."""
    if "mount" not in namespaces():
        pytest.skip("no mount namespace here: absolute paths to secrets stay readable")
    folder = tmp_path / "dotssh"
    folder.mkdir()
    (folder / "id_rsa").write_text("PRIVATE KEY")
    history = tmp_path / "history.sqlite3"
    history.write_text("PRIVATE HISTORY")
    source = f"""
        import os
        print(os.listdir({str(folder)!r}) if os.access({str(folder)!r}, os.R_OK) else 'denied')
        print(repr(open({str(history)!r}).read()))
    """
    result = run_code(textwrap.dedent(source), hide=(str(folder), str(history)))
    assert "PRIVATE" not in result.output
    assert result.output.splitlines()[-1] == "''"


def test_network_connection_fails() -> None:
    """GIVEN a listening socket on this machine THEN the code cannot connect to it."""
    if "net" not in namespaces():
        pytest.skip("no network namespace here (needs Linux with user or root namespaces)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        source = f"""
            import socket
            try:
                socket.create_connection(('127.0.0.1', {port}), timeout=2)
                print('connected')
            except OSError as exc:
                print('refused', type(exc).__name__)
        """
        result = run_code(textwrap.dedent(source))
    assert result.output.startswith("refused")


@pytest.mark.skipif(not LINUX, reason="process tracking through /proc is Linux-only")
def test_a_setsid_grandchild_does_not_outlive_the_run(tmp_path: Path) -> None:
    """GIVEN code whose grandchild leaves the session THEN it is dead when run_code returns."""
    token = f"grandchild-{uuid.uuid4().hex}"
    ready = tmp_path / "ready"
    source = f"""
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                open({str(ready)!r}, 'w').close()
                os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)',
                                          {token!r}])
            os._exit(0)
        while not os.path.exists({str(ready)!r}):
            time.sleep(0.01)
        time.sleep(0.2)
        print('spawned')
    """
    result = run_code(textwrap.dedent(source), timeout=10)
    assert result == SandboxResult("spawned", "ok")
    assert ready.exists()
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                if token.encode() in f.read():
                    assert not alive(int(path.split("/")[2])), "the grandchild survived"
        except OSError:
            continue


def test_fork_bomb_is_contained_and_returns_promptly() -> None:
    """GIVEN a fork bomb THEN the process cap holds, the run ends and nothing is left."""
    contained = protections().get("pids_cgroup") is True or (LINUX and os.geteuid() != 0)
    if not contained:
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
    assert seconds < 5
    assert os.getloadavg()[0] < 200  # the machine stays usable


def test_a_planted_module_in_the_working_folder_is_not_imported() -> None:
    """GIVEN code that writes sympy.py in its folder THEN `import sympy` still gets the real one."""
    source = """
        import os
        with open('sympy.py', 'w') as f:
            f.write('PLANTED = True')
        with open('json.py', 'w') as f:
            f.write('PLANTED = True')
        import json, sympy
        print(hasattr(sympy, 'PLANTED'), hasattr(json, 'PLANTED'), os.path.exists('sympy.py'))
    """
    assert run_code(textwrap.dedent(source), timeout=20) == SandboxResult("False False True", "ok")

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

from desktop_app.core import sandbox, sandbox_paths
from desktop_app.core.sandbox import MARKER_VAR, SandboxResult, _environment, run_code
from desktop_app.core.sandbox_bwrap import bwrap_works

LINUX = sys.platform.startswith("linux")
LAUNCHERS = ["bwrap", "fallback"] if LINUX else ["fallback"]


@cache
def protections(launcher: str) -> dict[str, object]:
    """What isolation this machine grants the sandbox through `launcher` (probed once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_use_bwrap", lambda: launcher == "bwrap")
        return run_code("pass").protections


def namespaces(launcher: str) -> list[str]:
    value = protections(launcher).get("namespaces")
    return list(value) if isinstance(value, list) else []


@pytest.fixture(params=LAUNCHERS)
def launcher(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test that takes it runs under bubblewrap and under the fallback launcher."""
    name: str = request.param
    if name == "bwrap" and not bwrap_works():
        pytest.skip("bubblewrap is not installed (or cannot make namespaces here)")
    monkeypatch.setattr(sandbox, "_use_bwrap", lambda: name == "bwrap")
    return name


def alive(pid: int) -> bool:
    """True for a live process (a zombie is dead: it only waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


OURS = f"qwen-math-sandbox-{os.getpid()}-"  # runs of this process (others may run in parallel)


def sandbox_processes() -> list[int]:
    """Live processes that carry the marker of one of this process's sandbox runs."""
    found = []
    prefix = f"{MARKER_VAR}={os.getpid()}-".encode()
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(path, "rb") as f:
                if any(v.startswith(prefix) for v in f.read().split(b"\0")):
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
    assert glob.glob(f"/sys/fs/cgroup/**/{OURS}*", recursive=True) == []
    assert glob.glob(os.path.join(tempfile.gettempdir(), f"{OURS}*")) == []


def timed(source: str, **kwargs: object) -> tuple[SandboxResult, float]:
    start = time.monotonic()
    result = run_code(textwrap.dedent(source), **kwargs)  # type: ignore[arg-type]
    return result, time.monotonic() - start


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


# -- isolation ------------------------------------------------------------------------------


def test_secrets_are_not_reachable(launcher: str, monkeypatch: pytest.MonkeyPatch) -> None:
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
    if "pid" in namespaces(launcher):  # its own /proc: the app is not in it
        assert lines[2] in ("FileNotFoundError", "PermissionError")
    assert "sk-very-secret" not in result.output


def test_hidden_paths_are_not_readable(launcher: str, tmp_path: Path) -> None:
    """GIVEN a secret folder and file to hide THEN the code cannot read them (bwrap: not
    there at all; fallback: covered by an empty tmpfs and /dev/null)."""
    if launcher == "fallback" and "mount" not in namespaces(launcher):
        pytest.skip("no mount namespace here: absolute paths to secrets stay readable")
    folder = tmp_path / "dotssh"
    folder.mkdir()
    (folder / "id_rsa").write_text("PRIVATE KEY")
    history = tmp_path / "history.sqlite3"
    history.write_text("PRIVATE HISTORY")
    source = f"""
        import os
        for path in [{str(folder / "id_rsa")!r}, {str(history)!r}]:
            try:
                print(repr(open(path).read()))
            except OSError as exc:
                print(type(exc).__name__)
    """
    result = run_code(textwrap.dedent(source), hide=(str(folder), str(history)))
    assert "PRIVATE" not in result.output
    assert result.status == "ok"
    assert len(result.output.splitlines()) == 2


def test_network_connection_fails(launcher: str) -> None:
    """GIVEN a listening socket on this machine THEN the code cannot connect to it."""
    if launcher == "fallback" and "net" not in namespaces(launcher):
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


def test_a_planted_module_in_the_working_folder_is_not_imported(launcher: str) -> None:
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


@pytest.mark.skipif(not LINUX, reason="process tracking through /proc is Linux-only")
def test_a_setsid_grandchild_does_not_outlive_the_run(launcher: str) -> None:
    """GIVEN code whose grandchild leaves the session THEN it is dead when run_code returns."""
    if not protections(launcher).get("cgroup"):
        pytest.skip("no cgroup here: the sandbox refuses new processes altogether")
    token = f"grandchild-{uuid.uuid4().hex}"
    source = f"""
        import os, sys, time
        ready_r, ready_w = os.pipe()
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.write(ready_w, b'1')
                os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)',
                                          {token!r}])
            os._exit(0)
        os.read(ready_r, 1)
        time.sleep(0.2)
        print('spawned')
    """
    result = run_code(textwrap.dedent(source), timeout=10)
    assert result == SandboxResult("spawned", "ok")
    for path in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(path, "rb") as f:
                if token.encode() in f.read():
                    assert not alive(int(path.split("/")[2])), "the grandchild survived"
        except OSError:
            continue


@pytest.mark.skipif(not LINUX, reason="Linux-only layers")
def test_the_fallback_launcher_locks_the_code_down() -> None:
    """GIVEN no bubblewrap WHEN code runs THEN it still has no capability, no_new_privs, the
    seccomp filter (no mount, socket, setns) and read-only sysctls."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_use_bwrap", lambda: False)
        source = """
            import ctypes, os, socket
            libc = ctypes.CDLL(None, use_errno=True)
            status = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())
            print([int(status[k], 16) for k in ('CapPrm', 'CapEff', 'CapBnd')])
            print(status['NoNewPrivs'].strip(), status['Seccomp'].strip())
            print(libc.umount2(b'/proc', 2), libc.setns(0, 0), libc.unshare(0x00020000))
            for call in (socket.socket, lambda: os.open('/proc/sys/kernel/core_pattern', 1)):
                try:
                    call()
                    print('allowed')
                except OSError as exc:
                    print(type(exc).__name__)
        """
        result = run_code(textwrap.dedent(source))
    assert result.protections.get("tool") == "launcher"
    assert result.output.splitlines() == [
        "[0, 0, 0]",
        "1 2",
        "-1 -1 -1",
        "PermissionError",
        result.output.splitlines()[-1],
    ]
    assert result.output.splitlines()[-1] in ("PermissionError", "OSError")


@pytest.mark.skipif(not LINUX, reason="Linux-only layers")
def test_the_fallback_report_cannot_be_forged() -> None:
    """GIVEN code that writes a fake report into every descriptor it can reach THEN the
    protections report is still the launcher's own."""
    source = """
        import os
        forged = b'{"tool": "forged", "forged": true}\\n'
        for fd in range(3, 256):
            try:
                os.write(fd, forged)
            except OSError:
                pass
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                fds = os.listdir(f'/proc/{pid}/fd')
            except OSError:
                continue
            for fd in fds:
                try:
                    handle = os.open(f'/proc/{pid}/fd/{fd}', os.O_WRONLY | os.O_NONBLOCK)
                    os.write(handle, forged)
                    os.close(handle)
                except OSError:
                    pass
        print('done')
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_use_bwrap", lambda: False)
        result = run_code(textwrap.dedent(source))
    assert result.protections.get("tool") == "launcher"
    assert "forged" not in result.protections


@pytest.mark.skipif(not LINUX or os.geteuid() != 0, reason="needs root")
def test_as_root_the_kernel_sees_the_code_as_nobody() -> None:
    """GIVEN the app running as root WHEN code runs under bubblewrap THEN every uid of its
    process is 65534 as the kernel counts them (not 0 with its capabilities dropped)."""
    if not bwrap_works():
        pytest.skip("bubblewrap is not installed")
    token = uuid.uuid4().hex
    seen: list[str] = []

    def look() -> None:
        deadline = time.monotonic() + 15
        while not seen and time.monotonic() < deadline:
            for path in glob.glob("/proc/[0-9]*/cmdline"):
                pid = path.split("/")[2]
                try:
                    argv = Path(path).read_bytes().split(b"\0")
                    is_code = argv[0] == sys.executable.encode()  # not bwrap, setpriv, prlimit
                    if is_code and token.encode() in Path(f"/proc/{pid}/environ").read_bytes():
                        status = Path(f"/proc/{pid}/status").read_text().splitlines()
                        seen.extend(line for line in status if line.startswith(("Uid", "Gid")))
                except OSError:
                    continue
            time.sleep(0.02)

    watcher = threading.Thread(target=look)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sandbox, "_environment", lambda marker: {**_environment(marker), "T": token})
        watcher.start()
        run_code("import time; time.sleep(3)", timeout=10)
        watcher.join()
    assert seen, "the code's process was not found"
    for line in seen:
        assert line.split()[1:] == ["65534"] * 4, line


def test_an_interpreter_folder_under_tmp_stays_visible_and_read_only(
    launcher: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN an interpreter whose files live under /tmp (a frozen app unpacks there) WHEN code
    runs THEN it reads them, and cannot change them."""
    extra = tmp_path / "bundle"
    extra.mkdir()
    (extra / "helper_module.py").write_text("VALUE = 41\n")
    extra.chmod(0o755)
    (extra / "helper_module.py").chmod(0o644)
    real = sandbox_paths.interpreter
    monkeypatch.setattr(
        sandbox_paths,
        "interpreter",
        lambda: sandbox_paths.Interpreter(real().argv, (*real().read_only, str(extra))),
    )
    source = f"""
        import sys
        sys.path.insert(0, {str(extra)!r})
        import helper_module
        print(helper_module.VALUE + 1)
        try:
            open({str(extra / "helper_module.py")!r}, 'a').write('VALUE = 0')
            print('written')
        except OSError as exc:
            print(type(exc).__name__)
    """
    result = run_code(textwrap.dedent(source))
    assert result.output.splitlines()[0] == "42"
    if launcher == "bwrap":
        assert result.output.splitlines()[1] in ("OSError", "PermissionError")
        assert (extra / "helper_module.py").read_text() == "VALUE = 41\n"


def test_isolation_names_what_this_machine_gives() -> None:
    """GIVEN this machine WHEN asked THEN the level matches what is installed."""
    expected = "bubblewrap" if LINUX and bwrap_works() else None
    level = sandbox.isolation()
    assert level in ("bubblewrap", "namespaces", "seatbelt", "limits")
    if expected:
        assert level == expected

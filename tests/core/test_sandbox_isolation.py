"""The TIR sandbox isolates model code: secrets, network, processes, kernel uid, its report."""

from __future__ import annotations

import glob
import os
import socket
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest

from desktop_app.core import sandbox, sandbox_paths
from desktop_app.core.sandbox import SandboxResult, _environment, run_code
from desktop_app.core.sandbox_bwrap import bwrap_works
from tests.core.sandbox_fixtures import (
    alive,
    launcher,
    namespaces,
    nothing_left_behind,
    protections,
)

__all__ = ["launcher", "nothing_left_behind"]  # fixtures, used by name
pytestmark = pytest.mark.usefixtures("nothing_left_behind")
LINUX = sys.platform.startswith("linux")


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

"""Helpers for the edge tests: run the real CLI as `nobody`, in a private mount namespace, and
measure how long it took and how much memory it used.

As root, `chmod 000` and `chmod -w` stop nothing, so "unreadable" and "read-only" are made
real in two ways: a process dropped to `nobody` with `setpriv` (on root-owned folders), and,
for root itself, a read-only or tiny tmpfs mounted in a private mount namespace (`unshare
-m`), which vanishes with the process and is seen by nothing else on the machine.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

NOBODY = ("--reuid=nobody", "--regid=nogroup", "--clear-groups")


@dataclass(frozen=True)
class Run:
    """A finished CLI process: exit code, output, wall time and peak memory."""

    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float
    max_rss_mb: float

    @property
    def err_lines(self) -> list[str]:
        """stderr's lines, as text."""
        return self.stderr.decode(errors="replace").splitlines()


def cli_args(args: Sequence[str], python: Sequence[str] = (sys.executable,)) -> list[str]:
    """`python -m desktop_app ARGS`."""
    return [*python, "-m", "desktop_app", *args]


# Spawns the command and reports its wall time, exit status and peak memory. It runs in a
# small process of its own because a child's peak RSS (wait4) includes the memory of whoever
# forked it, kept across exec: forked straight from pytest (Qt, torch loaded) it would read
# over a gigabyte whatever the CLI did.
_LAUNCHER = """
import os, subprocess, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.monotonic()
child = subprocess.Popen(argv, close_fds=False)
_, status, usage = os.wait4(child.pid, 0)
code = os.waitstatus_to_exitcode(status)
with open(report, "w") as out:
    out.write(f"{code} {time.monotonic() - started} {usage.ru_maxrss}")
"""


def run_measured(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    stdin: int | None = None,
    timeout: float = 60,
    pass_fds: Sequence[int] = (),
) -> Run:
    """Run `argv` with its output on pipes (as a terminal would not buffer it into a file),
    timing it and reading its peak resident memory."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report"
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(report), *argv],
            cwd=ROOT,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=pass_fds,
            start_new_session=True,  # a timeout kills the whole group
        )
        killer = threading.Timer(timeout, os.killpg, (proc.pid, signal.SIGKILL))
        killer.start()
        try:
            out, err = proc.communicate()
        finally:
            killer.cancel()
        if not report.exists():  # killed at the timeout
            return Run(-signal.SIGKILL, out, err, timeout, 0.0)
        code, seconds, max_rss_kb = report.read_text().split()
    return Run(int(code), out, err, float(seconds), int(max_rss_kb) / 1024)


def with_file_size_limit(limit: int, argv: Sequence[str]) -> list[str]:
    """`argv` run under RLIMIT_FSIZE = `limit` bytes (what `ulimit -f` sets; no root needed)."""
    code = (
        "import os, resource, sys; "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        "os.execvp(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", code, *argv]


@functools.cache
def _nobody_python() -> tuple[tuple[str, ...], str] | str:
    """(command prefix running Python as nobody, PYTHONPATH) or why there is none."""
    if os.name != "posix" or os.geteuid() != 0:
        return "only root can drop to nobody"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    purelib = sysconfig.get_paths()["purelib"]
    path = os.pathsep.join([str(ROOT), purelib])
    candidates = [os.path.realpath(sys.executable), f"/usr/bin/python{version}"]
    commands = [("setpriv", *NOBODY, "env", f"PYTHONPATH={path}", p) for p in candidates]
    # Where the checkout or this venv lies in a folder nobody may not enter (a root-only home,
    # a 0700 temporary folder), bubblewrap shows nobody just those paths, read-only.
    from desktop_app.core import sandbox_paths
    from desktop_app.core.sandbox_bwrap import bwrap_path, reachable_as_nobody, setpriv_path

    bwrap, setpriv = bwrap_path(), setpriv_path()
    if bwrap is not None and setpriv is not None:
        readable = [*sandbox_paths.interpreter().read_only, str(ROOT), purelib]
        prefix = reachable_as_nobody(readable, bwrap, setpriv)
        commands.append((*prefix, "env", f"PYTHONPATH={path}", sys.executable))
    for command in dict.fromkeys(commands):
        probe = subprocess.run(
            [*command, "-c", "import desktop_app.cli, PIL.Image, requests, dashscope"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0:
            return tuple(command), path
    return (
        f"no Python {version} that nobody may run can import the app (this venv's interpreter "
        "and the checkout must be readable by other users, or bubblewrap must be installed)"
    )


def nobody_python() -> list[str]:
    """The command prefix running this venv's packages as `nobody`; the test skips without one."""
    found = _nobody_python()
    if isinstance(found, str):
        pytest.skip(f"no unprivileged run: {found}")
    return list(found[0])


@functools.cache
def _mounts_problem() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        timeout=30,
        check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        return f"no private mount namespace here ({probe.stderr.decode().strip()})"
    return None


def in_private_mounts(setup: Sequence[str], argv: Sequence[str]) -> list[str]:
    """`argv` run after the shell commands `setup` (mounts) in a private mount namespace; the
    test skips where that is impossible (not root, no namespaces)."""
    problem = _mounts_problem()
    if problem is not None:
        pytest.skip(f"no private mounts: {problem}")
    script = " && ".join([*setup, 'exec "$@"'])
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv]


def mount_tmpfs(folder: Path, *options: str) -> str:
    """The shell command mounting a tmpfs on `folder` with `options` (e.g. "ro", "size=64k")."""
    joined = ",".join(options) or "defaults"
    return f"mount -t tmpfs -o {joined} tmpfs {shlex.quote(str(folder))}"


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A root-owned folder under the system temp dir that every user may read but not write
    (pytest's own tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="qwen-math-edge-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def one_sentence(run: Run) -> str:
    """The one `qwen-math:` line on stderr: no traceback, no other line, a full sentence."""
    text = run.stderr.decode(errors="replace")
    assert "Traceback" not in text, text
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    (line,) = lines
    assert line.startswith("qwen-math: "), line
    assert line.endswith("."), line
    assert "\x1b" not in line, repr(line)
    assert "\r" not in line, repr(line)
    return line

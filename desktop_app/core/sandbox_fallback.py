"""Model code without bubblewrap: our own launcher (Linux, macOS) or a job object (Windows).

Linux without bwrap: the launcher (core/sandbox_launcher.py) unshares what it can, covers
the hidden paths, joins the run's cgroup, drops every capability, sets no_new_privs and
loads the same seccomp filter as the bwrap sandbox. The filesystem stays the host's: this is
weaker than bwrap, and the protections report says what each run got.
macOS: the same launcher (rlimits) under a `sandbox-exec` profile (core/sandbox_macos.py).
Windows: the interpreter, started suspended, inside a job object (core/sandbox_windows.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core import sandbox_cgroup, sandbox_macos
from desktop_app.core.sandbox_bwrap import Limits
from desktop_app.core.sandbox_paths import Interpreter, resolve
from desktop_app.core.sandbox_seccomp import compiled_filter

LAUNCHER = Path(__file__).with_name("sandbox_launcher.py")
LINUX = sys.platform.startswith("linux")
WINDOWS = os.name == "nt"


@dataclass
class LauncherLaunch(sandbox_cgroup.CgroupRun):
    """One run through the launcher script (or, on Windows, straight into a job object)."""

    interp: Interpreter
    limits: Limits
    source: str
    hidden: Sequence[str]
    name: str
    argv: list[str] = field(default_factory=list)
    pass_fds: tuple[int, ...] = ()
    creationflags: int = 0
    cwd: str | None = None
    cgroup: sandbox_cgroup.RunCgroup | None = None
    report: dict[str, object] = field(default_factory=dict)
    _root: Path | None = None
    _report_r: int | None = None
    _job: Any = None

    def prepare(self) -> None:
        """Make the run's folder, script, cgroup, seccomp program and the command line."""
        self._root = root = Path(tempfile.mkdtemp(prefix=f"qwen-math-sandbox-{os.getpid()}-"))
        (root / "work").mkdir()
        (root / "home").mkdir()
        self.cwd = str(root / "work")
        script = root / "snippet.py"
        script.write_text(self.source, encoding="utf-8", errors="replace")
        if WINDOWS:
            from desktop_app.core.sandbox_windows import CREATE_NO_WINDOW, CREATE_SUSPENDED

            self.argv = [*self.interp.argv, str(script)]
            self.creationflags = CREATE_SUSPENDED | CREATE_NO_WINDOW
            self.report = {"tool": "job object"}
            return
        memory = self.limits.memory_mb * 1024 * 1024
        if LINUX:
            self.cgroup = sandbox_cgroup.create(
                self.name, memory_bytes=memory, max_processes=self.limits.max_processes
            )
        forks = self.cgroup is not None and "pids" in self.cgroup.limits
        bpf = compiled_filter(allow_new_processes=forks) if LINUX else None
        fds: list[int] = []
        seccomp_fd = None
        if bpf is not None:
            seccomp_fd = os.memfd_create("qwen-math-seccomp", 0)
            os.write(seccomp_fd, bpf)
            os.lseek(seccomp_fd, 0, os.SEEK_SET)
            fds.append(seccomp_fd)
        self._report_r, report_w = os.pipe()
        fds.append(report_w)
        config = {
            "python": list(self.interp.argv),
            "script": str(script),
            "report_fd": report_w,
            "seccomp_fd": seccomp_fd,
            "cpu_s": int(self.limits.timeout) + 1,
            "memory": memory,
            "fsize": self.limits.file_size_mb * 1024 * 1024,
            "nofile": 64,
            "nproc": self.limits.max_processes,
            "cgroup": [str(p) for p in self.cgroup.paths] if self.cgroup else [],
            "cgroup_limits": list(self.cgroup.limits) if self.cgroup else [],
            "hide": list(self.hidden),
        }
        self.argv = [*self.interp.argv, str(LAUNCHER), json.dumps(config)]
        if sys.platform == "darwin" and sandbox_macos.available():
            self.argv = sandbox_macos.wrap(
                self.argv,
                home=resolve(str(Path.home())),
                run_folder=resolve(str(root)),
                readable=self.interp.read_only,
            )
        self.pass_fds = tuple(fds)

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """The allow-listed environment, with the run's own home and temporary folder."""
        assert self._root is not None
        home, work = str(self._root / "home"), str(self._root / "work")
        return {**base, "HOME": home, "TMPDIR": work, "MPLCONFIGDIR": home}

    def started(self, proc: subprocess.Popen[bytes], deadline: float) -> str | None:
        """Confine (Windows) or read the launcher's one-line report; what failed, or None."""
        for fd in self.pass_fds:
            os.close(fd)
        self.pass_fds = ()
        if WINDOWS:
            from desktop_app.core import sandbox_windows

            limits = sandbox_windows.job_limits(
                memory_mb=self.limits.memory_mb, cpu_s=int(self.limits.timeout) + 1
            )
            self._job = sandbox_windows.confine(int(proc._handle), limits)  # type: ignore[attr-defined]
            self.report["job"] = self._job is not None
            return None
        line = self._read_line(deadline)
        try:
            report = json.loads(line)
        except ValueError:
            report = None
        if isinstance(report, dict):
            self.report = report
        return None

    def kill(self) -> None:
        """Kill what the run's cgroup (or job) still holds."""
        if self._job is not None:
            from desktop_app.core import sandbox_windows

            sandbox_windows.release(self._job)
            self._job = None
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, 9)

    def close(self, grace_s: float) -> None:
        """Release the cgroup, the report pipe and the run's folder."""
        if self.cgroup is not None:
            self.cgroup.remove(grace_s)
        for fd in (*self.pass_fds, self._report_r):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.pass_fds, self._report_r = (), None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)

    def _read_line(self, deadline: float) -> bytes:
        """The launcher's report: its first line only, then the pipe is closed.

        The launcher writes it and closes its end before the code's process exists; taking
        one line and closing ours leaves nothing the code could append to.
        """
        fd = self._report_r
        if fd is None:
            return b""
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in data and time.monotonic() < deadline:
                if not selector.select(max(0.0, min(0.05, deadline - time.monotonic()))):
                    continue
                block = os.read(fd, 4096)
                if not block:
                    break
                data += block
        os.close(fd)
        self._report_r = None
        return data.split(b"\n", 1)[0]

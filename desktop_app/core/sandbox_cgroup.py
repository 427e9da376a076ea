"""One control group per sandbox run: memory, processes and CPU limited for the whole run.

Made where this process may make one: cgroup v1 (one folder per controller) or a v2 tree
with the controllers delegated, typically as root. Without one (a normal user on most
desktops) the sandbox forbids new processes instead, so its per-process limits are the
whole run's limits (see core/sandbox_seccomp.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000
log = logging.getLogger(__name__)


@dataclass
class RunCgroup:
    """The folders of one run's cgroup (one per v1 controller, or one v2 folder)."""

    paths: list[Path]
    limits: list[str] = field(default_factory=list)  # "memory", "pids", "cpu": what holds
    version: int = 1

    def add(self, pid: int) -> bool:
        """Move `pid` into every folder; its later children are born inside."""
        try:
            for path in self.paths:
                (path / "cgroup.procs").write_text(str(pid))
        except OSError:
            return False
        return True

    def pids(self) -> list[int]:
        """Every process in the run's cgroup."""
        found: set[int] = set()
        for path in self.paths:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(line) for line in (path / "cgroup.procs").read_text().split())
        return sorted(found)

    def oom_killed(self) -> bool:
        """True when the kernel killed a process of this run for memory."""
        for path in self.paths:
            for name in ("memory.events", "memory.oom_control"):
                with contextlib.suppress(OSError, ValueError):
                    for line in (path / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == "oom_kill" and int(value) > 0:
                            return True
        return False

    def peak_memory(self) -> int | None:
        """The most memory the run held at once, in bytes (None where not reported)."""
        for path in self.paths:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                with contextlib.suppress(OSError, ValueError):
                    return int((path / name).read_text())
        return None

    def remove(self, grace_s: float) -> None:
        """Kill what is left inside and remove the folders."""
        deadline = time.monotonic() + grace_s
        for path in self.paths:
            while True:
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # still has (dying) members
                    if time.monotonic() > deadline:
                        log.warning("sandbox cgroup %s could not be removed", path)
                        break
                    for pid in self.pids():
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                    time.sleep(0.01)


class CgroupRun:
    """What a launch with an optional cgroup can say about its run (bubblewrap and fallback)."""

    cgroup: RunCgroup | None

    def pids(self) -> list[int]:
        """Processes of this run that may still be alive."""
        return self.cgroup.pids() if self.cgroup else []

    def oom_killed(self) -> bool:
        """True when the run's memory limit killed one of its processes."""
        return bool(self.cgroup and self.cgroup.oom_killed())


def create(
    name: str,
    *,
    memory_bytes: int,
    max_processes: int,
    root: Path = ROOT,
    own: str | None = None,
) -> RunCgroup | None:
    """A fresh cgroup `name` below this process's own, limited; None where none can be made."""
    own_text = own if own is not None else _read_own()
    if (root / "cgroup.controllers").exists():
        return _create_v2(root, _own_path(own_text, ""), name, memory_bytes, max_processes)
    return _create_v1(root, own_text, name, memory_bytes, max_processes)


def _read_own() -> str:
    try:
        return Path("/proc/self/cgroup").read_text()
    except OSError:
        return ""


def _own_path(own: str, controller: str) -> str:
    """This process's cgroup path for a v1 controller, or for v2 with controller ""."""
    for line in own.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if (controller and controller in parts[1].split(",")) or (
            not controller and parts[0] == "0"
        ):
            return parts[2].strip().lstrip("/")
    return ""


def _create_v1(
    root: Path, own: str, name: str, memory_bytes: int, max_processes: int
) -> RunCgroup | None:
    group = RunCgroup([], version=1)
    settings = {
        "memory": [
            ("memory.limit_in_bytes", str(memory_bytes)),
            ("memory.memsw.limit_in_bytes", str(memory_bytes)),  # no escape into swap
        ],
        "pids": [("pids.max", str(max_processes))],
        "cpu": [
            ("cpu.cfs_period_us", str(CPU_PERIOD_US)),
            ("cpu.cfs_quota_us", str(CPU_PERIOD_US)),
        ],
    }
    for controller, files in settings.items():
        path = root / controller / _own_path(own, controller) / name
        try:
            path.mkdir()
        except OSError:
            continue
        group.paths.append(path)
        if _write_all(path, files, optional={"memory.memsw.limit_in_bytes"}):
            group.limits.append(controller)
    if not group.limits:
        group.remove(1.0)
        return None
    return group


def _create_v2(
    root: Path, own: str, name: str, memory_bytes: int, max_processes: int
) -> RunCgroup | None:
    path = root / own / name
    try:
        path.mkdir()
    except OSError:
        return None
    group = RunCgroup([path], version=2)
    settings = {
        "memory": [("memory.max", str(memory_bytes)), ("memory.swap.max", "0")],
        "pids": [("pids.max", str(max_processes))],
        "cpu": [("cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}")],
    }
    for controller, files in settings.items():
        if _write_all(path, files, optional={"memory.swap.max"}):
            group.limits.append(controller)
    if not group.limits:
        group.remove(1.0)
        return None
    return group


def _write_all(path: Path, files: list[tuple[str, str]], optional: set[str]) -> bool:
    for filename, value in files:
        try:
            (path / filename).write_text(value)
        except OSError:
            if filename not in optional:
                return False
    return True

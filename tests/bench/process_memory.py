"""Resident memory of a process and of the processes it started, from Linux's /proc."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class TreeMemory:
    """Resident set sizes in KiB: the process, the web engine's renderers (forked by its
    zygote, so the process's grandchildren), and its other helpers (the zygotes)."""

    app: int
    renderers: int
    helpers: int

    @property
    def total(self) -> int:
        """The whole tree (shared pages counted once per process)."""
        return self.app + self.renderers + self.helpers

    @classmethod
    def of_this_process(cls) -> TreeMemory:
        """This process and everything it started."""
        return cls.of(os.getpid())

    @classmethod
    def of(cls, pid: int) -> TreeMemory:
        """Process `pid` and everything it started."""
        parents = _parents()
        tree = {pid}
        grew = True
        while grew:
            children = {p for p, parent in parents.items() if parent in tree} - tree
            tree |= children
            grew = bool(children)
        renderers = helpers = 0
        for member in tree - {pid}:
            if parents.get(member) == pid:
                helpers += resident_kib(member)
            else:
                renderers += resident_kib(member)
        return cls(resident_kib(pid), renderers, helpers)

    def as_dict(self) -> dict[str, int]:
        """The three sizes by name (JSON-ready)."""
        return asdict(self)

    def summary(self) -> str:
        """One line in MB."""
        return (
            f"app {self.app / 1024:.0f}, renderer {self.renderers / 1024:.0f}, "
            f"zygotes {self.helpers / 1024:.0f}, total {self.total / 1024:.0f}"
        )


def resident_kib(pid: int) -> int:
    """VmRSS of `pid` in KiB; 0 when it has gone."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _parents() -> dict[int, int]:
    """Every live process's parent."""
    parents = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        # the command name is in parentheses and may hold spaces: fields follow the last ")"
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents

"""Resident memory of a process and of the processes it started, from Linux's /proc."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class TreeMemory:
    """Resident set sizes in KiB: the process; the web engine's renderers (forked by its
    zygotes); the zygotes themselves; and any other process it started (the answer checker)."""

    app: int
    renderers: int
    zygotes: int
    others: int

    @property
    def total(self) -> int:
        """The whole tree (shared pages counted once per process)."""
        return self.app + self.renderers + self.zygotes + self.others

    @classmethod
    def of_this_process(cls) -> TreeMemory:
        """This process and everything it started."""
        return cls.of(os.getpid())

    @classmethod
    def of(cls, pid: int) -> TreeMemory:
        """Process `pid` and everything it started."""
        parents = _parents()
        sizes = {"renderers": 0, "zygotes": 0, "others": 0}
        for child in (p for p, parent in parents.items() if parent == pid):
            web = _is_web_engine(child)
            sizes["zygotes" if web else "others"] += resident_kib(child)
            for grandchild in _descendants(child, parents):
                sizes["renderers" if web else "others"] += resident_kib(grandchild)
        return cls(resident_kib(pid), **sizes)

    def as_dict(self) -> dict[str, int]:
        """The sizes by name (JSON-ready)."""
        return asdict(self)

    def summary(self) -> str:
        """One line in MB."""
        return (
            f"app {self.app / 1024:.0f}, renderer {self.renderers / 1024:.0f}, "
            f"checker and others {self.others / 1024:.0f}, zygotes {self.zygotes / 1024:.0f}, "
            f"total {self.total / 1024:.0f}"
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


def _descendants(pid: int, parents: dict[int, int]) -> set[int]:
    """Every process below `pid`."""
    found: set[int] = set()
    level = {pid}
    while level:
        level = {p for p, parent in parents.items() if parent in level} - found
        found |= level
    return found


def _is_web_engine(pid: int) -> bool:
    """Whether `pid` runs QtWebEngine's helper executable."""
    try:
        return b"QtWebEngineProcess" in (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return False

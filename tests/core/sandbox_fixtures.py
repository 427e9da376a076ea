"""Shared by the sandbox tests: run under each launcher, and leave nothing behind."""

from __future__ import annotations

import glob
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from functools import cache

import pytest

from desktop_app.core import sandbox
from desktop_app.core.sandbox import MARKER_VAR, SandboxResult, run_code
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
    """The namespaces the sandbox gets through `launcher`."""
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
    """This process's live children."""
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


@pytest.fixture
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
    """run_code on dedented source, and how long it took."""
    start = time.monotonic()
    result = run_code(textwrap.dedent(source), **kwargs)  # type: ignore[arg-type]
    return result, time.monotonic() - start

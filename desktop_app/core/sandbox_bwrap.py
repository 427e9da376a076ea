"""Model code under bubblewrap: its own namespaces, a root holding only the interpreter, seccomp.

What the code sees: /usr and the loader's links, the interpreter's folders (read-only), a
fresh /proc of its own pid namespace, a minimal /dev, and a size-capped tmpfs at /tmp with an
empty home and working folder; its script is a read-only copy at /sandbox/snippet.py. No
file of the user, no network (an empty network namespace), no socket() at all (seccomp), no
other process, no capability, no_new_privs. Nothing it writes outlives the run: /tmp is a
tmpfs of its mount namespace.

As root, bwrap itself runs as uid 65534 (nobody): the code's kernel uid is never 0, so
root-owned kernel files that check the uid rather than a capability (core_pattern and the
other sysctls) stay shut. Folders nobody cannot enter (a Python under /root) are made
reachable by an outer bwrap that lays a tmpfs over them and binds back just the
interpreter — in its own mount namespace, so nothing changes on the machine.

The parent finishes the set-up while bwrap waits on --block-fd: it moves the sandbox's
first process into the run's cgroup and sets its rlimits (inherited by the code), then lets
it go. The protections report is built here from what bwrap and the kernel told the parent;
nothing the code can write reaches it.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import stat
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from desktop_app.core import sandbox_cgroup
from desktop_app.core.sandbox_paths import Interpreter, is_within, outermost
from desktop_app.core.sandbox_seccomp import compiled_filter

NOBODY = 65534
SCRIPT = "/sandbox/snippet.py"
HOME, WORK, TMP = "/tmp/home", "/tmp/work", "/tmp"
_SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


@dataclass(frozen=True)
class Limits:
    """What one run may use; the same numbers run_code takes."""

    timeout: float
    memory_mb: int
    file_size_mb: int
    max_processes: int

    @property
    def tmp_bytes(self) -> int:
        """The size of the code's writable /tmp: four times one file's limit."""
        return 4 * self.file_size_mb * 1024 * 1024


def bwrap_path() -> str | None:
    """The bubblewrap binary, if installed."""
    return (
        shutil.which("bwrap") or (os.access("/usr/bin/bwrap", os.X_OK) and "/usr/bin/bwrap") or None
    )


def setpriv_path() -> str | None:
    """util-linux's setpriv, which drops root to nobody before bwrap runs."""
    return shutil.which("setpriv") or None


def prlimit_path() -> str | None:
    """util-linux's prlimit, which sets the rlimits everything after it inherits."""
    return shutil.which("prlimit") or None


def rlimit_args(prlimit: str, limits: Limits) -> list[str]:
    """Per-process limits, set before bwrap starts: the code's process inherits them.

    (Set from outside instead, with prlimit(2) on bwrap's waiting process, they would need
    CAP_SYS_RESOURCE as root, which containers often drop.)
    """
    cpu = int(limits.timeout) + 1
    size = limits.file_size_mb * 1024 * 1024
    args = [prlimit, f"--cpu={cpu}:{cpu + 1}", f"--fsize={size}", "--nofile=64", "--core=0"]
    if limits.memory_mb:
        args.append(f"--as={limits.memory_mb * 1024 * 1024}")
    return [*args, "--"]


def system_args() -> list[str]:
    """/usr read-only, the top-level links into it, and the dynamic loader's config."""
    args = ["--ro-bind", "/usr", "/usr"]
    for path in _SYSTEM_LINKS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _ETC:
        args += ["--ro-bind-try", path, path]
    return args


def cover_args(hidden: Iterable[str], visible: Sequence[str]) -> tuple[list[str], list[str]]:
    """Covers for hidden paths that lie inside a visible folder; (bwrap args, covered paths)."""
    args: list[str] = []
    covered: list[str] = []
    for path in hidden:
        if not any(is_within(path, folder) for folder in visible):
            continue  # not mounted at all
        if os.path.isdir(path):
            args += ["--tmpfs", path]
        elif os.path.exists(path):
            args += ["--ro-bind", "/dev/null", path]
        else:
            continue
        covered.append(path)
    return args, covered


def sandbox_args(
    bwrap: str,
    interp: Interpreter,
    limits: Limits,
    *,
    script_fd: int,
    info_fd: int,
    block_fd: int,
    seccomp_fd: int | None,
    hidden: Iterable[str] = (),
) -> tuple[list[str], list[str]]:
    """The bwrap command line that runs the script; (argv, paths covered inside it)."""
    covers, covered = cover_args(outermost(hidden), interp.read_only)
    args = [
        bwrap,
        "--unshare-all",  # user, pid, net, ipc, uts, cgroup (and mount, always)
        "--unshare-user",
        "--die-with-parent",
        "--new-session",  # no controlling terminal to push keystrokes into
        "--hostname", "sandbox",
        *system_args(),
    ]  # fmt: skip
    # /tmp first: an interpreter that lives under /tmp (a frozen app unpacks itself there)
    # is bound on top of it, not hidden by it.
    args += ["--size", str(limits.tmp_bytes), "--tmpfs", TMP, "--dir", HOME, "--dir", WORK]
    for path in interp.read_only:
        args += ["--ro-bind", path, path]
    args += covers
    # bwrap's /dev is a tmpfs without a size: read-only, or writes there would escape the cap
    # on /tmp (its device nodes stay usable: they are mounts of their own).
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    args += ["--ro-bind-data", str(script_fd), SCRIPT, "--chdir", WORK]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    args += ["--info-fd", str(info_fd), "--block-fd", str(block_fd), "--remount-ro", "/"]
    return [*args, "--", *interp.argv, SCRIPT], covered


def reachable_as_nobody(
    paths: Iterable[str], bwrap: str, setpriv: str, *, uid: int = NOBODY
) -> list[str]:
    """As root: the prefix that runs a command as `uid` with `paths` readable to it."""
    args = [bwrap, "--dev-bind", "/", "/", "--die-with-parent"]
    needed = outermost(paths)
    for blocked in outermost(b for p in needed if (b := _first_blocked(p))):
        args += ["--tmpfs", blocked]
        for path in (p for p in needed if is_within(p, blocked)):
            parent = Path(path).parent
            chain = [d for d in [parent, *parent.parents] if is_within(str(d), blocked)]
            for folder in reversed(chain[:-1]):  # below the tmpfs, down to the path's parent
                args += ["--perms", "0755", "--dir", str(folder)]
            args += ["--ro-bind", path, path]
    gid = uid
    return [*args, "--", setpriv, f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]


def _first_blocked(path: str) -> str | None:
    """The outermost folder above `path` that other users may not enter, if any."""
    for folder in reversed(Path(path).parents):
        try:
            mode = os.stat(folder).st_mode
        except OSError:
            return None
        if not mode & stat.S_IXOTH:
            return str(folder)
    return None


@dataclass
class BwrapLaunch(sandbox_cgroup.CgroupRun):
    """One run under bubblewrap: the command, the fds it needs, and the set-up after start."""

    interp: Interpreter
    limits: Limits
    source: str
    hidden: Sequence[str]
    name: str
    bwrap: str = field(default_factory=lambda: bwrap_path() or "bwrap")
    argv: list[str] = field(default_factory=list)
    pass_fds: tuple[int, ...] = ()
    creationflags: int = 0
    cwd: str | None = "/"  # never a folder the outer bwrap may cover
    child_pid: int | None = None
    cgroup: sandbox_cgroup.RunCgroup | None = None
    report: dict[str, object] = field(default_factory=dict)
    _own_fds: list[int] = field(default_factory=list)

    def prepare(self) -> None:
        """Make the cgroup, the seccomp program, the script copy and the command line."""
        root = os.geteuid() == 0
        self.cgroup = sandbox_cgroup.create(
            self.name,
            memory_bytes=self.limits.memory_mb * 1024 * 1024,
            max_processes=self.limits.max_processes,
        )
        forks = self.cgroup is not None and "pids" in self.cgroup.limits
        bpf = compiled_filter(allow_new_processes=forks)
        script_fd = self._memfd("snippet", self.source.encode("utf-8", errors="replace"))
        seccomp_fd = self._memfd("seccomp", bpf) if bpf is not None else None
        self._info_r, info_w = self._pipe()
        block_r, self._block_w = self._pipe()
        argv, covered = sandbox_args(
            self.bwrap,
            self.interp,
            self.limits,
            script_fd=script_fd,
            info_fd=info_w,
            block_fd=block_r,
            seccomp_fd=seccomp_fd,
            hidden=self.hidden,
        )
        setpriv, prlimit = setpriv_path(), prlimit_path()
        if prlimit is None or (root and setpriv is None):
            raise OSError("the sandbox needs util-linux (setpriv and prlimit)")
        if root and setpriv is not None:
            argv = reachable_as_nobody(self.interp.read_only, self.bwrap, setpriv) + argv
        self.argv = rlimit_args(prlimit, self.limits) + argv
        self.pass_fds = tuple(
            fd for fd in (script_fd, seccomp_fd, info_w, block_r) if fd is not None
        )
        self.report = {
            "tool": "bubblewrap",
            "user": "nobody" if root else "self",
            "seccomp": bpf is not None,
            "new_processes": "limited by cgroup" if forks else "refused",
            "cgroup": list(self.cgroup.limits) if self.cgroup else [],
            "hidden": covered,
            "filesystem": "interpreter only",
            "rlimits": True,
        }

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """The allow-listed environment, with the sandbox's own home and temporary folder."""
        return {**base, "HOME": HOME, "TMPDIR": TMP, "MPLCONFIGDIR": HOME}

    def started(self, proc: subprocess.Popen[bytes], deadline: float) -> str | None:
        """Finish the set-up while bwrap waits; what went wrong, or None."""
        for fd in self.pass_fds:  # the child has its copies
            os.close(fd)
        self.pass_fds = ()
        info = self._read_info(deadline)
        pid = info.get("child-pid") if info else None
        if not info or not isinstance(pid, int):
            return "bubblewrap did not start"
        self.child_pid = pid
        self.report["namespaces"] = sorted(
            {key.removesuffix("-namespace") for key in info if key.endswith("-namespace")}
            | {"user"}
        )
        # Without these the code would run with fewer limits than the report promises.
        if self.cgroup is not None and not self.cgroup.add(pid):
            return "the sandbox could not join its control group"
        os.write(self._block_w, b"1")
        return None

    def kill(self) -> None:
        """Kill the sandbox's first process (its pid namespace dies with it) and the cgroup."""
        if self.child_pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.child_pid, 9)
        if self.cgroup is not None:
            for pid in self.cgroup.pids():
                with contextlib.suppress(OSError):
                    os.kill(pid, 9)

    def close(self, grace_s: float) -> None:
        """Release fds and the cgroup."""
        if self.cgroup is not None:
            peak = self.cgroup.peak_memory()
            if peak is not None:
                self.report["peak_memory_bytes"] = peak
            self.cgroup.remove(grace_s)
        for fd in (*self._own_fds, *self.pass_fds):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._own_fds.clear()
        self.pass_fds = ()

    def _memfd(self, name: str, data: bytes) -> int:
        fd = os.memfd_create(f"qwen-math-{name}", 0)  # close-on-exec unless passed
        self._own_fds.append(fd)
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def _pipe(self) -> tuple[int, int]:
        r, w = os.pipe()
        self._own_fds += [r, w]
        return r, w

    def _read_info(self, deadline: float) -> dict[str, object] | None:
        """bwrap's --info-fd JSON (the sandbox's pid and namespaces), read before it runs."""
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self._info_r, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(max(0.0, min(0.05, deadline - time.monotonic()))):
                    continue
                block = os.read(self._info_r, 4096)
                if not block:
                    return None  # bwrap exited before starting the sandbox
                data += block
                with contextlib.suppress(ValueError):
                    info = json.loads(data)
                    return info if isinstance(info, dict) else None
        return None


@cache
def bwrap_works() -> bool:
    """True when bubblewrap can make its namespaces here (probed once)."""
    bwrap = bwrap_path()
    if bwrap is None or prlimit_path() is None:
        return False
    argv = [bwrap, "--unshare-all", "--unshare-user", *system_args(), "--proc", "/proc"]
    true = next((p for p in ("/usr/bin/true", "/bin/true") if os.path.exists(p)), "true")
    argv += ["--dev", "/dev", "--", true]
    if os.geteuid() == 0:
        setpriv = setpriv_path()
        if setpriv is None:
            return False
        argv = reachable_as_nobody([], bwrap, setpriv) + argv
    try:
        done = subprocess.run(argv, capture_output=True, timeout=30, cwd="/", check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0

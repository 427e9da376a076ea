"""The sandbox's first process: isolate, limit, then exec the model's code (stdlib only).

Run by core/sandbox.py as `python -I sandbox_launcher.py CONFIG_JSON`, in a new session,
with an allow-listed environment. It is a script, not an import: nothing from the app is
on its sys.path. Every isolation step is best-effort and reported on `report_fd`.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
LINUX = sys.platform.startswith("linux")


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(libc: Any) -> list[str]:
    """Enter new net, pid and mount namespaces (with a user namespace when not root)."""
    attempts = [
        (CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS, ["net", "pid", "mount"]),
        (
            CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS,
            ["user", "net", "pid", "mount"],
        ),
        (CLONE_NEWUSER | CLONE_NEWNET, ["user", "net"]),
    ]
    uid, gid = os.getuid(), os.getgid()
    for flags, names in attempts:
        if libc.unshare(flags) == 0:
            if flags & CLONE_NEWUSER:  # map ourselves to ourselves so files keep an owner
                with contextlib.suppress(OSError):
                    _write("/proc/self/uid_map", f"{uid} {uid} 1")
                    _write("/proc/self/setgroups", "deny")
                    _write("/proc/self/gid_map", f"{gid} {gid} 1")
            return names
    return []


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _hide(libc: Any, paths: list[str]) -> list[str]:
    """Cover secrets with an empty tmpfs (folders) or /dev/null (files) in our mount namespace."""
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return []
    hidden = []
    for path in paths:
        target = path.encode()
        if os.path.isdir(path):
            ok = libc.mount(
                b"tmpfs", target, b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, b"size=4k,mode=0"
            )
        elif os.path.exists(path):
            ok = libc.mount(b"/dev/null", target, None, MS_BIND, None)
        else:
            continue
        if ok == 0:
            hidden.append(path)
    return hidden


def _join_cgroup(path: str | None) -> bool:
    """Move into the pids-limited cgroup the parent made; children inherit it."""
    if not path:
        return False
    try:
        _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))
    except OSError:
        return False
    return True


def _limit(cfg: dict[str, Any]) -> None:
    """Resource limits for the code's process and everything it starts."""
    import resource

    cpu = int(cfg["cpu_s"])
    limits = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, cfg["fsize"], cfg["fsize"]),
        (resource.RLIMIT_NOFILE, cfg["nofile"], cfg["nofile"]),
        (resource.RLIMIT_CORE, 0, 0),
    ]
    if cfg["memory"]:
        limits.append((resource.RLIMIT_AS, cfg["memory"], cfg["memory"]))
    if hasattr(resource, "RLIMIT_NPROC"):
        limits.append((resource.RLIMIT_NPROC, cfg["nproc"], cfg["nproc"]))
    for which, soft, hard in limits:
        with contextlib.suppress(ValueError, OSError):  # macOS refuses some (e.g. RLIMIT_AS)
            resource.setrlimit(which, (soft, hard))


def _kill_children() -> None:
    """As a subreaper, kill and reap every descendant left behind (no pid namespace)."""
    me = str(os.getpid())
    for _ in range(50):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = f.read().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if ppid == me:
                found = True
                with contextlib.suppress(OSError):
                    os.kill(int(entry), signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        if not found:
            return


def main() -> None:
    """Isolate, fork the code's process, wait for it, clean up, and pass on its status."""
    cfg: dict[str, Any] = json.loads(sys.argv[1])
    report: dict[str, Any] = {"namespaces": [], "hidden": [], "pids_cgroup": False}
    argv = [cfg["python"], "-I", cfg["script"]]
    if not LINUX:
        with os.fdopen(cfg["report_fd"], "w") as out:
            json.dump(report, out)
        if os.name == "posix":
            _limit(cfg)
        os.execve(argv[0], argv, dict(os.environ))
    libc = _libc()
    report["pids_cgroup"] = _join_cgroup(cfg.get("cgroup"))
    report["namespaces"] = _unshare(libc)
    if "mount" in report["namespaces"]:
        report["hidden"] = _hide(libc, list(cfg["hide"]))
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    pid = os.fork()
    if pid == 0:  # pid 1 of the new pid namespace, when there is one
        try:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if "pid" in report["namespaces"] and "mount" in report["namespaces"]:
                # A /proc of our own: the app's processes (and their environment) are not in it.
                libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
            _limit(cfg)
            os.execve(argv[0], argv, dict(os.environ))
        finally:
            os._exit(127)
    with os.fdopen(cfg["report_fd"], "w") as out:
        json.dump(report, out)
    _, status = os.waitpid(pid, 0)
    _kill_children()
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()

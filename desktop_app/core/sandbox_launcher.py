"""The fallback sandbox's first process: isolate, limit, then exec the model's code (stdlib only).

Used where bubblewrap is missing (core/sandbox_bwrap.py is the sandbox; this is what is
left without it). Run by core/sandbox_fallback.py as `python -I sandbox_launcher.py CONFIG`,
in a new session, with an allow-listed environment. It is a script, not an import: nothing
from the app is on its sys.path. Every isolation step is best-effort; what it got is
written as one line on `report_fd`, which is closed before the code's process exists.
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
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP = 1, 38, 22
PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, SECCOMP_MODE_FILTER = 24, 36, 2
LINUX = sys.platform.startswith("linux")


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _unshare(libc: Any) -> list[str]:
    """Enter new net, pid and mount namespaces: with a user namespace first, so that the
    capabilities the code could use are only those over its own namespaces."""
    attempts = [
        (
            CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS,
            ["user", "net", "pid", "mount"],
        ),
        (CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS, ["net", "pid", "mount"]),
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


def _join_cgroups(paths: list[str]) -> bool:
    """Move into the run's cgroup folders the parent made; children inherit them."""
    if not paths:
        return False
    try:
        for path in paths:
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


def _read_all(fd: int) -> bytes:
    chunks = []
    while block := os.read(fd, 65536):
        chunks.append(block)
    os.close(fd)
    return b"".join(chunks)


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def _lock_down(libc: Any, bpf: bytes) -> list[str]:
    """Drop every capability, set no_new_privs, load the seccomp filter: the last steps."""
    got = []
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    if libc.capset(ctypes.byref(header), ctypes.byref((_CapData * 2)())) == 0:
        got.append("capabilities dropped")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        got.append("no_new_privs")
    if bpf:
        program = ctypes.create_string_buffer(bpf, len(bpf))
        fprog = _SockFprog(len(bpf) // 8, ctypes.addressof(program))
        if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0:
            got.append("seccomp")
    return got


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


def _report(cfg: dict[str, Any], report: dict[str, Any]) -> None:
    """One line, then the fd is closed: the code's process is only made after this."""
    fd = int(cfg["report_fd"])
    os.write(fd, json.dumps(report).encode() + b"\n")
    os.close(fd)


def main() -> None:
    """Isolate, fork the code's process, wait for it, clean up, and pass on its status."""
    cfg: dict[str, Any] = json.loads(sys.argv[1])
    report: dict[str, Any] = {"tool": "launcher", "namespaces": [], "hidden": []}
    argv = [*cfg["python"], cfg["script"]]
    if not LINUX:
        _report(cfg, report)
        if os.name == "posix":
            _limit(cfg)
        os.execve(argv[0], argv, dict(os.environ))
    libc = _libc()
    bpf = _read_all(int(cfg["seccomp_fd"])) if cfg.get("seccomp_fd") is not None else b""
    report["cgroup"] = cfg["cgroup_limits"] if _join_cgroups(cfg["cgroup"]) else []
    report["namespaces"] = _unshare(libc)
    if "mount" in report["namespaces"]:
        report["hidden"] = _hide(libc, list(cfg["hide"]))
    own_proc = "pid" in report["namespaces"] and "mount" in report["namespaces"]
    report["seccomp"] = bool(bpf)
    _report(cfg, report)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    pid = os.fork()
    if pid == 0:  # pid 1 of the new pid namespace, when there is one
        try:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if own_proc:
                # A /proc of our own: the app's processes (and their environment) are not in
                # it; its sysctls read-only, whoever the code runs as.
                libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
                if libc.mount(b"/proc/sys", b"/proc/sys", None, MS_BIND, None) == 0:
                    flags = MS_BIND | MS_REMOUNT | MS_RDONLY
                    libc.mount(None, b"/proc/sys", None, flags, None)
            _limit(cfg)
            _lock_down(libc, bpf)
            os.execve(argv[0], argv, dict(os.environ))
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    _kill_children()
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()

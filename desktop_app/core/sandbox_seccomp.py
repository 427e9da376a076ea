"""The seccomp filter model code runs under, compiled by libseccomp into the BPF bwrap loads.

A deny-list on an allow-by-default filter, in the spirit of Flatpak's: model code needs the
ordinary syscalls Python, NumPy and SymPy make (an allow-list would break on the next libc
or kernel), and must not reach the kernel's privileged or cross-process surfaces. libseccomp
(Debian `libseccomp2`, a dependency of systemd, so present on practically every Linux
desktop) assembles the BPF program — the per-architecture syscall numbers, the 32-bit/x32
ABI checks (syscalls of any other ABI kill the process: libseccomp's bad-arch default) and
the argument comparisons. We call its stable C API through ctypes: the binding is five
functions, and a PyPI binding would be one more dependency for that (`pyseccomp`, the one
ctypes binding, had its last release in 2021).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys
from functools import cache
from typing import Any

# Syscalls no model code needs that reach past its own process: namespaces and mounts (the
# way out of the sandbox), other processes' memory, the kernel's keyrings, modules, BPF,
# perf, io_uring (which performs socket and file operations behind seccomp's back), clocks,
# swap, reboot, and old interfaces with a history of bugs.
DENIED = (
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "process_madvise", "migrate_pages", "move_pages",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "fanotify_init",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "quotactl_fd",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "vhangup", "iopl", "ioperm", "modify_ldt", "uselib",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "nfsservctl",
    "socket", "socketcall",
)  # fmt: skip
PROCESS_CREATION = ("fork", "vfork")
CLONE_THREAD = 0x00010000
CLONE_NAMESPACES = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)
AF_UNIX = 1
PER_LINUX = 0
TIOCSTI, TIOCLINUX = 0x5412, 0x541C  # push keystrokes into a terminal; console tricks

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_NE, SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ = 1, 4, 7


def scmp_act_errno(code: int) -> int:
    """libseccomp's SCMP_ACT_ERRNO(code): fail the call with that errno."""
    return 0x00050000 | (code & 0x0000FFFF)


class ScmpArgCmp(ctypes.Structure):
    """libseccomp's `struct scmp_arg_cmp`: one comparison on one syscall argument."""

    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


# (syscall, errno, comparisons): comparisons on one rule must all hold; rules are OR'ed.
Rule = tuple[str, int, tuple[tuple[int, int, int, int], ...]]


def rules(*, allow_new_processes: bool) -> list[Rule]:
    """The filter as data: each denied call, with the argument tests that select it."""
    eperm = errno.EPERM
    table: list[Rule] = [(name, eperm, ()) for name in DENIED]
    # clone3 passes its flags in memory seccomp cannot read: report it missing, and C
    # libraries fall back to clone(), whose flags the rules below do check.
    table.append(("clone3", errno.ENOSYS, ()))
    table += [("clone", eperm, ((0, SCMP_CMP_MASKED_EQ, flag, flag),)) for flag in CLONE_NAMESPACES]
    if not allow_new_processes:
        # Threads (CLONE_THREAD) stay in this process and under its limits; processes do not.
        table.append(("clone", eperm, ((0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0),)))
        table += [(name, eperm, ()) for name in PROCESS_CREATION]
    # A connected pair of Unix sockets reaches nothing outside (asyncio's self-pipe uses one).
    table.append(("socketpair", eperm, ((0, SCMP_CMP_NE, AF_UNIX, 0),)))
    table.append(("personality", eperm, ((0, SCMP_CMP_NE, PER_LINUX, 0),)))
    table += [
        ("ioctl", eperm, ((1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, request),))
        for request in (TIOCSTI, TIOCLINUX)
    ]
    return table


def _library() -> Any | None:
    for name in ("libseccomp.so.2", ctypes.util.find_library("seccomp")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError:
            continue
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = (ctypes.c_uint32,)
        lib.seccomp_release.argtypes = (ctypes.c_void_p,)
        lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
        lib.seccomp_rule_add_array.argtypes = (
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(ScmpArgCmp),
        )
        lib.seccomp_export_bpf.argtypes = (ctypes.c_void_p, ctypes.c_int)
        return lib
    return None


@cache
def compiled_filter(*, allow_new_processes: bool) -> bytes | None:
    """The BPF program (struct sock_filter[]) for this machine; None without libseccomp."""
    if not sys.platform.startswith("linux"):
        return None
    lib = _library()
    if lib is None:
        return None
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        return None
    try:
        for name, code, comparisons in rules(allow_new_processes=allow_new_processes):
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number < 0:  # not a syscall on this architecture (e.g. fork on arm64)
                continue
            array = (ScmpArgCmp * max(1, len(comparisons)))(
                *(ScmpArgCmp(*cmp) for cmp in comparisons)
            )
            if lib.seccomp_rule_add_array(
                ctx, scmp_act_errno(code), number, len(comparisons), array
            ):
                return None
        fd = os.memfd_create("qwen-math-seccomp", 0)
        try:
            if lib.seccomp_export_bpf(ctx, fd) != 0:
                return None
            os.lseek(fd, 0, os.SEEK_SET)
            chunks = []
            while block := os.read(fd, 65536):
                chunks.append(block)
            return b"".join(chunks)
        finally:
            os.close(fd)
    finally:
        lib.seccomp_release(ctx)

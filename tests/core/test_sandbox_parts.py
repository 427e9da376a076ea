"""The sandbox's parts one by one: paths, seccomp rules, cgroups, the bwrap, macOS and Windows
command construction — without starting a sandbox."""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
from pathlib import Path

import pytest

from desktop_app.core import sandbox, sandbox_cgroup, sandbox_macos, sandbox_paths, sandbox_windows
from desktop_app.core.sandbox_bwrap import (
    Limits,
    cover_args,
    reachable_as_nobody,
    rlimit_args,
    sandbox_args,
)
from desktop_app.core.sandbox_paths import Interpreter, outermost, resolve
from desktop_app.core.sandbox_seccomp import CLONE_THREAD, compiled_filter, rules

LIMITS = Limits(timeout=10, memory_mb=1024, file_size_mb=16, max_processes=32)

# -- paths ----------------------------------------------------------------------------------


def test_paths_are_resolved_from_tilde_relative_and_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN `~`, a relative path and a link WHEN resolved THEN each is the real absolute path."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert resolve("~/link") == str(real)
    assert resolve("link") == str(real)
    assert resolve("./link/../real") == str(real)


@pytest.mark.parametrize("written", ["~/qm-link", "qm-link", "./qm-link/"])
def test_qwen_math_home_is_hidden_however_it_is_written(
    written: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN QWEN_MATH_HOME relative, with `~` or through a link THEN the hidden paths hold
    its real folder and its real data folder."""
    real = tmp_path / "qm"
    (real / "data").mkdir(parents=True)
    (tmp_path / "qm-link").symlink_to(real)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QWEN_MATH_HOME", written)
    hidden = sandbox_paths.default_hidden_paths()
    assert str(real) in hidden
    assert str(real / "data") in hidden
    assert all(os.path.isabs(path) and "~" not in path for path in hidden)


def test_the_interpreter_needs_its_prefixes_but_never_the_whole_home(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN this Python WHEN described THEN its prefixes are readable; GIVEN a Python installed
    straight into the home folder THEN only its bin/lib folders are, not the home."""
    interp = sandbox_paths.interpreter()
    assert interp.argv == (sys.executable, "-I")
    assert any(sandbox_paths.is_within(resolve(sys.base_prefix), p) for p in interp.read_only)
    monkeypatch.setenv("HOME", resolve(sys.base_prefix))
    inside_home = sandbox_paths.interpreter()
    assert resolve(sys.base_prefix) not in inside_home.read_only
    assert os.path.join(resolve(sys.base_prefix), "lib") in inside_home.read_only


def test_outermost_drops_nested_and_repeated_paths() -> None:
    """GIVEN nested and repeated folders THEN only the outermost ones remain."""
    assert outermost(["/a/b", "/a", "/ab", "/a/b/c", "/ab"]) == ("/a", "/ab")


# -- seccomp --------------------------------------------------------------------------------


def test_the_rules_refuse_processes_only_without_a_cgroup() -> None:
    """GIVEN no cgroup THEN fork, vfork and clone without CLONE_THREAD are refused; GIVEN one
    THEN they are allowed; namespaces, mounts, ptrace, sockets and io_uring always refused."""
    no_cgroup = rules(allow_new_processes=False)
    cgroup = rules(allow_new_processes=True)
    thread_rule = ("clone", errno.EPERM, ((0, 7, CLONE_THREAD, 0),))
    assert thread_rule in no_cgroup
    assert thread_rule not in cgroup
    assert {"fork", "vfork"} <= {name for name, _, cmp in no_cgroup if not cmp}
    assert not {"fork", "vfork"} & {name for name, _, _ in cgroup}
    for table in (no_cgroup, cgroup):
        refused = {name for name, _, cmp in table if not cmp}
        assert {"mount", "umount2", "setns", "unshare", "ptrace", "socket", "bpf"} <= refused
        assert {"keyctl", "perf_event_open", "io_uring_setup", "kexec_load"} <= refused
        assert ("clone3", errno.ENOSYS, ()) in table


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="libseccomp is Linux's")
def test_libseccomp_compiles_both_filters() -> None:
    """GIVEN libseccomp WHEN the filters are compiled THEN each is a BPF program (8-byte
    instructions) and they differ."""
    strict = compiled_filter(allow_new_processes=False)
    loose = compiled_filter(allow_new_processes=True)
    assert strict
    assert loose
    assert len(strict) % 8 == 0
    assert len(loose) % 8 == 0
    assert strict != loose


# -- cgroups --------------------------------------------------------------------------------


def test_a_v1_cgroup_gets_memory_pids_and_cpu_limits(tmp_path: Path) -> None:
    """GIVEN a writable cgroup v1 tree WHEN a run's cgroup is made THEN each controller's
    folder sits below this process's own and holds the limits."""
    for controller in ("memory", "pids", "cpu"):
        (tmp_path / controller / "app").mkdir(parents=True)
    own = "4:memory:/app\n8:pids:/app\n1:cpu,cpuacct:/app\n"
    group = sandbox_cgroup.create(
        "run", memory_bytes=1 << 30, max_processes=16, root=tmp_path, own=own
    )
    assert group is not None
    assert group.version == 1
    assert group.limits == ["memory", "pids", "cpu"]
    assert (tmp_path / "memory/app/run/memory.limit_in_bytes").read_text() == str(1 << 30)
    assert (tmp_path / "pids/app/run/pids.max").read_text() == "16"
    assert (tmp_path / "cpu/app/run/cpu.cfs_quota_us").read_text() == "100000"


def test_a_v2_cgroup_gets_memory_pids_and_cpu_limits(tmp_path: Path) -> None:
    """GIVEN a writable cgroup v2 tree WHEN a run's cgroup is made THEN one folder holds the
    limits, swap off, and its OOM kills and peak are read back."""
    (tmp_path / "cgroup.controllers").write_text("memory pids cpu")
    (tmp_path / "user.slice").mkdir()
    group = sandbox_cgroup.create(
        "run", memory_bytes=512, max_processes=8, root=tmp_path, own="0::/user.slice\n"
    )
    assert group is not None
    assert group.version == 2
    folder = tmp_path / "user.slice/run"
    assert (folder / "memory.max").read_text() == "512"
    assert (folder / "memory.swap.max").read_text() == "0"
    assert (folder / "pids.max").read_text() == "8"
    assert (folder / "cpu.max").read_text() == "100000 100000"
    (folder / "memory.events").write_text("low 0\noom 1\noom_kill 1\n")
    (folder / "memory.peak").write_text("400")
    assert group.oom_killed()
    assert group.peak_memory() == 400


def test_no_cgroup_where_none_can_be_made(tmp_path: Path) -> None:
    """GIVEN no writable cgroup tree THEN there is no run cgroup (the sandbox refuses forks)."""
    assert (
        sandbox_cgroup.create("run", memory_bytes=1, max_processes=1, root=tmp_path, own="") is None
    )


# -- bubblewrap command line ----------------------------------------------------------------


def test_the_bwrap_command_shows_only_the_interpreter(tmp_path: Path) -> None:
    """GIVEN an interpreter WHEN the command is built THEN: every namespace, the run's /tmp
    before the interpreter's read-only folders, /dev read-only, seccomp, the script last, and
    no other path of the host."""
    interp = Interpreter(("/opt/py/bin/python", "-I"), ("/opt/py", "/tmp/bundle"))
    argv, covered = sandbox_args(
        "bwrap", interp, LIMITS, script_fd=5, info_fd=6, block_fd=7, seccomp_fd=8
    )
    assert argv[:3] == ["bwrap", "--unshare-all", "--unshare-user"]
    assert argv[-4:] == ["--", "/opt/py/bin/python", "-I", "/sandbox/snippet.py"]
    joined = " ".join(argv)
    assert "--size 67108864 --tmpfs /tmp" in joined
    assert joined.index("--tmpfs /tmp") < joined.index("--ro-bind /tmp/bundle /tmp/bundle")
    assert "--dev /dev --remount-ro /dev" in joined
    assert "--seccomp 8" in joined
    assert "--info-fd 6 --block-fd 7" in joined
    assert "--ro-bind-data 5 /sandbox/snippet.py" in joined
    assert "--remount-ro /" in joined
    sources = {argv[i + 1] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")}
    assert sources <= {"/usr", "/opt/py", "/tmp/bundle", "/dev/null"} | {
        p for p in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32") if os.path.isdir(p)
    }
    assert "--bind" not in argv
    assert covered == []


def test_hidden_paths_inside_a_visible_folder_are_covered(tmp_path: Path) -> None:
    """GIVEN app data inside the interpreter's folder THEN it is covered; data elsewhere is
    left out (it is not mounted at all)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "key.txt").write_text("k")
    hidden = [str(tmp_path / "data"), str(tmp_path / "key.txt"), "/elsewhere/data"]
    args, covered = cover_args(hidden, [str(tmp_path)])
    assert covered == [str(tmp_path / "data"), str(tmp_path / "key.txt")]
    assert args == [
        "--tmpfs",
        str(tmp_path / "data"),
        "--ro-bind",
        "/dev/null",
        str(tmp_path / "key.txt"),
    ]


def test_as_root_bwrap_runs_as_nobody_with_blocked_folders_bound_back(tmp_path: Path) -> None:
    """GIVEN a Python under a folder others may not enter WHEN root builds the prefix THEN a
    tmpfs covers that folder, the Python is bound back with enterable parents, and setpriv
    drops to 65534 before bwrap."""
    private = tmp_path / "private"
    python = private / "a/b/python"
    python.mkdir(parents=True)
    private.chmod(stat.S_IRWXU)
    try:
        args = reachable_as_nobody([str(python)], "bwrap", "setpriv")
        blocked = next(p for p in reversed(python.parents) if not p.stat().st_mode & stat.S_IXOTH)
    finally:
        private.chmod(0o755)
    joined = " ".join(args)
    assert args[:5] == ["bwrap", "--dev-bind", "/", "/", "--die-with-parent"]
    assert args.count("--tmpfs") == 1
    assert f"--tmpfs {blocked} " in joined
    assert f"--perms 0755 --dir {private / 'a'}" in joined
    assert f"--ro-bind {python} {python}" in joined
    assert args[-6:] == ["--", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def test_rlimits_are_set_before_bwrap_starts() -> None:
    """GIVEN limits THEN prlimit sets CPU, file size, files, core and address space."""
    assert rlimit_args("prlimit", LIMITS) == [
        "prlimit", "--cpu=11:12", "--fsize=16777216", "--nofile=64", "--core=0",
        "--as=1073741824", "--",
    ]  # fmt: skip


# -- macOS and Windows ----------------------------------------------------------------------


def test_the_macos_profile_denies_network_writes_home_and_forks() -> None:
    """GIVEN a run WHEN its Seatbelt profile is built THEN network, forks, writes outside its
    folder and reads of the home folder are denied, the interpreter stays readable, and
    quotes in paths cannot break out of a string."""
    text = sandbox_macos.profile(
        home="/Users/ann", run_folder="/private/var/folders/x/run", readable=['/Users/ann/py"3']
    )
    lines = text.splitlines()
    assert lines[:5] == [
        "(version 1)", "(allow default)", "(deny network*)", "(deny process-fork)",
        "(deny file-write*)",
    ]  # fmt: skip
    assert '(allow file-write* (subpath "/private/var/folders/x/run")' in text
    assert '(deny file-read* (subpath "/Users/ann"))' in text
    assert '(subpath "/Users/ann/py\\"3")' in lines[-1]
    assert lines[-1].startswith("(allow file-read*")  # later rules win: after the deny
    argv = sandbox_macos.wrap(["python3", "-I", "x.py"], home="/h", run_folder="/r", readable=[])
    assert argv[:2] == ["/usr/bin/sandbox-exec", "-p"]
    assert argv[3:] == ["python3", "-I", "x.py"]


def test_the_windows_job_limits_memory_processes_and_cpu() -> None:
    """GIVEN limits WHEN the job's limit block is built THEN one process, the whole job's
    memory, CPU time in 100 ns units and kill-on-close; the layout is Windows' (144 bytes on
    64-bit)."""
    limits = sandbox_windows.job_limits(memory_mb=1024, cpu_s=11)
    basic = limits.BasicLimitInformation
    assert basic.ActiveProcessLimit == 1
    assert basic.PerProcessUserTimeLimit == 110_000_000
    assert limits.JobMemoryLimit == 1024 * 1024 * 1024
    for flag in (
        sandbox_windows.JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
        sandbox_windows.JOB_OBJECT_LIMIT_JOB_MEMORY,
        sandbox_windows.JOB_OBJECT_LIMIT_PROCESS_TIME,
        sandbox_windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    ):
        assert basic.LimitFlags & flag
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(limits) == 144


@pytest.mark.parametrize(
    ("platform", "bwrap", "seatbelt", "expected"),
    [
        ("linux", True, False, "bubblewrap"),
        ("linux", False, False, "namespaces"),
        ("darwin", False, True, "seatbelt"),
        ("darwin", False, False, "limits"),
        ("win32", False, False, "limits"),
    ],
)
def test_isolation_names_each_os_layer(
    platform: str,
    bwrap: bool,
    seatbelt: bool,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN an OS and what it has installed THEN isolation() names the layer the code gets."""
    monkeypatch.setattr(sandbox.sys, "platform", platform)
    monkeypatch.setattr(sandbox, "LINUX", platform == "linux")
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: bwrap)
    monkeypatch.setattr(sandbox_macos, "available", lambda: seatbelt)
    assert sandbox.isolation() == expected

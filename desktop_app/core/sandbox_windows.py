"""Windows: model code in a job object — the whole run's memory, one process, CPU time, no UI.

The interpreter starts suspended, joins the job, then resumes, so no instruction of it runs
outside the job. The job dies with its last handle (kill-on-close). A job limits; it does not
isolate: the code can still read and write what the user can and reach the network (a
restricted token and a low-integrity folder would be the next layer, see ADR 010), and the
consent dialog says so.
"""

from __future__ import annotations

import ctypes
from typing import Any

CREATE_SUSPENDED = 0x00000004
CREATE_NO_WINDOW = 0x08000000
JOB_OBJECT_LIMIT_PROCESS_TIME = 0x00000002
JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x00000008
JOB_OBJECT_LIMIT_JOB_MEMORY = 0x00000200
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x00000400
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000
JOB_OBJECT_UILIMIT_ALL = 0x000000FF  # clipboard, desktop, display, atoms, handles, exit, params
EXTENDED_LIMIT_INFORMATION, BASIC_UI_RESTRICTIONS = 9, 4


class IoCounters(ctypes.Structure):
    """IO_COUNTERS."""

    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount",
    )]  # fmt: skip


class BasicLimits(ctypes.Structure):
    """JOBOBJECT_BASIC_LIMIT_INFORMATION."""

    _fields_ = (
        ("PerProcessUserTimeLimit", ctypes.c_int64),  # 100 ns units
        ("PerJobUserTimeLimit", ctypes.c_int64),
        ("LimitFlags", ctypes.c_uint32),
        ("MinimumWorkingSetSize", ctypes.c_size_t),
        ("MaximumWorkingSetSize", ctypes.c_size_t),
        ("ActiveProcessLimit", ctypes.c_uint32),
        ("Affinity", ctypes.c_size_t),
        ("PriorityClass", ctypes.c_uint32),
        ("SchedulingClass", ctypes.c_uint32),
    )


class ExtendedLimits(ctypes.Structure):
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION."""

    _fields_ = (
        ("BasicLimitInformation", BasicLimits),
        ("IoInfo", IoCounters),
        ("ProcessMemoryLimit", ctypes.c_size_t),
        ("JobMemoryLimit", ctypes.c_size_t),
        ("PeakProcessMemoryUsed", ctypes.c_size_t),
        ("PeakJobMemoryUsed", ctypes.c_size_t),
    )


def job_limits(*, memory_mb: int, cpu_s: int) -> ExtendedLimits:
    """The job's limits: whole-job memory, one process, CPU time, killed with the job."""
    limits = ExtendedLimits()
    basic = limits.BasicLimitInformation
    basic.LimitFlags = (
        JOB_OBJECT_LIMIT_ACTIVE_PROCESS
        | JOB_OBJECT_LIMIT_PROCESS_TIME
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    )
    basic.ActiveProcessLimit = 1
    basic.PerProcessUserTimeLimit = cpu_s * 10_000_000
    if memory_mb:
        basic.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY
        limits.JobMemoryLimit = memory_mb * 1024 * 1024
    return limits


def confine(process_handle: int, limits: ExtendedLimits) -> Any | None:
    """Put a suspended process into a new job with `limits`, then resume it.

    Returns the job handle (keep it until the run ends: closing it kills the job), or None
    when Windows refused, in which case the process is resumed unconfined.
    """
    kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    ntdll: Any = ctypes.WinDLL("ntdll")  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = ctypes.c_void_p
    job = kernel32.CreateJobObjectW(None, None)
    ok = bool(job) and bool(
        kernel32.SetInformationJobObject(
            ctypes.c_void_p(job),
            EXTENDED_LIMIT_INFORMATION,
            ctypes.byref(limits),
            ctypes.sizeof(limits),
        )
    )
    ui = ctypes.c_uint32(JOB_OBJECT_UILIMIT_ALL)
    ok = ok and bool(
        kernel32.SetInformationJobObject(
            ctypes.c_void_p(job), BASIC_UI_RESTRICTIONS, ctypes.byref(ui), ctypes.sizeof(ui)
        )
    )
    ok = ok and bool(kernel32.AssignProcessToJobObject(ctypes.c_void_p(job), process_handle))
    ntdll.NtResumeProcess(ctypes.c_void_p(process_handle))
    if not ok:
        if job:
            kernel32.CloseHandle(ctypes.c_void_p(job))
        return None
    return job


def release(job: Any) -> None:
    """Close the job: whatever still runs in it is killed."""
    kernel32: Any = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined]
    kernel32.CloseHandle(ctypes.c_void_p(job))

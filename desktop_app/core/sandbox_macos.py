"""macOS: model code under `sandbox-exec` with a profile (Seatbelt, the system's own sandbox).

The profile follows the shape build tools use on macOS (Bazel's darwin sandbox): allow by
default, so the interpreter and its system libraries load, then deny what model code must not
do — any network, any write outside its own temporary folder, reading the user's home folder
(except the interpreter's own folders and the run's folder), and starting other processes
(so the per-process limits are the whole run's). Later rules win over earlier ones.
Apple marks `sandbox-exec` as deprecated, though the system itself still uses it: it is a
layer we use where present, and the consent dialog says it is less than on Linux.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

SANDBOX_EXEC = "/usr/bin/sandbox-exec"


def quote(path: str) -> str:
    """A path as an SBPL string literal."""
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def profile(*, home: str, run_folder: str, readable: Iterable[str]) -> str:
    """The Seatbelt profile for one run: `readable` folders stay readable inside `home`."""
    readable_rules = " ".join(f"(subpath {quote(p)})" for p in (*readable, run_folder))
    return "\n".join(
        (
            "(version 1)",
            "(allow default)",
            "(deny network*)",
            "(deny process-fork)",
            "(deny file-write*)",
            f'(allow file-write* (subpath {quote(run_folder)}) (literal "/dev/null"))',
            f"(deny file-read* (subpath {quote(home)}))",
            f"(allow file-read* {readable_rules})",
        )
    )


def wrap(argv: list[str], *, home: str, run_folder: str, readable: Iterable[str]) -> list[str]:
    """`argv` run under sandbox-exec with the run's profile."""
    text = profile(home=home, run_folder=run_folder, readable=readable)
    return [SANDBOX_EXEC, "-p", text, *argv]


def available() -> bool:
    """True on a Mac that still ships sandbox-exec."""
    return os.path.exists(SANDBOX_EXEC)

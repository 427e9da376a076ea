"""What model code may read (its interpreter) and what must stay hidden from it, as real paths."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SECRETS = (
    ".ssh", ".gnupg", ".aws", ".azure", ".kube", ".docker", ".config", ".netrc", ".pypirc",
    ".git-credentials", ".bash_history", ".zsh_history", ".python_history",
    ".local/share/qwen-math",
)  # fmt: skip


@dataclass(frozen=True)
class Interpreter:
    """How to run a Python file for model code, and the folders that Python needs to read."""

    argv: tuple[str, ...]  # the script's path is appended
    read_only: tuple[str, ...]


def interpreter() -> Interpreter:
    """The Python that runs model code: this one, isolated (-I), with stdlib and site-packages.

    In a bundle (PyInstaller sets sys.frozen) there is no `python`: the app's own executable
    runs the file in its sandbox-child mode (core/sandbox_child.py), and the bundle's folder,
    which holds the embedded stdlib, sympy, mpmath and numpy, is all it needs to read.
    """
    if getattr(sys, "frozen", False):
        return frozen_interpreter(sys.executable, getattr(sys, "_MEIPASS", None))
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    real = os.path.realpath(sys.executable)
    prefixes.add(os.path.dirname(os.path.dirname(real)))  # e.g. /usr for /usr/bin/python3
    home = resolve(str(Path.home()))
    folders: list[str] = []
    for prefix in map(resolve, prefixes):
        if is_within(home, prefix) or prefix == "/":
            # A Python installed straight into the home folder (or /): only its own folders,
            # never the whole home.
            folders += [os.path.join(prefix, name) for name in ("bin", "lib", "lib64")]
        else:
            folders.append(prefix)
    return Interpreter((sys.executable, "-I"), outermost(p for p in folders if os.path.exists(p)))


def frozen_interpreter(executable: str, bundle_data: str | None) -> Interpreter:
    """A bundle's executable in sandbox-child mode, and its folders (program and data).

    Linux and Windows one-folder bundles keep their data in `_internal/` beside the program;
    a macOS .app keeps the program in Contents/MacOS and the data in Contents/Frameworks.
    """
    from desktop_app.core.sandbox_child import FLAG

    program = resolve(executable)
    folders = [os.path.dirname(program)]
    if bundle_data:
        data = resolve(bundle_data)
        folders.append(data)
        resources = os.path.join(os.path.dirname(data), "Resources")
        if os.path.basename(data) == "Frameworks" and os.path.isdir(resources):
            folders.append(resources)  # a macOS .app's data files, linked from Frameworks
    return Interpreter((program, FLAG), outermost(folders))


def resolve(path: str) -> str:
    """`path` made absolute and real: `~` expanded, relative to the working folder, no links."""
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def is_within(path: str, folder: str) -> bool:
    """True when `path` is `folder` or lies inside it (both resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths, deduplicated, without those inside another one of them."""
    unique = sorted(set(paths))
    kept: list[str] = []
    for path in unique:
        if not any(is_within(path, other) for other in kept):
            kept.append(path)
    return tuple(kept)


def default_hidden_paths() -> tuple[str, ...]:
    """The user's secrets and the app's own data, resolved; covered wherever model code could
    otherwise read them (inside the interpreter's folders, or everywhere without bubblewrap)."""
    home = Path.home()
    paths = [str(home / name) for name in _SECRETS]
    from desktop_app.core.paths import app_dirs

    dirs = app_dirs()
    paths += [str(dirs.config), str(dirs.data), str(dirs.cache), str(dirs.logs)]
    if os.environ.get("QWEN_MATH_HOME"):
        paths.append(os.environ["QWEN_MATH_HOME"])
    return tuple(dict.fromkeys(resolve(p) for p in paths))

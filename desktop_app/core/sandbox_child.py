"""A bundle's Python for model code: `qwen-math --sandbox-child FILE [ARGS...]` runs FILE.

A PyInstaller bundle has no `python` command: its executable embeds the interpreter, and
its standard library, SymPy, mpmath and NumPy are already inside it. So the sandbox starts
the app's own executable with this flag (core/sandbox_paths.interpreter()), and the app runs
the file as `__main__` instead of opening its window — the way `python -I FILE` would, and
with the same exit status and traceback on stderr. (ADR 010 says why not a second Python.)

What the file may import is the standard library, sympy, mpmath and numpy: the bundle also
holds the app, the DashScope and OpenAI clients and Qt, which model code has no use for. This
is tidiness, not a wall — the sandbox around the process is the wall (ADR 010).
Stdlib only, and nothing here runs before the flag is seen.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import runpy
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType, TracebackType

FLAG = "--sandbox-child"
# Besides the standard library. Model code in Qwen's TIR format imports sympy and numpy;
# sympy needs mpmath.
ALLOWED_PACKAGES = frozenset({"sympy", "mpmath", "numpy"})
# PyInstaller's own start-up modules (its importers and runtime hooks), already loaded.
_BOOTSTRAP_PREFIXES = ("pyimod", "pyi_", "_pyi")
_KEEP = frozenset({"__main__", "__mp_main__"})
EXIT_USAGE = 2


class OnlyAllowedImports(importlib.abc.MetaPathFinder):
    """Refuses every top-level module outside the standard library and ALLOWED_PACKAGES."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """None lets the normal finders look; a refused name raises ModuleNotFoundError."""
        if allowed(fullname):
            return None
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def allowed(name: str) -> bool:
    """True when model code may import `name` (a dotted module name)."""
    top = name.partition(".")[0]
    return (
        top in sys.stdlib_module_names
        or top in ALLOWED_PACKAGES
        or top.startswith(_BOOTSTRAP_PREFIXES)
    )


def run_child(arguments: Sequence[str]) -> int:
    """Run `arguments[0]` as __main__ with `arguments[1:]` as its argv; its exit status."""
    if not arguments:
        sys.stderr.write(f"usage: qwen-math {FLAG} FILE [ARGS...]\n")
        return EXIT_USAGE
    script = os.path.abspath(arguments[0])
    _forget_refused_modules()
    sys.meta_path.insert(0, OnlyAllowedImports())
    sys.argv = [script, *arguments[1:]]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise  # the script's own sys.exit(): Python turns it into the status, as for a script
    except BaseException as exc:  # what `python FILE` does with an uncaught exception
        _print_exception(exc, script)
        return 1
    return 0


def _forget_refused_modules() -> None:
    """What is loaded already but refused is forgotten, or `import` would find it loaded: the
    app's own modules, and what a bundle's start-up hooks load (PySide6, setuptools)."""
    for name in [n for n in sys.modules if not allowed(n) and n not in _KEEP]:
        del sys.modules[name]


def _print_exception(exc: BaseException, script: str) -> None:
    """The traceback from the script's first frame on, as `python FILE` prints it."""
    tb: TracebackType | None = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    if tb is None and not isinstance(exc, SyntaxError):
        tb = exc.__traceback__  # it failed before the script ran: keep everything
    # Our import filter's own frame is noise: Python's "No module named" has none.
    ours = OnlyAllowedImports.find_spec.__code__.co_filename
    frames = [frame for frame in traceback.extract_tb(tb) if frame.filename != ours]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines = lines if frames else []
    lines += traceback.format_exception_only(type(exc), exc)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()  # what was printed comes first, as Python's own traceback does
    sys.stderr.write("".join(lines))
    sys.stderr.flush()

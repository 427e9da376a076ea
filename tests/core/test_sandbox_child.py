"""A bundle's Python for model code: the app run with --sandbox-child FILE, and where it runs.

The frozen executable itself is tested by tests/packaging/test_bundle_solves.py; here the same
code runs from the source tree (`python -m desktop_app --sandbox-child FILE`).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.core import sandbox_paths
from desktop_app.core.sandbox import run_code
from desktop_app.core.sandbox_child import FLAG, allowed
from desktop_app.core.sandbox_paths import Interpreter, frozen_interpreter, resolve
from tests.core.sandbox_fixtures import launcher, nothing_left_behind

__all__ = ["launcher", "nothing_left_behind"]  # fixtures, used by name
ROOT = Path(__file__).resolve().parents[2]


def run_child(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -I -m desktop_app --sandbox-child FILE ARGS` on `source`, as a bundle runs it."""
    script = tmp_path / "snippet.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-I", "-m", "desktop_app", FLAG, str(script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_file_runs_as_main_with_sympy_numpy_and_its_arguments(tmp_path: Path) -> None:
    """GIVEN a script using sympy, numpy and the stdlib WHEN run in child mode
    THEN it runs as __main__ with its own argv and exits 0."""
    result = run_child(
        tmp_path,
        """
        import sys, statistics, sympy, numpy
        x = sympy.symbols("x")
        print(__name__, sys.argv[1:], sympy.solve(x**2 - 5*x + 6, x), int(numpy.arange(4).sum()),
              statistics.mean([1, 2, 3]))
        """,
        "a",
        "b",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "__main__ ['a', 'b'] [2, 3] 6 2\n"


@pytest.mark.parametrize("module", ["dashscope", "desktop_app.core.secrets", "PySide6", "openai"])
def test_the_apps_own_modules_and_clients_are_not_importable(tmp_path: Path, module: str) -> None:
    """GIVEN a script importing the app, a cloud client or Qt THEN it fails like a missing
    module: what it printed first, then only the script's frames and ModuleNotFoundError."""
    result = run_child(tmp_path, f"print('before', flush=False)\nimport {module}\n")
    assert result.returncode == 1
    assert result.stdout == "before\n"
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    top = module.partition(".")[0]  # as Python says it: the first missing package
    assert result.stderr.splitlines()[-1] == f"ModuleNotFoundError: No module named '{top}'"
    assert "sandbox_child" not in result.stderr  # no frame of ours


def test_modules_loaded_before_the_script_are_refused_too(tmp_path: Path) -> None:
    """GIVEN a process that loaded a refused module before the script (a bundle's start-up
    hooks load PySide6) WHEN the script imports it THEN it is refused, not found loaded."""
    script = tmp_path / "snippet.py"
    script.write_text("import requests\n", encoding="utf-8")
    code = (
        "import sys, requests; from desktop_app.core.sandbox_child import run_child; "
        f"sys.exit(run_child([{str(script)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "ModuleNotFoundError: No module named 'requests'"


def test_allowed_is_the_stdlib_sympy_mpmath_and_numpy() -> None:
    """GIVEN module names THEN the stdlib and the three maths packages pass, nothing else."""
    assert all(map(allowed, ["math", "fractions", "os.path", "sympy.solvers", "mpmath", "numpy"]))
    assert not any(map(allowed, ["desktop_app", "dashscope", "requests", "matplotlib", "torch"]))


def test_syntax_errors_exit_status_and_usage_are_pythons(tmp_path: Path) -> None:
    """GIVEN a syntax error, sys.exit(3), or no file THEN what `python FILE` would do."""
    bad = run_child(tmp_path, "x = (\n")
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[-1].startswith("SyntaxError: ")
    assert "Traceback" not in bad.stderr
    assert run_child(tmp_path, "import sys\nsys.exit(3)\n").returncode == 3
    usage = subprocess.run(
        [sys.executable, "-m", "desktop_app", FLAG], capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert FLAG in usage.stderr


def test_a_frozen_app_runs_model_code_with_its_own_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a one-folder bundle (sys.frozen) THEN the interpreter is its executable in child
    mode, and its folder (with _internal/) is all the sandbox needs to read."""
    bundle = tmp_path / "qwen-math"
    (bundle / "_internal").mkdir(parents=True)
    exe = bundle / "qwen-math"
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle / "_internal"), raising=False)
    assert sandbox_paths.interpreter() == Interpreter(
        (resolve(str(exe)), FLAG), (resolve(str(bundle)),)
    )


def test_a_macos_app_reads_its_program_frameworks_and_resources(tmp_path: Path) -> None:
    """GIVEN a .app layout THEN Contents/MacOS, Contents/Frameworks and Contents/Resources."""
    contents = tmp_path / "Qwen Math.app" / "Contents"
    for name in ("MacOS", "Frameworks", "Resources"):
        (contents / name).mkdir(parents=True)
    interp = frozen_interpreter(str(contents / "MacOS" / "qwen-math"), str(contents / "Frameworks"))
    expected = tuple(resolve(str(contents / n)) for n in ("Frameworks", "MacOS", "Resources"))
    assert interp.read_only == expected


@pytest.mark.usefixtures("nothing_left_behind")
def test_model_code_runs_in_the_sandbox_through_child_mode(
    launcher: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the sandbox's interpreter is the app in child mode (as in a bundle) WHEN model
    code runs under bubblewrap and under the fallback launcher THEN it computes with sympy and
    numpy, a refused import is its last error line, and the protections are the usual ones."""
    source_python = sandbox_paths.interpreter()
    child = Interpreter(
        (sys.executable, "-I", "-m", "desktop_app", FLAG),
        sandbox_paths.outermost([*source_python.read_only, str(ROOT)]),
    )
    monkeypatch.setattr(sandbox_paths, "interpreter", lambda: child)
    result = run_code(
        "import sympy, numpy\nprint(sympy.factorint(360), int(numpy.prod([2, 3, 7])))", timeout=60
    )
    assert (result.output, result.status) == ("{2: 3, 3: 2, 5: 1} 42", "ok"), result
    assert (
        result.protections.get("tool") == {"bwrap": "bubblewrap", "fallback": "launcher"}[launcher]
    )
    assert result.protections.get("seccomp") is True
    refused = run_code("print(6 * 7)\nimport dashscope", timeout=60)
    assert refused.status == "error"
    assert refused.output == "42\nModuleNotFoundError: No module named 'dashscope'"

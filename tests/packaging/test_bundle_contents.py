"""What the bundle must carry, checked against the source and the spec without building.

packaging/bundle_contents.py walks the app's source for every module it can import (at any
depth, or by name) and the data it opens; the spec feeds that to PyInstaller. These tests
fail when the walk misses a kind of import, when the spec would leave out (or exclude)
something the app imports, or when a bundled feature imports what the bundle leaves out.
The same walk is checked against a built bundle by packaging/check_bundle.py
(tests/packaging/test_bundle_solves.py runs it).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.conftest import PACKAGING, ROOT, packaging_module

contents: Any = packaging_module("bundle_contents")
check_bundle: Any = packaging_module("check_bundle")


def needed_sites() -> list[Any]:
    """Import sites of third-party modules the bundle must carry."""
    return [
        site
        for site in contents.import_sites()
        if not contents.left_out(site)
        and not contents.is_stdlib(site.module)
        and contents.top_level(site.module) != "desktop_app"
    ]


def write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_the_walk_sees_imports_in_functions_by_name_and_relative(tmp_path: Path) -> None:
    """GIVEN a package importing at module level, inside a function, by name, relatively, and
    reading data beside itself WHEN walked THEN every one of them is found."""
    write(tmp_path, "desktop_app/__init__.py", "")
    write(tmp_path, "desktop_app/core/__init__.py", "from . import tools\n")
    write(
        tmp_path,
        "desktop_app/core/tools.py",
        """
        import importlib
        from importlib.resources import files
        from pathlib import Path
        import alpha.beta
        from .sibling import thing
        from ..other import name

        def later():
            import gamma
            from delta.sub import x
            sdk = importlib.import_module("epsilon")
            spec = importlib.util.find_spec("zeta")
            return import_heavy("eta"), files("theta"), Path(__file__).with_name("run.py")
        """,
    )
    sites = contents.import_sites(tmp_path)
    found = {(s.module, s.how) for s in sites if s.importer == "desktop_app.core.tools"}
    assert {
        ("alpha.beta", "statement"),
        ("desktop_app.core.sibling", "statement"),
        ("desktop_app.other", "statement"),
        ("gamma", "statement"),
        ("delta.sub", "statement"),
        ("epsilon", "import_module"),
        ("zeta", "find_spec"),
        ("eta", "import_heavy"),
        ("theta", "files"),
    } <= found
    assert ("desktop_app.core", "statement") in {  # `from . import tools` in the package
        (s.module, s.how) for s in sites if s.importer == "desktop_app.core"
    }
    uses = {(u.kind, u.target) for u in contents.data_uses(tmp_path)}
    assert uses == {("package", "theta"), ("beside", "desktop_app/core/run.py")}


def test_the_walk_finds_what_the_app_imports_lazily() -> None:
    """GIVEN the app's source THEN the walk finds the imports a bundle used to miss: the
    DashScope SDK by name, math-verify, contourpy and matplotlib inside functions."""
    named = {(site.module, site.how) for site in contents.import_sites()}
    assert ("dashscope", "import_module") in named
    assert {"math_verify", "latex2sympy2_extended", "sympy", "numpy", "contourpy"} <= {
        module for module, _ in named
    }
    assert ("matplotlib.figure", "statement") in named
    assert "desktop_app.core.checking.equivalence" in contents.app_modules()


def test_every_imported_library_is_a_base_dependency() -> None:
    """GIVEN every third-party module the bundled app imports THEN each comes from a
    distribution the project requires without extras (the build installs no extras)."""
    base = base_dependency_closure()
    owners = importlib.metadata.packages_distributions()
    wrong = []
    for site in needed_sites():
        dists = {_canonical(d) for d in owners.get(contents.top_level(site.module), [])}
        if not dists & base:
            wrong.append(f"{site.module} ({site.importer}:{site.line}) from {sorted(dists)}")
    assert not wrong, "imported by bundled code, not a base dependency: " + "; ".join(wrong)


def test_the_spec_hides_nothing_the_app_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the spec, run as PyInstaller runs it WHEN it builds its Analysis THEN every app
    module and every module the app names is a hidden import, none is excluded, and the data
    the code opens (files(...), a script beside a module) is in `datas`."""
    analysis = run_spec(monkeypatch)
    hidden, excludes = set(analysis["hiddenimports"]), set(analysis["excludes"])
    assert set(contents.app_modules()) - {"desktop_app.__main__"} <= hidden
    missing = {site.module for site in needed_sites()} - hidden
    assert not missing, f"not hidden imports: {sorted(missing)}"
    conflicts = {e for e in excludes for m in hidden if m == e or m.startswith(f"{e}.")}
    assert not conflicts, f"the app imports these, the spec excludes them: {sorted(conflicts)}"
    assert set(contents.LEFT_OUT) <= excludes
    assert not set(contents.LEFT_OUT) & {contents.top_level(m) for m in hidden}
    destinations = {f"{dest}/{Path(src).name}" for src, dest in analysis["datas"]}
    for use in contents.data_uses():
        if use.kind == "beside":
            assert use.target in destinations, f"{use.target} ({use.importer}) is not in datas"
            assert use.target in contents.REQUIRED_FILES
        else:
            assert any(d.startswith(f"{use.target}/") for d in destinations), use
            assert use.target in hidden
    assert "plotly/package_data/plotly.min.js" in destinations


def test_left_out_libraries_are_imported_only_by_the_local_backend() -> None:
    """GIVEN LEFT_OUT (torch, transformers, ...) THEN only the places it names import them,
    and each entry is still imported somewhere (no stale allow-list)."""
    used = set()
    for site in contents.import_sites():
        if contents.left_out(site):
            reason, allowed_in = contents.LEFT_OUT[contents.top_level(site.module)]
            assert site.importer.startswith(allowed_in), (
                f"{site.importer}:{site.line} imports {site.module}, which the bundle leaves "
                f"out ({reason}); a bundled feature cannot depend on it"
            )
            used.add(contents.top_level(site.module))
    assert used == set(contents.LEFT_OUT)


def test_model_code_can_import_the_whole_stdlib_sympy_and_numpy() -> None:
    """GIVEN the modules model code may import THEN they are what sandbox_child allows."""
    from desktop_app.core.sandbox_child import ALLOWED_PACKAGES, allowed

    modules = contents.model_code_modules()
    assert {"statistics", "fractions", "itertools", "math", "decimal"} <= set(modules)
    assert set(contents.MODEL_CODE_PACKAGES) == ALLOWED_PACKAGES
    assert all(allowed(m) for m in modules)


def test_the_built_bundle_check_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a bundle that lacks dashscope, the checker's modules and the sandbox launcher
    (what the old bundle lacked) WHEN check_bundle reads it THEN it names each one and where
    it is imported; GIVEN everything THEN no problem."""
    complete = set(contents.app_modules()) | set(contents.hidden_imports())
    old = {m for m in complete if not m.startswith(("dashscope", "desktop_app.core.checking"))}
    monkeypatch.setattr(check_bundle, "bundled_modules", lambda bundle: old)
    for relative in contents.REQUIRED_FILES[1:]:
        (tmp_path / "_internal" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "_internal" / relative).write_text("")
    found, _ = check_bundle.problems(tmp_path)
    assert "app module desktop_app.core.checking.equivalence is missing" in found
    assert any(re.match(r"dashscope is missing \(imported by .*dashscope_cloud", p) for p in found)
    assert f"file {contents.REQUIRED_FILES[0]} is missing" in found
    launcher = tmp_path / "_internal" / contents.REQUIRED_FILES[0]
    launcher.parent.mkdir(parents=True, exist_ok=True)
    launcher.write_text("")
    monkeypatch.setattr(check_bundle, "bundled_modules", lambda bundle: complete)
    assert check_bundle.problems(tmp_path)[0] == []
    monkeypatch.setattr(check_bundle, "bundled_modules", lambda bundle: complete | {"torch"})
    assert check_bundle.problems(tmp_path)[0] == [
        "torch is in the bundle, but LEFT_OUT says it is left out"
    ]


# -- helpers ----------------------------------------------------------------------------------


def base_dependency_closure() -> set[str]:
    """Distributions the project needs without extras, recursively, on this platform."""
    from packaging.requirements import Requirement

    seen: set[str] = set()
    todo = ["qwen-math-desktop"]
    while todo:
        name = _canonical(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for text in importlib.metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Recorder:
    """Stands in for PyInstaller's Analysis, PYZ, EXE, COLLECT and BUNDLE."""

    calls: dict[str, dict[str, Any]]

    def __init__(self, kind: str, calls: dict[str, dict[str, Any]]) -> None:
        self.kind, self.calls = kind, calls

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls[self.kind] = {"args": args, **kwargs}
        return types.SimpleNamespace(
            datas=kwargs.get("datas", []), pure=[], scripts=[], binaries=[]
        )


def run_spec(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Execute packaging/qwen-math.spec as PyInstaller would; the Analysis keyword arguments."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package: [  # type: ignore[attr-defined]
        name for name in contents.app_modules() if name.startswith(package)
    ]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec inserts packaging/
    calls: dict[str, dict[str, Any]] = {}
    namespace = {"SPECPATH": str(PACKAGING), "__name__": "__main__"}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = _Recorder(kind, calls)
    spec = PACKAGING / "qwen-math.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    assert calls["Analysis"]["args"] == ([str(ROOT / "desktop_app" / "__main__.py")],)
    assert set(calls) == {"Analysis", "PYZ", "EXE", "COLLECT"}
    return calls["Analysis"]

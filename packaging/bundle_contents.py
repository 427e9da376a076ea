"""What the bundle carries and what it leaves out: read by qwen-math.spec and by the checks.

The app imports much of what it needs lazily, so that the window opens fast: inside functions
(SymPy, NumPy, matplotlib, math-verify, contourpy), by name (`importlib.import_module(
"dashscope")`), or as a task of the checker process (`"desktop_app.core.checking.equivalence:
equivalent"`). PyInstaller follows import statements at any depth of a module it collects,
but it collects only what the entry point reaches, and it never reads names in strings. A
bundle built from the entry point alone therefore missed `dashscope`, the checker's modules
and math-verify, and every cloud solve failed. So the spec asks the source instead:

- every module of the app is collected (`collect_submodules("desktop_app")`);
- every module the app names, in an import statement at any depth or as a string given to
  one of IMPORTING_CALLS, is a hidden import, except what LEFT_OUT lists (with why);
- EXTRA_HIDDEN_IMPORTS adds what libraries load by name and our code never names;
- data_files() lists the data the code reads from disk (`files(PACKAGE)`, `Path(__file__)
  .with_name(FILE)`, the resources folder).

tests/packaging/test_bundle_contents.py checks these declarations against the source without
building; packaging/check_bundle.py checks a built bundle against the same walk.
Stdlib only: PyInstaller's spec imports this module with the build's Python.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "desktop_app"
APP_ID = "io.github.qwen_math_desktop"

# Functions that import the module named by their first argument (ours: core/heavy_imports,
# core/backends/local/loading). `files` reads a package's data, which imports the package.
IMPORTING_CALLS = frozenset(
    {"import_module", "__import__", "find_spec", "import_heavy", "import_lib", "files"}
)

# Third-party packages the app can import that the bundle deliberately does not carry, each
# with the only places allowed to import it. Anything else importing them fails the checks:
# a feature of the bundle must not depend on what the bundle leaves out.
LOCAL_BACKEND = ("desktop_app.core.backends.local", "desktop_app.core.heavy_imports")
LEFT_OUT: dict[str, tuple[str, tuple[str, ...]]] = {
    # The local backend (ADR 018): PyTorch with CUDA alone is ~5 GB. In the bundle the local
    # backend is present but finds no torch, and says in one sentence how to install it.
    "torch": ("PyTorch, for the local backend only (ADR 018)", LOCAL_BACKEND),
    "transformers": ("Hugging Face Transformers, local backend only", LOCAL_BACKEND),
    "huggingface_hub": ("model downloads, local backend only", LOCAL_BACKEND),
    "tqdm": ("download progress of huggingface_hub, local backend only", LOCAL_BACKEND),
}

# Loaded by name inside libraries, so neither PyInstaller nor the walk below can see them.
EXTRA_HIDDEN_IMPORTS: dict[str, str] = {
    # savefig(format="svg"/"png") on a bare Figure picks its canvas with import_module.
    "matplotlib.backends.backend_svg": "plot images in exports (core/plot_image.py)",
    "matplotlib.backends.backend_agg": "plot images in exports (core/plot_image.py)",
}

# What model code may import in the sandbox (core/sandbox_child.py): the standard library,
# sympy, mpmath and numpy. PyInstaller would carry only the stdlib modules the app reaches,
# so a TIR program's `import statistics` would fail; every top-level stdlib module is added
# but these, which model code cannot use in the sandbox (GUI, tests, packaging tools).
MODEL_CODE_PACKAGES = ("sympy", "mpmath", "numpy")
STDLIB_LEFT_OUT = frozenset(
    {"tkinter", "turtle", "turtledemo", "idlelib", "test", "lib2to3", "ensurepip", "venv",
     "pydoc_data", "distutils", "this", "antigravity", "__phello__"}
)  # fmt: skip

# Kept out of the analysis: development tools, and what no bundled module imports but a
# library might pull in through an optional import. The local backend's libraries are here
# too, so that a stray optional import cannot drag several GB of PyTorch in.
EXCLUDES = (
    *LEFT_OUT,
    "torchvision", "torchaudio", "torchgen", "accelerate", "tokenizers", "safetensors",
    "triton", "tkinter", "IPython", "pytest", "pytestqt", "mypy", "ruff", "importlinter",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.Qt3DCore", "PySide6.QtMultimedia",
    "PySide6.QtPdf", "PySide6.QtDesigner",
)  # fmt: skip

# Files a built bundle must hold (relative to its data folder, `_internal/` on Linux):
# what the code opens by path, which no import analysis can see.
REQUIRED_FILES = (
    "desktop_app/core/sandbox_launcher.py",  # the sandbox's fallback launcher, run as a script
    "desktop_app/_resources/answer/answer.css",  # the answer page (and the HTML export's style)
    "mathjax/static/mathjax/es5/tex-svg.js",  # the answer page's MathJax
    "mathjax/static/mathjax/es5/tex-svg-full.js",  # inlined by the HTML export
    "plotly/package_data/plotly.min.js",  # the answer page's plot (resources/answer/plot.js)
    "matplotlib/mpl-data/matplotlibrc",  # matplotlib's defaults and fonts, for plot images
)

MATHJAX_DEST = "mathjax/static/mathjax/es5"


@dataclass(frozen=True)
class ImportSite:
    """One place where the app's source names a module."""

    module: str  # what is imported, absolute and dotted
    importer: str  # the app module that imports it
    line: int
    how: str  # "statement" (import ... / from ... import) or the function called by name


@dataclass(frozen=True)
class DataUse:
    """One place where the app's source reads a data file by path or by package."""

    kind: str  # "package" (files(PACKAGE)) or "beside" (Path(__file__).with_name(FILE))
    target: str  # the package, or the file's path relative to the bundle's data folder
    importer: str
    line: int


def app_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the app's package: dotted name -> source file."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_sites(root: Path = ROOT) -> list[ImportSite]:
    """Every module the app's source imports, at any depth, by statement or by name."""
    sites = []
    for name, path in app_modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for module, how in _imported(node, name, is_package):
                sites.append(ImportSite(module, name, getattr(node, "lineno", 0), how))
    return sites


def data_uses(root: Path = ROOT) -> list[DataUse]:
    """Every place the source opens data by package (`files("x")`) or beside itself."""
    uses = []
    for name, path in app_modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        folder = path.parent.relative_to(root).as_posix()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not _constant_arg(node):
                continue
            if _called_name(node) == "files":
                uses.append(DataUse("package", _constant_arg(node), name, node.lineno))
            elif _is_beside_this_file(node):
                uses.append(DataUse("beside", f"{folder}/{_constant_arg(node)}", name, node.lineno))
    return uses


def top_level(module: str) -> str:
    """The top-level package of a dotted module name."""
    return module.partition(".")[0]


def is_stdlib(module: str) -> bool:
    """True for the standard library's modules (and __future__)."""
    return top_level(module) in sys.stdlib_module_names


def left_out(site: ImportSite) -> bool:
    """True when the bundle deliberately lacks what this site imports."""
    return top_level(site.module) in LEFT_OUT


def model_code_modules() -> list[str]:
    """The top-level modules model code may import that this platform has."""
    stdlib = sorted(n for n in sys.stdlib_module_names - STDLIB_LEFT_OUT if n[0] != "_")
    return [*(name for name in stdlib if importable(name)), *MODEL_CODE_PACKAGES]


def hidden_imports(root: Path = ROOT) -> list[str]:
    """What the spec adds to PyInstaller's analysis: every named module but the left-out."""
    named = {site.module for site in import_sites(root) if not left_out(site)}
    named |= set(EXTRA_HIDDEN_IMPORTS) | set(model_code_modules())
    named = {name for name in named if not is_stdlib(name) or importable(top_level(name))}
    return sorted(named - {m for m in named if top_level(m) == PACKAGE})


def data_files(root: Path = ROOT) -> list[tuple[str, str]]:
    """(source, destination folder) pairs for the spec's `datas`."""
    mathjax = Path(str(files("mathjax"))) / "static" / "mathjax" / "es5"
    plotly = Path(str(files("plotly"))) / "package_data" / "plotly.min.js"
    datas = [
        # The answer page loads tex-svg.js, which loads ui/safe.js (answer.js's loader config)
        # and, through TeX autoload, input/tex/extensions/* when a formula uses \cancel, \ce,
        # ... The HTML export inlines tex-svg-full.js. Nothing else of the 43 MB package.
        (str(mathjax / "tex-svg.js"), MATHJAX_DEST),
        (str(mathjax / "tex-svg-full.js"), MATHJAX_DEST),
        (str(mathjax / "ui" / "safe.js"), f"{MATHJAX_DEST}/ui"),
        (str(mathjax / "input" / "tex" / "extensions"), f"{MATHJAX_DEST}/input/tex/extensions"),
        # Only plotly.js itself, where the `plotly` package keeps it: the page loads it from
        # disk. The Python package (its 30 MB of validators, pandas) is not needed for that.
        (str(plotly), "plotly/package_data"),
        # Run as a script by the sandbox's fallback (core/sandbox_fallback.py), not imported.
        (str(root / PACKAGE / "core" / "sandbox_launcher.py"), f"{PACKAGE}/core"),
    ]
    # Same layout as the wheel (pyproject force-includes resources as desktop_app/_resources),
    # so the code's "package/_resources, else ../resources" lookup works unchanged.
    for name in ("answer", "icons", "linux", "translations"):
        if (root / "resources" / name).is_dir():
            datas.append((str(root / "resources" / name), f"{PACKAGE}/_resources/{name}"))
    return datas


def importable(name: str) -> bool:
    """True when this platform has the module (winreg is Windows-only, ...)."""
    if name in sys.builtin_module_names:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _imported(node: ast.AST, importer: str, is_package: bool) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, "statement"
    elif isinstance(node, ast.ImportFrom):
        yield _absolute(node, importer, is_package), "statement"
    elif isinstance(node, ast.Call) and _called_name(node) in IMPORTING_CALLS:
        name = _constant_arg(node)
        if name and not name.startswith("."):
            yield name, _called_name(node) or ""


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """`from ..x import y` in desktop_app.core.a -> desktop_app.x."""
    if node.level == 0:
        return node.module or ""
    package = importer.split(".")
    drop = node.level - 1 if is_package else node.level
    base = package[: len(package) - drop]
    return ".".join([*base, *([node.module] if node.module else [])])


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _constant_arg(node: ast.Call) -> str:
    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return ""


def _is_beside_this_file(node: ast.Call) -> bool:
    """`Path(__file__).with_name("x")`: a file that must sit next to the module."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "with_name"):
        return False
    inner = func.value
    return (
        isinstance(inner, ast.Call)
        and _called_name(inner) == "Path"
        and len(inner.args) == 1
        and isinstance(inner.args[0], ast.Name)
        and inner.args[0].id == "__file__"
    )


if __name__ == "__main__":  # print the walk: each third-party module, how and where it is named
    by_module: dict[str, list[ImportSite]] = {}
    for site in import_sites():
        if not is_stdlib(site.module) and top_level(site.module) != PACKAGE:
            by_module.setdefault(site.module, []).append(site)
    for module, sites in sorted(by_module.items()):
        mark = " LEFT OUT" if left_out(sites[0]) else ""
        hows = ",".join(sorted({site.how for site in sites}))
        print(f"{module:42} {len(sites):3} site(s) [{hows}] e.g. {sites[0].importer}{mark}")
    for use in data_uses():
        print(f"data ({use.kind}): {use.target}  <- {use.importer}:{use.line}")

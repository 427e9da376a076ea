"""Check a built bundle holds every module the app can import, and the files it opens.

    uv run --group packaging python packaging/check_bundle.py [dist/qwen-math]

Reads the bundle's own archives with PyInstaller's readers (what `pyi-archive_viewer` shows):
the PYZ inside the executable, base_library.zip, and the extension modules and data files
under `_internal/`. Expected: every module of the app, every module the app's source names
(packaging/bundle_contents.py walks it: imports at any depth, import_module("..."), ...),
the modules model code may import, and REQUIRED_FILES — minus what LEFT_OUT leaves out,
none of which may be there. Prints one line per problem and exits 1, or a summary and 0.
"""

from __future__ import annotations

import sys
import zipfile
from importlib import machinery
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle_contents as contents  # beside this script, not a package

EXE_NAME = "qwen-math"


def bundled_modules(bundle: Path) -> set[str]:
    """Every module the bundle can import: PYZ, base_library.zip, extension modules."""
    from PyInstaller.archive.readers import CArchiveReader

    exe = bundle / (EXE_NAME + (".exe" if sys.platform == "win32" else ""))
    package = CArchiveReader(str(exe))
    names = set(package.toc)  # the bootstrap modules and the entry script
    for entry in package.toc:
        if entry.endswith(".pyz"):
            names |= set(package.open_embedded_archive(entry).toc)
    data = bundle / "_internal"
    with zipfile.ZipFile(data / "base_library.zip") as base:
        for member in base.namelist():
            names.add(_module_name(member.removesuffix(".pyc")))
    for suffix in machinery.EXTENSION_SUFFIXES:
        for path in data.rglob(f"*{suffix}"):
            relative = path.relative_to(data).as_posix()
            if relative.startswith("python3") and "/lib-dynload/" in relative:
                relative = relative.split("/lib-dynload/", 1)[1]  # the stdlib's extensions
            names.add(_module_name(relative.removesuffix(suffix)))
    names |= set(sys.builtin_module_names)
    return names


def problems(bundle: Path) -> tuple[list[str], dict[str, int]]:
    """What is missing from (or wrongly in) the bundle, and counts of what was checked."""
    have = bundled_modules(bundle)
    found: list[str] = []
    app = [name for name in contents.app_modules() if not name.endswith("__main__")]
    found += [f"app module {name} is missing" for name in app if name not in have]
    sites = [site for site in contents.import_sites() if not contents.left_out(site)]
    named = {
        site.module: site for site in sites if contents.top_level(site.module) != "desktop_app"
    }
    for module, site in sorted(named.items()):
        if module in have or (contents.is_stdlib(module) and not _here(module)):
            continue
        found.append(f"{module} is missing (imported by {site.importer}, line {site.line})")
    expected = [*contents.EXTRA_HIDDEN_IMPORTS, *contents.model_code_modules()]
    found += [f"{module} is missing" for module in expected if module not in have]
    for name in contents.LEFT_OUT:
        if any(module == name or module.startswith(name + ".") for module in have):
            found.append(f"{name} is in the bundle, but LEFT_OUT says it is left out")
    data = bundle / "_internal"
    found += [f"file {f} is missing" for f in contents.REQUIRED_FILES if not (data / f).is_file()]
    counts = {
        "app modules": len(app),
        "imported modules": len(named),
        "model-code modules": len(expected),
        "files": len(contents.REQUIRED_FILES),
    }
    return found, counts


def _module_name(relative: str) -> str:
    parts = relative.split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _here(module: str) -> bool:
    """A stdlib module this platform has (the walk also sees winreg, msvcrt, ...)."""
    return contents.importable(contents.top_level(module))


def main(argv: list[str]) -> int:
    """Check the bundle folder given (default dist/qwen-math); print what is wrong."""
    bundle = Path(argv[0] if argv else contents.ROOT / "dist" / "qwen-math")
    found, counts = problems(bundle)
    for line in found:
        print(f"check_bundle: {line}", file=sys.stderr)
    if found:
        return 1
    summary = ", ".join(f"{count} {what}" for what, count in counts.items())
    print(f"BUNDLE CONTENTS OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

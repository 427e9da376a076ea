"""Where the top-level resources/ folder is: source checkout, installed wheel, or bundle."""

from __future__ import annotations

import sys
from pathlib import Path

APP_ID = "io.github.qwen_math_desktop"
_PACKAGE = Path(__file__).resolve().parent


def resources_dir() -> Path:
    """The resources folder (answer page, icons, desktop files) wherever the app runs from."""
    candidates = [
        _PACKAGE / "_resources",  # wheel (pyproject force-include) and PyInstaller bundle
        _PACKAGE.parent / "resources",  # source checkout
    ]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # a bundle whose package path is not next to its data (onefile, custom specs)
        candidates.append(Path(bundle) / "desktop_app" / "_resources")
    for candidate in candidates:
        if (candidate / "answer").is_dir():
            return candidate
    raise FileNotFoundError(f"resources not found (looked in {', '.join(map(str, candidates))})")


def app_icon_file(size: int = 256) -> Path:
    """The app icon: the PNG of `size` px when rendered, else the committed 256 px one."""
    apps = resources_dir() / "icons" / "hicolor"
    png = apps / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    return png if png.is_file() else apps / "256x256" / "apps" / f"{APP_ID}.png"


def action_icon_file(name: str) -> Path:
    """A toolbar icon, e.g. action_icon_file("snip") -> resources/icons/actions/snip.svg."""
    return resources_dir() / "icons" / "actions" / f"{name}.svg"

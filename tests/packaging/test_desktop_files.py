"""Desktop integration files validate, icons render in every size, and the app self-checks."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import BUILD_TIMEOUT_S, BuiltBundle

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.qwen_math_desktop"
LINUX = ROOT / "resources" / "linux"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ACTIONS = ("snip", "open", "paste", "solve", "stop", "new-conversation", "copy", "settings")


def _validator(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        package = {"desktop-file-validate": "desktop-file-utils", "appstreamcli": "appstream"}
        pytest.skip(f"{tool} is not installed (apt-get install {package[tool]})")
    return path


def test_desktop_entry_validates() -> None:
    """GIVEN the .desktop file WHEN desktop-file-validate checks it THEN it reports no error."""
    tool = _validator("desktop-file-validate")
    result = subprocess.run(
        [tool, str(LINUX / f"{APP_ID}.desktop")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error:" not in result.stdout


def test_desktop_entry_contract() -> None:
    """GIVEN the .desktop file THEN it launches qwen-math, opens images and offers Snip."""
    text = (LINUX / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    assert "\nExec=qwen-math %F\n" in text
    assert f"\nIcon={APP_ID}\n" in text
    assert "\nCategories=Education;Science;Math;\n" in text
    assert re.search(r"^MimeType=.*image/png;", text, re.M)
    assert "\nActions=Snip;\n" in text
    assert "[Desktop Action Snip]\n" in text
    assert "\nExec=qwen-math snip\n" in text


def test_metainfo_validates() -> None:
    """GIVEN the AppStream metainfo WHEN appstreamcli validates offline THEN it passes."""
    tool = _validator("appstreamcli")
    result = subprocess.run(
        [tool, "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_icon_sources_exist() -> None:
    """GIVEN the repository THEN the app SVG, its 256 px PNG and every toolbar icon are there."""
    assert (ICONS / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (ICONS / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png").is_file()
    for name in ACTIONS:
        svg = (ICONS / "actions" / f"{name}.svg").read_text(encoding="utf-8")
        assert 'viewBox="0 0 24 24"' in svg, name
        assert "currentColor" not in svg, name


def test_render_icons_writes_every_size(tmp_path: Path) -> None:
    """GIVEN the app SVG WHEN render_icons.py renders into a folder THEN all sizes are there."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "render_icons.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    from PySide6.QtGui import QImage

    for size in SIZES:
        png = tmp_path / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        image = QImage(str(png))
        assert (image.width(), image.height()) == (size, size), png
        assert image.hasAlphaChannel(), png
    assert (tmp_path / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def _headless_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DASHSCOPE_API_KEY", "OPENAI_API_KEY")
    }
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QTWEBENGINE_CHROMIUM_FLAGS=flags if "--no-sandbox" in flags else f"{flags} --no-sandbox",
        QWEN_MATH_HOME=str(tmp_path / "home"),
        QWEN_MATH_SELFTEST="1",
    )
    return env


def test_selftest_from_source_tree(tmp_path: Path) -> None:
    """GIVEN QWEN_MATH_SELFTEST=1 WHEN `python -m desktop_app` starts offscreen
    THEN it prints SELFTEST OK with at least one typeset formula and exits 0."""
    app_source = (ROOT / "desktop_app" / "app.py").read_text(encoding="utf-8")
    assert "run_selftest" in app_source, "app.py's run_gui does not call selftest.run_selftest"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app"],
        cwd=ROOT,
        env=_headless_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert re.search(r"^SELFTEST OK [1-9]", result.stdout, re.M), result.stdout + result.stderr
    assert result.returncode == 0


@pytest.mark.bundle
@pytest.mark.timeout(BUILD_TIMEOUT_S + 60)
def test_linux_bundle_builds_holds_what_it_imports_and_starts(built_bundle: BuiltBundle) -> None:
    """GIVEN the spec WHEN build_linux.sh builds the bundle THEN the contents check finds every
    module the app can import and every file it opens, and it self-checks OK three times."""
    output = built_bundle.output
    assert re.search(r"^BUNDLE CONTENTS OK: [1-9]\d* app modules", output, re.M), output
    assert len(re.findall(r"^self-check \d: SELFTEST OK [1-9]", output, re.M)) == 3, output
    assert "BUNDLE START MEDIAN" in output


def test_resources_dir_finds_the_checkout() -> None:
    """GIVEN a source checkout THEN resources_dir() is its resources/ folder with every icon."""
    from desktop_app.resources_path import action_icon_file, app_icon_file, resources_dir

    assert resources_dir() == ROOT / "resources"
    assert app_icon_file().is_file()
    assert all(action_icon_file(name).is_file() for name in ACTIONS)

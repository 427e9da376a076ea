"""Render the app icon's SVG into the hicolor PNG sizes desktops and bundlers expect.

    uv run python packaging/render_icons.py                 # into resources/icons/hicolor
    uv run python packaging/render_icons.py --out DIR       # anywhere else (tests, builds)
    uv run python packaging/render_icons.py --ico FILE.ico  # also a Windows .ico

Only the SVG and the 256 px PNG are committed; the other sizes are made at build time,
so the repository does not carry nine binary copies of one drawing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.qwen_math_desktop"
SVG = ROOT / "resources" / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_icons(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write <out_dir>/<n>x<n>/apps/<APP_ID>.png for each size, plus scalable/apps/*.svg."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG.")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"render_icons: could not write {target}.")
        written.append(target)
    scalable = out_dir / "scalable" / "apps" / svg.name
    if scalable.resolve() != svg.resolve():
        scalable.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(svg, scalable)
    written.append(scalable)
    return written


def write_ico(svg: Path, target: Path) -> Path:
    """A multi-size Windows icon (PyInstaller's `icon=` on Windows), made with Pillow."""
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        pngs = render_icons(svg, Path(tmp), ICO_SIZES)
        largest = Image.open(pngs[ICO_SIZES.index(256)])
        target.parent.mkdir(parents=True, exist_ok=True)
        largest.save(target, format="ICO", sizes=[(n, n) for n in ICO_SIZES])
    return target


def main(argv: list[str] | None = None) -> int:
    """Command line: render the PNG sizes (and optionally an .ico)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG)
    parser.add_argument("--out", type=Path, default=SVG.parents[2])
    parser.add_argument("--ico", type=Path, help="also write a Windows .ico here")
    args = parser.parse_args(argv)
    for path in render_icons(args.svg, args.out):
        print(path)
    if args.ico:
        print(write_ico(args.svg, args.ico))
    return 0


if __name__ == "__main__":
    sys.exit(main())

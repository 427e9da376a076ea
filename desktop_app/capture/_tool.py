"""Shared runner for strategies that call a screenshot program writing a PNG file."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PySide6.QtGui import QImage

from desktop_app.capture.base import CaptureError, DesktopImage, to_rgb32

TIMEOUT_S = 20.0


def run_tool(program: str, args_before_file: list[str], args_after_file: list[str]) -> DesktopImage:
    """Run `program ... FILE ...`, load FILE as the desktop image, remove it."""
    with tempfile.TemporaryDirectory(prefix="qwen-math-capture-") as folder:
        target = Path(folder) / "screen.png"
        command = [program, *args_before_file, str(target), *args_after_file]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CaptureError(f"{program} could not take a screenshot ({exc}).") from exc
        if result.returncode != 0 or not target.exists():
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise CaptureError(f"{program} could not take a screenshot ({detail[0]}).")
        image = QImage(str(target))
    if image.isNull():
        raise CaptureError(f"{program} wrote a file that is not a readable image.")
    return DesktopImage(to_rgb32(image))

"""Snip latency: mouse release -> PNG handed on, vs a bare mss grab + PNG encode of the same."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.xdesktop import XDesktop, xdesktop_fixture

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
RUNS = 15

# Runs inside the X desktop; a 600x400 device rectangle that crosses the DPR border.
SCRIPT = textwrap.dedent(
    """
    import json, statistics, sys, time
    import mss
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from desktop_app.capture.png import png_from_bgrx
    from desktop_app.ui.snip.overlay import SnipOverlay

    app = QApplication(sys.argv[:1])
    overlay = SnipOverlay()
    box = {}
    overlay.snipped.connect(lambda png: box.update(t=time.perf_counter(), png=png))
    left, top, right, bottom = 600, 300, 1200, 700
    ours, bare = [], []
    with mss.MSS() as grabber:
        for _ in range(int(sys.argv[1])):
            overlay.start()
            app.processEvents()
            window = overlay.windows[0]  # LEFT, DPR 1: local == device coordinates
            button, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
            QTest.mousePress(window, button, mods, QPoint(left, top))
            QTest.mouseMove(window, QPoint(right, bottom))
            start = time.perf_counter()
            QTest.mouseRelease(window, button, mods, QPoint(right, bottom))
            ours.append(box["t"] - start)
            app.processEvents()
            start = time.perf_counter()
            shot = grabber.grab({"left": left, "top": top, "width": right - left,
                                 "height": bottom - top})
            png = png_from_bgrx(shot.bgra, shot.width, shot.height, shot.width * 4)
            bare.append(time.perf_counter() - start)
    print(json.dumps({"ours": statistics.median(ours), "bare": statistics.median(bare),
                      "size": len(box["png"])}))
    """
)

xdesktop = pytest.fixture(scope="module")(xdesktop_fixture)


def test_snip_release_to_png_vs_bare_mss(xdesktop: XDesktop) -> None:
    """GIVEN the two-monitor desktop WHEN snipping THEN release->PNG <= 1.5x a bare grab+encode."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(RUNS)],
        env=xdesktop.env(PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    ratio = numbers["ours"] / numbers["bare"]
    print(
        f"\nsnip release->PNG {numbers['ours'] * 1000:.2f} ms, bare mss grab+PNG "
        f"{numbers['bare'] * 1000:.2f} ms (600x400 px): ratio {ratio:.2f}"
    )
    assert ratio <= 1.5

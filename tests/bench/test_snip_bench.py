"""Snip latency: mouse release -> PNG handed on, vs a bare grab + PNG of the same rectangle.

X11: a bare mss grab + encode. Wayland (headless sway, scales 1, 1.5, 2): a bare `grim -g`
call; and the overlay's freeze of every output vs one bare `grim` of the whole desktop.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakes.sway_desktop import SwayDesktop, sway_fixture
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


# Runs inside the sway desktop; a 600x400 logical rectangle across the scale-1/1.5 border.
WAYLAND_SCRIPT = textwrap.dedent(
    """
    import json, statistics, subprocess, sys, time
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from desktop_app.capture import capture_desktop
    from desktop_app.ui.snip.overlay import SnipOverlay

    def bare_grim(*args):
        start = time.perf_counter()
        subprocess.run(["grim", *args, "-"], capture_output=True, check=True)
        return time.perf_counter() - start

    app = QApplication(sys.argv[:1])
    runs = int(sys.argv[1])
    freeze, bare_freeze, ours, bare = [], [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        capture_desktop()
        freeze.append(time.perf_counter() - start)
        bare_freeze.append(bare_grim("-t", "ppm"))
    overlay = SnipOverlay()
    box = {}
    overlay.snipped.connect(lambda png: box.update(t=time.perf_counter(), png=png))
    left, top, right, bottom = 500, 50, 1100, 450
    for _ in range(runs):
        overlay.start()
        app.processEvents()
        window = overlay.windows[0]  # HEADLESS-1 at (0, 0): local == logical coordinates
        button, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        QTest.mousePress(window, button, mods, QPoint(left, top))
        QTest.mouseMove(window, QPoint(right, bottom))
        start = time.perf_counter()
        QTest.mouseRelease(window, button, mods, QPoint(right, bottom))
        ours.append(box["t"] - start)
        app.processEvents()
        bare.append(bare_grim("-l", "1", "-g", f"{left},{top} {right - left}x{bottom - top}"))
    medians = dict(freeze=freeze, bare_freeze=bare_freeze, ours=ours, bare=bare)
    print(json.dumps({k: statistics.median(v) for k, v in medians.items()}))
    """
)

sway = pytest.fixture(scope="module")(sway_fixture)


def test_wayland_snip_vs_bare_grim(sway: SwayDesktop) -> None:
    """GIVEN outputs at scales 1, 1.5, 2 WHEN snipping THEN release->PNG <= 1.5x a bare
    `grim -g` of the rectangle, and the freeze <= 1.5x one bare `grim` of the desktop."""
    result = subprocess.run(
        [sys.executable, "-c", WAYLAND_SCRIPT, str(RUNS)],
        env=sway.env(PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    numbers = json.loads(result.stdout.strip().splitlines()[-1])
    release = numbers["ours"] / numbers["bare"]
    freeze = numbers["freeze"] / numbers["bare_freeze"]
    print(
        f"\nWayland snip release->PNG {numbers['ours'] * 1000:.1f} ms, bare grim -g "
        f"{numbers['bare'] * 1000:.1f} ms (600x400 logical, 900x600 px): ratio {release:.2f}"
        f"\nWayland freeze, every output native {numbers['freeze'] * 1000:.1f} ms, bare grim "
        f"of the desktop {numbers['bare_freeze'] * 1000:.1f} ms: ratio {freeze:.2f}"
    )
    assert release <= 1.5
    assert freeze <= 1.5

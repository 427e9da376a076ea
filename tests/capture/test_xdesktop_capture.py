"""On a real two-monitor X desktop (LEFT DPR 1, RIGHT DPR 2): snips and grabs are pixel-exact."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fakes.xdesktop import XDesktop, pattern_rgb, xdesktop_fixture

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("snip_probe.py")

# case: expected device rectangle (x, y, w, h) of the virtual desktop
EXPECTED = {
    "left": (100, 150, 200, 110),
    "right": (1040, 200, 200, 160),
    "border": (900, 100, 140, 300),
    "border_reverse": (880, 100, 180, 200),
    "xdotool": (900, 100, 140, 300),
}

xdesktop = pytest.fixture(scope="module")(xdesktop_fixture)


@pytest.fixture(scope="module")
def probe(xdesktop: XDesktop) -> dict[str, Any]:
    """WHEN the real overlay is driven inside the desktop (one Qt process for all cases)."""
    cases = ",".join(["strategies", *EXPECTED, "escape"])
    result = subprocess.run(
        [sys.executable, str(PROBE), cases],
        env=xdesktop.env(PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def mss_rgb(desk: XDesktop, rect: tuple[int, int, int, int]) -> bytes:
    """The same device rectangle read straight from the X server."""
    import mss

    x, y, w, h = rect
    with mss.MSS(display=desk.display) as grabber:
        return bytes(grabber.grab({"left": x, "top": y, "width": w, "height": h}).rgb)


def test_desktop_is_two_screens_of_mixed_dpi(probe: dict[str, Any]) -> None:
    """GIVEN the harness THEN Qt sees LEFT at DPR 1 and RIGHT at DPR 2 (logical 480x600)."""
    assert probe["screens"] == [
        ["LEFT", [0, 0, 960, 1200], 1.0],
        ["RIGHT", [960, 0, 480, 600], 2.0],
    ]


def test_qt_and_mss_strategies_agree(probe: dict[str, Any]) -> None:
    """GIVEN both X11 strategies THEN their stitched desktops are the same device pixels."""
    assert probe["chosen"] == "mss"
    assert probe["mss_rect"] == probe["qt_rect"] == [0, 0, 1920, 1200]
    assert probe["qt_equals_mss"] is True


@pytest.mark.parametrize("case", list(EXPECTED))
def test_drag_yields_exact_device_pixels(
    case: str, probe: dict[str, Any], xdesktop: XDesktop
) -> None:
    """WHEN dragging across the overlay THEN the PNG is exactly the device pixels underneath."""
    outcome = probe[case]
    assert outcome["png"], f"{case}: no snip was emitted"
    assert outcome["open"] is False
    image = Image.open(io.BytesIO(base64.b64decode(outcome["png"])))
    x, y, w, h = EXPECTED[case]
    assert image.size == (w, h)
    assert image.mode == "RGB"
    assert image.tobytes() == mss_rgb(xdesktop, EXPECTED[case])
    assert image.tobytes() == pattern_rgb(x, y, w, h)


def test_escape_cancels(probe: dict[str, Any]) -> None:
    """WHEN Esc is pressed mid-drag THEN only `cancelled` is emitted and the overlay closes."""
    assert probe["escape"] == {"events": ["cancelled"], "open": False}


@pytest.fixture
def on_desktop(xdesktop: XDesktop, monkeypatch: pytest.MonkeyPatch) -> XDesktop:
    """This process's environment pointed at the X desktop (mss reads DISPLAY)."""
    for key, value in xdesktop.env().items():
        if os.environ.get(key) != value and key != "QT_QPA_PLATFORM":
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return xdesktop


@pytest.mark.parametrize(
    "rect",
    [(0, 0, 1, 1), (955, 1190, 10, 10), (1900, 1180, 20, 20)],
    ids=["corner", "border", "right-edge"],
)
def test_grab_region_is_exact(on_desktop: XDesktop, rect: tuple[int, int, int, int]) -> None:
    """WHEN grabbing a region for `solve --region` THEN the PNG holds exactly those pixels."""
    from desktop_app.capture import grab_region

    image = Image.open(io.BytesIO(grab_region(*rect)))
    assert image.size == rect[2:]
    assert image.tobytes() == pattern_rgb(*rect)


def test_grab_region_outside_the_desktop_is_a_usage_error(on_desktop: XDesktop) -> None:
    """WHEN the region leaves the desktop THEN a one-sentence usage error says where it is."""
    from desktop_app.capture import grab_region
    from desktop_app.core.errors import UsageError

    with pytest.raises(UsageError, match=r"not inside the desktop \(0,0,1920,1200\)"):
        grab_region(1900, 0, 40, 10)


def test_grab_region_needs_no_qt_application(on_desktop: XDesktop) -> None:
    """GIVEN a bare process WHEN grabbing a region THEN no QApplication is created."""
    code = (
        "import sys; from desktop_app.capture import grab_region; png = grab_region(950, 5, 20, 3);"
        "from PySide6.QtCore import QCoreApplication; assert QCoreApplication.instance() is None;"
        "sys.stdout.write(png.hex())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "none-at-all"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    image = Image.open(io.BytesIO(bytes.fromhex(result.stdout)))
    assert image.tobytes() == pattern_rgb(950, 5, 20, 3)

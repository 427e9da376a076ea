"""On a real headless sway (outputs at scales 1, 1.5 and 2): grabs, snips and the overlay,
each compared with grim's own capture of the same logical rectangle."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from tests.capture.wayland_session import (
    ROOT,
    Probe,
    dimmed,
    png_image,
    same_pixels,
    save_pair,
    wait_for_screen,
    without_pointer,
)
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.sway_desktop import EXACT_OUTPUTS, OUTPUTS, SwayDesktop, sway_fixture, wallpaper

sway = pytest.fixture(scope="module")(sway_fixture)

# name: logical rectangle (x, y, w, h)
REGIONS = {
    "scale-1": (100, 120, 200, 90),
    "scale-1.5": (900, 50, 150, 100),
    "scale-1.5-odd-pixel": (901, 51, 99, 77),
    "scale-2": (1500, 300, 120, 80),
    "across-1-and-1.5": (700, 100, 200, 150),
    "across-1.5-and-2": (1300, 200, 300, 100),
    "across-all-three": (600, 10, 1200, 60),
}
# name: (press, release) in logical coordinates, and the rectangle they span
DRAGS = {
    "drag-across-1-and-1.5": ((700, 100), (900, 250), (700, 100, 200, 150)),
    "drag-backwards-across-1.5-and-2": ((1700, 400), (1300, 200), (1300, 200, 400, 200)),
}
NATIVE = {name: (size, scale, position) for name, size, scale, position in OUTPUTS}


def geometry(rect: tuple[int, int, int, int]) -> str:
    x, y, w, h = rect
    return f"{x},{y} {w}x{h}"


@pytest.fixture(scope="module")
def references(sway: SwayDesktop, qapp: Any) -> dict[str, Image.Image]:
    """grim's captures, taken while nothing but the wallpapers is on screen."""
    shots = {name: sway.grim(geometry=geometry(rect)) for name, rect in REGIONS.items()}
    shots.update({name: sway.grim(geometry=geometry(rect)) for name, (_, _, rect) in DRAGS.items()})
    shots.update({name: sway.grim(output=name) for name in NATIVE})
    return shots


@pytest.fixture(scope="module")
def probe(sway: SwayDesktop, references: dict[str, Image.Image]) -> Iterator[Probe]:
    """The app's overlay code in a Qt process on the Wayland desktop."""
    process = Probe(sway)
    yield process
    process.close()


@pytest.fixture(scope="module")
def frozen(probe: Probe) -> dict[str, Any]:
    """WHEN the desktop is frozen as the overlay freezes it."""
    probe.send("freeze")
    return probe.expect("frozen")


@pytest.fixture
def on_wayland(sway: SwayDesktop, monkeypatch: pytest.MonkeyPatch) -> SwayDesktop:
    """This process's environment pointed at the sway desktop."""
    for key, value in sway.env().items():
        if key != "QT_QPA_PLATFORM":
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    return sway


def native_wallpaper(rect: tuple[int, int, int, int]) -> Image.Image | None:
    """The wallpaper under `rect` at native resolution, when it lies on one exact output."""
    x, y, w, h = rect
    for index, (name, size, scale, (ox, oy)) in enumerate(OUTPUTS, 1):
        inside = (
            ox <= x and x + w <= ox + size[0] / scale and oy <= y and y + h <= oy + size[1] / scale
        )
        if inside and name in EXACT_OUTPUTS:
            box = (int((x - ox) * scale), int((y - oy) * scale))
            box += (box[0] + int(w * scale), box[1] + int(h * scale))
            return wallpaper(index, *size).crop(box)
    return None


def test_desktop_has_three_outputs_of_scales_1_15_2(sway: SwayDesktop, probe: Probe) -> None:
    """GIVEN the harness THEN sway and Qt agree on the logical layout, and grim is chosen."""
    outputs = sway.swaymsg("-t", "get_outputs")
    assert [(o["name"], o["scale"], o["rect"]["x"], o["rect"]["width"]) for o in outputs] == [
        ("HEADLESS-1", 1.0, 0, 800),
        ("HEADLESS-2", 1.5, 800, 640),
        ("HEADLESS-3", 2.0, 1440, 640),
    ]
    assert probe.ready["platform"] == "wayland"
    assert probe.ready["chosen"] == "grim"
    # sway 1.7 tells clients whole scales only: Qt draws the 1.5 output at 2
    assert probe.ready["screens"] == [
        ["HEADLESS-1", [0, 0, 800, 600], 1.0],
        ["HEADLESS-2", [800, 0, 640, 480], 2.0],
        ["HEADLESS-3", [1440, 0, 640, 480], 2.0],
    ]


@pytest.mark.parametrize("name", list(REGIONS))
def test_region_is_grims_own_capture(
    name: str, on_wayland: SwayDesktop, references: dict[str, Image.Image]
) -> None:
    """WHEN grabbing a logical region for `solve --region` THEN it is grim's capture of it:
    the native pixels of the output under it (the wallpaper, 1:1, where swaybg draws 1:1)."""
    from desktop_app.capture import grab_region

    image = Image.open(io.BytesIO(grab_region(*REGIONS[name])))
    save_pair(f"region-{name}", image, references[name])
    assert same_pixels(image, references[name])
    native = native_wallpaper(REGIONS[name])
    if native is not None:
        assert image.tobytes() == native.tobytes()


@pytest.mark.parametrize(
    "rect",
    [(900, 450, 100, 60), (3000, 0, 10, 10)],
    ids=["partly-below-an-output", "off-every-output"],
)
def test_region_off_the_outputs_is_a_usage_error(
    rect: tuple[int, int, int, int], on_wayland: SwayDesktop
) -> None:
    """WHEN a region leaves the outputs THEN one sentence says it is not on the screens."""
    from desktop_app.capture import grab_region
    from desktop_app.core.errors import UsageError

    with pytest.raises(UsageError, match="not wholly on the screens"):
        grab_region(*rect)


def test_solve_region_hands_the_reader_grims_pixels(
    sway: SwayDesktop, references: dict[str, Image.Image], tmp_path: Path
) -> None:
    """WHEN `qwen-math solve --region` runs on the Wayland desktop THEN the reader receives the
    region at the native resolution of its output: grim's pixels, 2x on the scale-2 output."""
    with FakeDashScope(api_key="sk-test-wayland") as server:
        server.script_text("$x = 2$", endpoint="multimodal")
        server.script_text("\\boxed{2}", endpoint="text")
        env = sway.env(
            DASHSCOPE_HTTP_BASE_URL=server.base_url,
            DASHSCOPE_API_KEY="sk-test-wayland",
            QWEN_MATH_HOME=str(tmp_path / "home"),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        )
        region = ",".join(map(str, REGIONS["scale-2"]))
        result = subprocess.run(
            [sys.executable, "-m", "desktop_app", "solve", "--region", region, "--no-history"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr.decode()
        url = server.requests_to("multimodal")[0].content_parts("image")[0]
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    save_pair("solve-region-scale-2", sent, references["scale-2"])
    assert sent.size == (240, 160)
    assert sent.convert("RGB").tobytes() == references["scale-2"].convert("RGB").tobytes()


def test_frozen_outputs_keep_their_native_resolution(frozen: dict[str, Any]) -> None:
    """WHEN the overlay freezes the desktop THEN each output is kept at its own native size."""
    assert frozen["outputs"] == [
        ["HEADLESS-1", [0, 0, 800, 600], [800, 600]],
        ["HEADLESS-2", [800, 0, 640, 480], [960, 720]],
        ["HEADLESS-3", [1440, 0, 640, 480], [1280, 960]],
    ]


@pytest.mark.parametrize("name", list(REGIONS))
def test_snip_of_the_frozen_desktop_is_grims_capture(
    name: str, probe: Probe, frozen: dict[str, Any], references: dict[str, Image.Image]
) -> None:
    """WHEN a rectangle is cut from the frozen outputs THEN it equals grim's capture byte for
    byte, across outputs of different scales too (grim's own resampling, by pixman)."""
    probe.send("cut " + " ".join(map(str, REGIONS[name])))
    image = png_image(probe.expect("cut")["png"])
    save_pair(f"snip-{name}", image, references[name])
    assert same_pixels(image, references[name])


def full_screen_overlays(sway: SwayDesktop) -> list[tuple[str, str, int]]:
    """(output, node type, full-screen mode) of each overlay window, from sway's tree."""
    found = []
    for output in sway.swaymsg("-t", "get_tree")["nodes"]:
        for workspace in output.get("nodes", []):
            for node in workspace.get("nodes", []) + workspace.get("floating_nodes", []):
                if node.get("name") == "Qwen Math snip":
                    found.append((output["name"], node["type"], node["fullscreen_mode"]))
    return sorted(found)


def assert_overlay_shows_the_frozen_outputs(
    sway: SwayDesktop, references: dict[str, Image.Image], node_type: str = "con", keep: str = ""
) -> None:
    """Each output holds one full-screen overlay showing its frozen image, dimmed, 1:1."""
    assert full_screen_overlays(sway) == [(name, node_type, 1) for name in NATIVE]
    for name in NATIVE:
        want = without_pointer(dimmed(references[name]), name)
        shot = wait_for_screen(sway, name, want)
        if keep:  # "ours": what the overlay should show; "grim": what grim saw on the output
            save_pair(f"{keep}-{name}", want, shot)
        if shot.tobytes() != want.tobytes():
            box = ImageChops.difference(shot, want).getbbox()
            raise AssertionError(f"{name} does not show its frozen image dimmed 1:1, at {box}")


def test_overlay_fills_every_output_with_its_frozen_image(
    sway: SwayDesktop, probe: Probe, references: dict[str, Image.Image]
) -> None:
    """WHEN the overlay opens THEN each output holds one full-screen overlay showing that
    output's frozen pixels at native resolution (dimmed): grim sees exactly that."""
    probe.send("start")
    started = probe.expect("started")
    assert [(w["screen"], w["size"]) for w in started["windows"]] == [
        ("HEADLESS-1", [800, 600]),
        ("HEADLESS-2", [640, 480]),
        ("HEADLESS-3", [640, 480]),
    ]
    try:
        assert_overlay_shows_the_frozen_outputs(sway, references, keep="overlay")
    finally:
        sway.key("Escape")
        probe.expect("cancelled")


def test_escape_cancels_and_takes_every_overlay_away(
    sway: SwayDesktop, probe: Probe, references: dict[str, Image.Image]
) -> None:
    """WHEN Esc is pressed (a real key, through a virtual keyboard) THEN only `cancelled` comes
    and the outputs show the desktop again."""
    probe.send("start")
    probe.expect("started")
    assert_overlay_shows_the_frozen_outputs(sway, references)
    sway.key("Escape")
    assert probe.expect("snipped", "cancelled", "failed")["event"] == "cancelled"
    assert full_screen_overlays(sway) == []
    want = without_pointer(references["HEADLESS-3"], "HEADLESS-3")
    assert wait_for_screen(sway, "HEADLESS-3", want).tobytes() == want.tobytes()


@pytest.mark.parametrize("name", list(DRAGS))
def test_real_drag_snips_what_grim_captures(
    name: str, sway: SwayDesktop, probe: Probe, references: dict[str, Image.Image]
) -> None:
    """WHEN the real pointer drags across two outputs of different scales THEN the snip is
    grim's capture of the rectangle between press and release."""
    press, release, _ = DRAGS[name]
    probe.send("start")
    probe.expect("started")
    assert_overlay_shows_the_frozen_outputs(sway, references)  # the compositor is done too
    sway.drag(press, release)
    outcome = probe.expect("snipped", "cancelled", "failed")
    assert outcome["event"] == "snipped", outcome
    image = png_image(outcome["png"])
    save_pair(name, image, references[name])
    assert same_pixels(image, references[name])
    assert full_screen_overlays(sway) == []


def test_overlay_is_full_screen_where_windows_float_too(
    sway: SwayDesktop, probe: Probe, references: dict[str, Image.Image]
) -> None:
    """GIVEN a compositor rule that floats new windows WHEN the overlay opens THEN each output
    still holds one full-screen overlay with its frozen pixels (run last: the rule stays)."""
    sway.swaymsg('for_window [title="Qwen Math snip"] floating enable')
    probe.send("start")
    probe.expect("started")
    try:
        assert_overlay_shows_the_frozen_outputs(sway, references, "floating_con", "floating")
    finally:
        sway.key("Escape")
        probe.expect("cancelled")

"""Per-output frozen desktops without a compositor: cutting, grim's PNG rules, layout splits."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from desktop_app.capture import xdg_portal
from desktop_app.capture.base import DesktopImage, OutputImage, OutputsImage
from desktop_app.capture.png import png_from_qimage
from desktop_app.capture.wayland_layout import split_composite
from tests.fakes.xdesktop import pattern_rgb


def patterned(width: int, height: int) -> QImage:
    """An RGB32 image whose every pixel differs."""
    rgb = pattern_rgb(0, 0, width, height)
    image = QImage(rgb, width, height, width * 3, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)


def flat(width: int, height: int, colour: str) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    return image


def decoded(image: QImage) -> Image.Image:
    return Image.open(io.BytesIO(png_from_qimage(image)))


@pytest.fixture
def desktop() -> OutputsImage:
    """GIVEN a scale-1 output (100x80) beside a scale-2 one (logical 50x40, native 100x80)."""
    return OutputsImage(
        (
            OutputImage(QRect(0, 0, 100, 80), patterned(100, 80), "LEFT"),
            OutputImage(QRect(100, 0, 50, 40), patterned(100, 80), "RIGHT"),
        )
    )


def test_inside_one_output_the_cut_is_its_native_pixels(desktop: OutputsImage) -> None:
    """WHEN cutting inside each output THEN the native pixels come back, 1:1 or 2:1."""
    left = decoded(desktop.crop(QRect(10, 20, 30, 15)))
    assert (left.mode, left.size) == ("RGB", (30, 15))
    assert left.tobytes() == pattern_rgb(10, 20, 30, 15)
    right = decoded(desktop.crop(QRect(110, 5, 20, 10)))
    assert (right.mode, right.size) == ("RGB", (40, 20))  # the scale-2 output's own pixels
    assert right.tobytes() == pattern_rgb(20, 10, 40, 20)


def test_across_scales_the_lower_one_is_scaled_up(desktop: OutputsImage) -> None:
    """WHEN a cut crosses into the scale-2 output THEN everything is at scale 2 and the scale-1
    side is resampled (grim's rule); off every output the pixels stay clear."""
    image = desktop.crop(QRect(90, 30, 20, 20))  # rows 40..49 of the right side lie off it
    assert image.size().toTuple() == (40, 40)
    png = decoded(image)
    assert png.mode == "RGBA"
    right_part = png.crop((20, 0, 40, 20))
    assert right_part.getchannel("A").getextrema() == (255, 255)
    assert right_part.convert("RGB").tobytes() == pattern_rgb(0, 60, 20, 20)  # native, 1:1
    assert png.crop((20, 20, 40, 40)).getchannel("A").getextrema() == (0, 0)  # off the outputs
    assert png.crop((0, 0, 19, 40)).getchannel("A").getextrema() == (255, 255)  # scaled up


def test_uniform_output_scaled_up_stays_uniform() -> None:
    """GIVEN a flat scale-1 output beside a scale-2 one WHEN cutting across THEN the scaled-up
    side keeps its colour (bilinear of one colour), with grim's partial alpha at its seam."""
    desk = OutputsImage(
        (
            OutputImage(QRect(0, 0, 10, 10), flat(10, 10, "#336699"), "A"),
            OutputImage(QRect(10, 0, 10, 10), flat(20, 20, "#ff0000"), "B"),
        )
    )
    png = decoded(desk.crop(QRect(5, 2, 10, 6)))
    assert png.size == (20, 12)
    assert png.getpixel((2, 5)) == (0x33, 0x66, 0x99, 255)
    assert png.getpixel((15, 5)) == (255, 0, 0, 255)


def test_covers_and_rect(desktop: OutputsImage) -> None:
    """GIVEN an L-shaped layout THEN its bounding box and its covered area differ."""
    assert desktop.rect == QRect(0, 0, 150, 80)
    assert desktop.covers(QRect(90, 10, 30, 20))
    assert not desktop.covers(QRect(120, 30, 10, 20))
    assert desktop.output("RIGHT") is desktop.outputs[1]
    assert desktop.output("NOPE") is None


def test_partial_alpha_is_written_with_grims_rounding() -> None:
    """GIVEN a premultiplied pixel half covered WHEN encoded THEN it is un-premultiplied the way
    grim does it (truncating), not the usual rounding: (64 at alpha 128) -> 127, not 128."""
    image = QImage(2, 1, QImage.Format.Format_ARGB32_Premultiplied)
    image.setPixel(0, 0, 0x80400000)  # alpha 128, red 64 (premultiplied)
    image.setPixel(1, 0, 0xFF0000FF)
    png = decoded(image)
    assert png.mode == "RGBA"
    assert png.getpixel((0, 0)) == (127, 0, 0, 128)
    assert png.getpixel((1, 0)) == (0, 0, 255, 255)


def test_composite_is_split_along_the_layout() -> None:
    """GIVEN a whole-desktop screenshot at scale 2 WHEN split along the logical layout THEN each
    output gets its own part at that scale."""
    whole = DesktopImage(patterned(300, 80))
    layout = [("A", QRect(0, 0, 100, 40)), ("B", QRect(100, 0, 50, 20))]
    outputs = split_composite(whole, layout).outputs
    assert [(o.name, o.image.width(), o.image.height(), o.scale) for o in outputs] == [
        ("A", 200, 80, 2.0),
        ("B", 100, 40, 2.0),
    ]
    assert decoded(outputs[1].image).tobytes() == pattern_rgb(200, 0, 100, 40)


def test_portal_falls_back_to_the_desktops_own_dialog(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, qapp: Any
) -> None:
    """GIVEN a portal that refuses a silent screenshot WHEN capturing THEN it asks again with the
    desktop's dialog, and the shot taken there is the snip itself (`picked`)."""
    shot = tmp_path / "shot.png"
    Image.new("RGB", (30, 20), (1, 2, 3)).save(shot)
    asked: list[bool] = []

    def request(interactive: bool) -> tuple[int, dict[str, Any]]:
        asked.append(interactive)
        if not interactive:
            return xdg_portal.RESPONSE_OTHER, {}
        return 0, {"uri": shot.as_uri()}

    monkeypatch.setattr(xdg_portal, "_request", request)
    image = xdg_portal.STRATEGY.capture()
    assert asked == [False, True]
    assert image.picked
    assert image.image.size().toTuple() == (30, 20)
    assert not shot.exists()  # the portal's file does not litter the user's folder


def test_portal_cancelled_dialog_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the user cancels the desktop's dialog THEN CaptureError says so."""
    from desktop_app.capture import CaptureError

    replies = iter([(xdg_portal.RESPONSE_OTHER, {}), (xdg_portal.RESPONSE_CANCELLED, {})])
    monkeypatch.setattr(xdg_portal, "_request", lambda interactive: next(replies))
    with pytest.raises(CaptureError, match="cancelled in the desktop's dialog"):
        xdg_portal.STRATEGY.capture()

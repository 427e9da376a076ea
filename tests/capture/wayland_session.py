"""Test helpers on the headless sway: the probe process, grim references, the overlay's dimming."""

from __future__ import annotations

import base64
import io
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image

from tests.fakes.sway_desktop import SwayDesktop

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("wayland_probe.py")
ARTIFACTS = ROOT / "test-artifacts" / "wayland"


def save_pair(name: str, ours: Image.Image, grims: Image.Image) -> None:
    """Keep both images side by side on disk (test-artifacts/wayland/), for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ours.save(ARTIFACTS / f"{name}.ours.png", compress_level=1)
    grims.save(ARTIFACTS / f"{name}.grim.png", compress_level=1)


class Probe:
    """The overlay's process on the desktop: send a command, wait for an event."""

    def __init__(self, desk: SwayDesktop, **env: str) -> None:
        # a file, not a pipe: Qt's warnings must never fill a pipe nobody reads
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.process = subprocess.Popen(
            [sys.executable, str(PROBE)],
            env=desk.env(PYTHONPATH=str(ROOT), **env),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
        )
        self._selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        os.set_blocking(self.process.stdout.fileno(), False)
        self._selector.register(self.process.stdout, selectors.EVENT_READ)
        self._buffer = b""
        self.ready = self.expect("ready", timeout=30)

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def expect(self, *events: str, timeout: float = 20) -> dict[str, Any]:
        """The next event; fails when it is not one of `events` or none comes in time."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None:
                raise AssertionError(f"no {events} from the probe; stderr:\n{self.stderr()}")
            if self._selector.select(left):
                assert self.process.stdout is not None
                self._buffer += self.process.stdout.read() or b""
        line, self._buffer = self._buffer.split(b"\n", 1)
        message = dict(json.loads(line))
        assert message["event"] in events, message
        return message

    def stderr(self) -> str:
        """What the probe wrote on stderr (it is stopped first when still running)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._errors.seek(0)
        return self._errors.read().decode(errors="replace")[-3000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("quit")
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._selector.close()
        self._errors.close()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def png_image(encoded: str) -> Image.Image:
    """A PNG sent by the probe, decoded."""
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    image.load()
    return image


def same_pixels(ours: Image.Image, theirs: Image.Image) -> bool:
    """Same size, same mode (RGB, or RGBA where grim leaves partial alpha) and same bytes."""
    return (ours.size, ours.mode, ours.tobytes()) == (theirs.size, theirs.mode, theirs.tobytes())


def same_opaque_pixels(ours: Image.Image, grims: Image.Image) -> bool:
    """Same size, and the same colour wherever grim's pixel is opaque (at least 99% of them).

    grim leaves a seam of partly transparent pixels where it scales an output up, and clear
    ones off the outputs; the portal's image, read as an opaque desktop, keeps their colours.
    """
    import numpy as np

    if ours.size != grims.size:
        return False
    mine, theirs = np.asarray(ours.convert("RGB")), np.asarray(grims.convert("RGBA"))
    opaque = theirs[..., 3] == 255
    same = bool((mine[opaque] == theirs[..., :3][opaque]).all())
    return same and opaque.mean() >= 0.99


def dimmed(image: Image.Image) -> Image.Image:
    """`image` under the overlay's dimming, painted by Qt exactly as the overlay paints it."""
    from PySide6.QtGui import QImage, QPainter

    from desktop_app.ui.snip.overlay import DIM

    rgb = image.convert("RGB")
    canvas = QImage(
        rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888
    )
    canvas = canvas.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(canvas)
    painter.fillRect(canvas.rect(), DIM)
    painter.end()
    canvas = canvas.convertToFormat(QImage.Format.Format_RGB888)
    size, stride = (canvas.width(), canvas.height()), canvas.bytesPerLine()
    return Image.frombuffer("RGB", size, bytes(canvas.constBits()), "raw", "RGB", stride, 1)


def without_pointer(image: Image.Image, output: str) -> Image.Image:
    """`image` of `output` with the parked pointer's corner blacked out (sway draws the
    cursor into the frames grim reads)."""
    from tests.fakes.sway_desktop import PARKED_BOX, PARKED_ON

    image = image.convert("RGB")
    if output == PARKED_ON:
        image.paste((0, 0, 0), PARKED_BOX)
    return image


def wait_for_screen(
    desk: SwayDesktop, output: str, want: Image.Image, timeout: float = 10
) -> Image.Image:
    """grim's capture of `output` once it shows `want` (but for the parked pointer's corner),
    or the last one seen; both come back with that corner blacked out."""
    want = without_pointer(want, output)
    deadline = time.monotonic() + timeout
    while True:
        shot = without_pointer(desk.grim(output=output), output)
        if shot.tobytes() == want.tobytes() or time.monotonic() > deadline:
            return shot
        time.sleep(0.05)

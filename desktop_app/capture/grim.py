"""Capture with `grim` on wlroots compositors (Sway, Hyprland, river, Wayfire ...).

grim reads outputs through wlr-screencopy. Asked for the whole desktop it paints every
output at the highest scale, which would scale up the others; so the overlay asks for each
output on its own (`grim -o NAME`, all at once) and keeps each at its native resolution.
A region for `solve --region` is one `grim -g` call: grim's own answer, nothing in between.
"""

from __future__ import annotations

import subprocess

from PySide6.QtGui import QImage

from desktop_app.capture._tool import TIMEOUT_S, run_tool
from desktop_app.capture.base import (
    CaptureError,
    FrozenDesktop,
    OutputImage,
    OutputsImage,
    Session,
    to_rgb32,
)
from desktop_app.capture.png import COMPRESS_LEVEL
from desktop_app.capture.wayland_layout import Layout, screen_layout

# Desktops that implement wlr-screencopy, which grim needs; GNOME and KDE do not.
WLROOTS_DESKTOPS = ("sway", "hyprland", "river", "wayfire", "labwc", "niri", "dwl", "qtile")
NO_OUTPUT = "did not intersect with any outputs"


class GrimStrategy:
    """One `grim -o NAME` per output, run side by side: every output at its native size."""

    name = "grim"
    requirement = "grim (on wlroots compositors such as Sway or Hyprland)"

    def is_compatible(self, session: Session) -> bool:
        """Wayland sessions that are not GNOME or KDE (those lack wlr-screencopy)."""
        return session.is_wayland and not session.desktop_is("gnome", "kde")

    def is_installed(self, session: Session) -> bool:
        """True when the grim program is on PATH."""
        return session.which("grim") is not None

    def capture(self) -> FrozenDesktop:
        """Every output at its native scale, placed by its logical rectangle."""
        layout = screen_layout()
        if not layout:
            # no Qt screens to name the outputs: one image, every output at the top scale
            return run_tool("grim", ["-t", "png"], [])
        return OutputsImage(grab_outputs(layout))


def grab_outputs(layout: Layout) -> tuple[OutputImage, ...]:
    """`grim -o NAME` for every output of `layout` at once; their native images."""
    runs = []
    try:
        for name, _ in layout:
            command = ["grim", "-t", "ppm", "-o", name, "-"]
            runs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    except OSError as exc:
        _stop(runs)
        raise CaptureError(f"grim could not take a screenshot ({exc}).") from exc
    outputs = []
    try:
        for (name, rect), run in zip(layout, runs, strict=True):
            data, errors = run.communicate(timeout=TIMEOUT_S)
            # PySide6 takes the format as a string at run time, whatever its stubs say
            image = QImage.fromData(data, "PPM")  # type: ignore[arg-type]
            if run.returncode != 0 or image.isNull():
                detail = errors.decode(errors="replace").strip() or "no image"
                raise CaptureError(f"grim could not capture the output {name} ({detail}).")
            outputs.append(OutputImage(rect, to_rgb32(image), name))
    except subprocess.TimeoutExpired as exc:
        raise CaptureError("grim did not answer within 20 seconds.") from exc
    finally:
        _stop(runs)
    return tuple(outputs)


def grab_region_png(x: int, y: int, w: int, h: int) -> bytes:
    """grim's PNG of the logical rectangle; CaptureError (or ValueError: off every output)."""
    command = ["grim", "-l", str(COMPRESS_LEVEL), "-g", f"{x},{y} {w}x{h}", "-"]
    try:
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CaptureError(f"grim could not take a screenshot ({exc}).") from exc
    errors = result.stderr.decode(errors="replace").strip()
    if NO_OUTPUT in errors:
        raise ValueError(errors)
    if result.returncode != 0 or not result.stdout:
        raise CaptureError(f"grim could not take a screenshot ({errors or 'no image'}).")
    return result.stdout


def _stop(runs: list[subprocess.Popen[bytes]]) -> None:
    for run in runs:
        if run.poll() is None:
            run.kill()
        run.wait()
        for stream in (run.stdout, run.stderr):
            if stream is not None:
                stream.close()


STRATEGY = GrimStrategy()

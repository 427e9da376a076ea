"""What every capture strategy returns and promises: one protocol, one image type, one error."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QRegion

from desktop_app.capture.grim_compose import PixmanMissing, Tile, compose
from desktop_app.core.errors import ConfigError


class CaptureError(ConfigError):
    """No screen capture worked; the message says what to install or allow."""


@dataclass(frozen=True)
class Session:
    """The platform and desktop session a strategy must fit (read from the environment)."""

    platform: str  # sys.platform: "linux", "win32", "darwin"
    session_type: str = ""  # XDG_SESSION_TYPE, lower case: "x11", "wayland", ""
    desktop: str = ""  # XDG_CURRENT_DESKTOP, lower case, e.g. "gnome", "kde", "sway"
    wayland: bool = False  # WAYLAND_DISPLAY is set
    x11: bool = False  # DISPLAY is set
    which: Callable[[str], str | None] = field(default=shutil.which, compare=False)

    @classmethod
    def detect(cls, env: Mapping[str, str] | None = None, platform: str | None = None) -> Session:
        """The session this process runs in."""
        env = os.environ if env is None else env
        return cls(
            platform=platform or sys.platform,
            session_type=env.get("XDG_SESSION_TYPE", "").lower(),
            desktop=env.get("XDG_CURRENT_DESKTOP", "").lower(),
            wayland=bool(env.get("WAYLAND_DISPLAY")),
            x11=bool(env.get("DISPLAY")),
        )

    @property
    def is_wayland(self) -> bool:
        """True on a Wayland session (X11 grabs there only see XWayland windows, or black)."""
        if self.platform != "linux":
            return False
        return self.session_type == "wayland" or (self.wayland and self.session_type != "x11")

    @property
    def is_x11(self) -> bool:
        """True on an X11 session."""
        return self.platform == "linux" and not self.is_wayland and self.x11

    def desktop_is(self, *names: str) -> bool:
        """True when XDG_CURRENT_DESKTOP (a colon list) names one of `names`."""
        return any(part in names for part in self.desktop.split(":"))


@dataclass(frozen=True)
class DesktopImage:
    """The whole virtual desktop in device pixels; (left, top) is the image's desktop origin.

    `picked`: the desktop insisted on its own screenshot dialog, and the image is what the
    user took there (a region, a window): it is the snip itself, not a desktop to cut.
    """

    image: QImage
    left: int = 0
    top: int = 0
    picked: bool = False

    @property
    def rect(self) -> QRect:
        """The desktop area the image covers, in device pixels."""
        return QRect(self.left, self.top, self.image.width(), self.image.height())

    def crop(self, rect: QRect) -> QImage:
        """The device pixels under `rect` (desktop coordinates), nothing scaled."""
        return self.image.copy(rect.translated(-self.left, -self.top))


@dataclass(frozen=True)
class OutputImage(Tile):
    """One Wayland output as the compositor showed it, at its native resolution."""

    name: str = ""


@dataclass(frozen=True)
class OutputsImage:
    """A Wayland desktop frozen output by output, in the compositor's logical coordinates.

    Logical coordinates are what `swaymsg -t get_outputs`, `grim -g` and Qt's screen
    geometry use; each output keeps its own native pixels (logical size x its scale).
    """

    outputs: tuple[OutputImage, ...]

    @property
    def rect(self) -> QRect:
        """The logical bounding box of all outputs."""
        bounds = QRect()
        for output in self.outputs:
            bounds = bounds.united(output.logical)
        return bounds

    def covers(self, rect: QRect) -> bool:
        """True when every logical pixel of `rect` lies on some output."""
        area = QRegion()
        for output in self.outputs:
            area = area.united(QRegion(output.logical))
        return QRegion(rect).subtracted(area).isEmpty()

    def crop(self, rect: QRect) -> QImage:
        """The logical rectangle `rect` as `grim -g` would capture it; premultiplied ARGB32.

        Inside one output these are its native pixels; across outputs of different scales,
        the lower-scale ones are scaled up to the highest scale, as grim does.
        """
        try:
            return compose(self.outputs, rect)
        except PixmanMissing as exc:
            raise CaptureError(f"The snip cannot be cut ({exc}).") from exc

    def output(self, name: str) -> OutputImage | None:
        """The output called `name` (as the compositor names it), or None."""
        return next((output for output in self.outputs if output.name == name), None)


FrozenDesktop = DesktopImage | OutputsImage


class CaptureStrategy(Protocol):
    """One way of grabbing the screen."""

    name: str
    requirement: str  # what the user installs or allows so this strategy works

    def is_compatible(self, session: Session) -> bool:
        """Whether this strategy can work in `session` at all."""
        ...

    def is_installed(self, session: Session) -> bool:
        """Whether what it needs (tool, library, service) is present."""
        ...

    def capture(self) -> FrozenDesktop:
        """Grab every screen now; raises CaptureError when the grab fails."""
        ...


def to_rgb32(image: QImage) -> QImage:
    """`image` as opaque 32-bit RGB at device pixel ratio 1, the format every crop uses."""
    if image.format() != QImage.Format.Format_RGB32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(1.0)
    return image

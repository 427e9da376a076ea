"""Capture with `spectacle` on KDE Plasma."""

from __future__ import annotations

from desktop_app.capture._tool import run_tool
from desktop_app.capture.base import DesktopImage, Session


class SpectacleStrategy:
    """`spectacle -b -n -f -o FILE`: background, no notification, full screen."""

    name = "spectacle"
    requirement = "spectacle (on KDE Plasma)"

    def is_compatible(self, session: Session) -> bool:
        """KDE Plasma sessions on Linux."""
        return session.platform == "linux" and session.desktop_is("kde")

    def is_installed(self, session: Session) -> bool:
        """True when spectacle is on PATH."""
        return session.which("spectacle") is not None

    def capture(self) -> DesktopImage:
        """All screens, as KWin renders them."""
        return run_tool("spectacle", ["-b", "-n", "-f", "-o"], [])


STRATEGY = SpectacleStrategy()

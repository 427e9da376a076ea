"""Capture with `grim` on wlroots compositors (Sway, Hyprland, river, Wayfire ...)."""

from __future__ import annotations

from desktop_app.capture._tool import run_tool
from desktop_app.capture.base import DesktopImage, Session

# Desktops that implement wlr-screencopy, which grim needs; GNOME and KDE do not.
WLROOTS_DESKTOPS = ("sway", "hyprland", "river", "wayfire", "labwc", "niri", "dwl", "qtile")


class GrimStrategy:
    """`grim FILE` writes all outputs into one PNG."""

    name = "grim"
    requirement = "grim (on wlroots compositors such as Sway or Hyprland)"

    def is_compatible(self, session: Session) -> bool:
        """Wayland sessions that are not GNOME or KDE (those lack wlr-screencopy)."""
        return session.is_wayland and not session.desktop_is("gnome", "kde")

    def is_installed(self, session: Session) -> bool:
        """True when the grim program is on PATH."""
        return session.which("grim") is not None

    def capture(self) -> DesktopImage:
        """All outputs, at their native scale."""
        return run_tool("grim", ["-t", "png"], [])


STRATEGY = GrimStrategy()

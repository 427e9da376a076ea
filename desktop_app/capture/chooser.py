"""Pick the first capture strategy that fits the session, in a declared order, and run it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from desktop_app.capture import (
    gnome_screenshot,
    grim,
    mss_grab,
    qt_screen,
    spectacle,
    xdg_portal,
)
from desktop_app.capture.base import (
    CaptureError,
    CaptureStrategy,
    DesktopImage,
    FrozenDesktop,
    Session,
)
from desktop_app.capture.wayland_layout import screen_layout, split_composite

log = logging.getLogger(__name__)

MSS = mss_grab.STRATEGY
QT = qt_screen.STRATEGY
PORTAL = xdg_portal.STRATEGY
GRIM = grim.STRATEGY
GNOME = gnome_screenshot.STRATEGY
SPECTACLE = spectacle.STRATEGY

# Why this order: a direct read of the framebuffer (mss) is fastest and needs no Qt app.
# On Wayland grim comes first where it works (wlroots only): it keeps every output at its
# native resolution, while the portal (the sanctioned way everywhere, the only one on GNOME
# and KDE) renders the whole desktop at one scale; desktop tools come after the portal.
ORDER: dict[str, tuple[CaptureStrategy, ...]] = {
    "x11": (MSS, QT, PORTAL, GNOME, SPECTACLE),
    "wayland": (GRIM, PORTAL, GNOME, SPECTACLE, QT),
    "win32": (MSS, QT),
    "darwin": (QT, MSS),  # Qt asks macOS for screen-recording permission the usual way
}


def strategy_order(session: Session) -> tuple[CaptureStrategy, ...]:
    """The strategies to try in `session`, most preferred first."""
    if session.platform in ORDER:
        return ORDER[session.platform]
    return ORDER["wayland"] if session.is_wayland else ORDER["x11"]


def candidates(session: Session) -> list[CaptureStrategy]:
    """Compatible and installed strategies in order; logs why each other one was skipped."""
    usable = []
    for strategy in strategy_order(session):
        if not strategy.is_compatible(session):
            log.info(
                "capture: skipped %s: not for this session (%s)", strategy.name, _describe(session)
            )
        elif not strategy.is_installed(session):
            log.info("capture: skipped %s: needs %s", strategy.name, strategy.requirement)
        else:
            usable.append(strategy)
    return usable


def choose(session: Session) -> CaptureStrategy:
    """The strategy `capture_desktop` would try first; CaptureError when none fits."""
    usable = candidates(session)
    if not usable:
        raise CaptureError(advice(session))
    return usable[0]


def capture_desktop(session: Session | None = None) -> FrozenDesktop:
    """Grab the whole desktop with the first strategy that works.

    On Wayland the answer is per output, in logical coordinates (an `OutputsImage`) whenever
    Qt knows the outputs; elsewhere one device-pixel image of the virtual desktop.
    """
    session = session or Session.detect()
    failures: list[str] = []
    for strategy in candidates(session):
        try:
            image = strategy.capture()
        except CaptureError as exc:
            log.warning("capture: %s failed: %s", strategy.name, exc)
            failures.append(str(exc))
            continue
        log.info("capture: used %s", strategy.name)
        return _per_output(image, session)
    raise CaptureError(advice(session, failures))


def _per_output(image: FrozenDesktop, session: Session) -> FrozenDesktop:
    """On Wayland, a whole-desktop image cut into one tile per output of Qt's layout."""
    if session.is_wayland and isinstance(image, DesktopImage) and not image.picked:
        layout = screen_layout()
        if layout:
            return split_composite(image, layout)
    return image


def advice(session: Session, failures: Sequence[str] = ()) -> str:
    """One sentence saying what to install or allow so that capture works in `session`."""
    if session.platform == "darwin":
        hint = (
            "Allow screen recording for Qwen Math in System Settings > Privacy & Security > "
            "Screen Recording, then restart the app."
        )
    elif session.platform == "win32":
        hint = "Make sure the mss package is installed and the desktop is unlocked."
    elif session.is_wayland:
        hint = (
            "Install xdg-desktop-portal with your desktop's backend (xdg-desktop-portal-gnome, "
            "-kde or -wlr) and allow screenshots, or install grim on wlroots compositors."
        )
    elif session.is_x11:
        hint = "Install the mss package, or run the app inside the desktop session."
    else:
        hint = "Run the app inside a graphical session (DISPLAY or WAYLAND_DISPLAY is unset)."
    reason = f" ({failures[-1].rstrip('.')})" if failures else ""
    return f"The screen could not be captured{reason}. {hint}"


def _describe(session: Session) -> str:
    kind = "wayland" if session.is_wayland else "x11" if session.is_x11 else "no display"
    if session.platform != "linux":
        kind = session.platform
    return f"{kind}, desktop {session.desktop or 'unknown'}"

"""Capture through xdg-desktop-portal's Screenshot interface over D-Bus (Wayland, Flatpak)."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from PySide6.QtCore import SLOT, QEventLoop, QObject, QTimer, Slot
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
from PySide6.QtGui import QImage

from desktop_app.capture.base import CaptureError, DesktopImage, Session, to_rgb32

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
TIMEOUT_MS = 60_000  # the portal may ask the user first ("Allow Qwen Math to take screenshots?")
RESPONSE_CANCELLED, RESPONSE_OTHER = 1, 2
# Response(u, a{sv}): typed slot arguments make QtDBus unpack the dictionary itself (PySide6
# cannot read a QDBusArgument map); the slot goes as SLOT()'s string, not as bytes
ON_RESPONSE = SLOT("on_response(uint,QVariantMap)")


def request_path(unique_name: str, token: str) -> str:
    """The Request object path the portal will use, known before the call (avoids a race)."""
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{PATH}/request/{sender}/{token}"


def file_from_uri(uri: str) -> str:
    """Local path of the portal's file:// answer."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise CaptureError(f"The screenshot portal answered with an unusable location ({uri}).")
    return unquote(parsed.path)


class _ResponseWaiter(QObject):
    """Receives the Request's Response signal and stops the local event loop."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self.code: int | None = None
        self.results: dict[str, Any] = {}

    @Slot("uint", "QVariantMap")
    def on_response(self, code: int, results: dict[str, Any]) -> None:
        """Response(u code, a{sv} results): 0 success, 1 cancelled by the user, 2 other."""
        self.code = int(code)
        self.results = dict(results)
        self._loop.quit()


class XdgPortalStrategy:
    """org.freedesktop.portal.Screenshot: the sanctioned way to read the screen on Wayland."""

    name = "xdg_portal"
    requirement = (
        "xdg-desktop-portal with a backend for your desktop "
        "(xdg-desktop-portal-gnome, -kde or -wlr), and permission to take screenshots"
    )

    def is_compatible(self, session: Session) -> bool:
        """Linux desktops with a D-Bus session; preferred on Wayland, usable on X11 too."""
        return session.platform == "linux"

    def is_installed(self, session: Session) -> bool:
        """True when the session bus has a portal service registered or activatable."""
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return False
        names = bus.interface()
        reply = names.call("NameHasOwner", SERVICE)
        if reply.type() == QDBusMessage.MessageType.ReplyMessage and reply.arguments()[0]:
            return True
        reply = names.call("ListActivatableNames")
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            return False
        return SERVICE in list(reply.arguments()[0])

    def capture(self) -> DesktopImage:
        """A screenshot of everything; when the desktop refuses that, its own picker's shot.

        GNOME and KDE may refuse a silent screenshot (a policy, or the user said no once);
        asked again with `interactive`, they show their own screenshot dialog, and what the
        user takes there is the snip (`picked`).
        """
        code, results = _request(interactive=False)
        picked = False
        if code == RESPONSE_OTHER:
            log.info("capture: the portal refused a silent screenshot; asking with its dialog")
            code, results = _request(interactive=True)
            picked = True
        if code == RESPONSE_CANCELLED:
            raise CaptureError("The screenshot was cancelled in the desktop's dialog.")
        if code != 0 or "uri" not in results:
            raise CaptureError(
                "The screenshot was not allowed; allow Qwen Math to take screenshots."
            )
        path_on_disk = Path(file_from_uri(str(results["uri"])))
        image = QImage(str(path_on_disk))
        # the portal saves into the user's Pictures folder; the snip must not litter it
        path_on_disk.unlink(missing_ok=True)
        if image.isNull():
            raise CaptureError("The screenshot portal's file is not a readable image.")
        return DesktopImage(to_rgb32(image), picked=picked)


def _request(interactive: bool) -> tuple[int, dict[str, Any]]:
    """One Screenshot request; waits for the Request's Response (code, results)."""
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        raise CaptureError("There is no D-Bus session bus to reach the screenshot portal.")
    token = f"qwen_math_{secrets.token_hex(8)}"
    loop = QEventLoop()
    waiter = _ResponseWaiter(loop)
    path = request_path(bus.baseService(), token)
    # subscribe before calling: a fast portal may answer before Screenshot returns
    if not bus.connect(SERVICE, path, REQUEST, "Response", waiter, ON_RESPONSE):  # type: ignore[call-overload]
        raise CaptureError("Could not listen for the screenshot portal's answer on D-Bus.")
    try:
        portal = QDBusInterface(SERVICE, PATH, SCREENSHOT, bus)
        portal.setTimeout(TIMEOUT_MS)  # the first call may start the portal and its backend
        options = {"handle_token": token, "interactive": interactive}
        reply = portal.call("Screenshot", "", options)
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            raise CaptureError(f"The screenshot portal refused: {reply.errorMessage()}")
        if waiter.code is None:
            deadline = QTimer()
            deadline.setSingleShot(True)
            deadline.timeout.connect(loop.quit)
            deadline.start(TIMEOUT_MS)
            loop.exec()
            deadline.stop()
    finally:
        bus.disconnect(SERVICE, path, REQUEST, "Response", waiter, ON_RESPONSE)  # type: ignore[call-overload]
    if waiter.code is None:
        raise CaptureError("The screenshot portal did not answer within a minute.")
    return waiter.code, waiter.results


STRATEGY = XdgPortalStrategy()

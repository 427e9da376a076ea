"""Capture through xdg-desktop-portal's Screenshot interface over D-Bus (Wayland, Flatpak)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot
from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
from PySide6.QtGui import QImage

from desktop_app.capture.base import CaptureError, DesktopImage, Session, to_rgb32

SERVICE = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
TIMEOUT_MS = 60_000  # the portal may ask the user first ("Allow Qwen Math to take screenshots?")


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

    @Slot(QDBusMessage)
    def on_response(self, message: QDBusMessage) -> None:
        """Response(u code, a{sv} results): 0 success, 1 cancelled by the user, 2 other."""
        arguments = message.arguments()
        self.code = int(arguments[0])
        self.results = dict(arguments[1]) if len(arguments) > 1 else {}
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
        """Ask the portal for a non-interactive screenshot of everything; wait for its answer."""
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            raise CaptureError("There is no D-Bus session bus to reach the screenshot portal.")
        token = f"qwen_math_{secrets.token_hex(8)}"
        loop = QEventLoop()
        waiter = _ResponseWaiter(loop)
        path = request_path(bus.baseService(), token)
        # subscribe before calling: a fast portal may answer before Screenshot returns
        if not bus.connect(
            SERVICE, path, REQUEST, "Response", waiter, b"1on_response(QDBusMessage)"
        ):
            raise CaptureError("Could not listen for the screenshot portal's answer on D-Bus.")
        portal = QDBusInterface(SERVICE, PATH, SCREENSHOT, bus)
        reply = portal.call("Screenshot", "", {"handle_token": token, "interactive": False})
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            raise CaptureError(f"The screenshot portal refused: {reply.errorMessage()}")
        QTimer.singleShot(TIMEOUT_MS, loop.quit)
        if waiter.code is None:
            loop.exec()
        bus.disconnect(SERVICE, path, REQUEST, "Response", waiter, b"1on_response(QDBusMessage)")
        if waiter.code is None:
            raise CaptureError("The screenshot portal did not answer within a minute.")
        if waiter.code != 0 or "uri" not in waiter.results:
            raise CaptureError(
                "The screenshot was not allowed; allow Qwen Math to take screenshots."
            )
        path_on_disk = Path(file_from_uri(str(waiter.results["uri"])))
        image = QImage(str(path_on_disk))
        # the portal saves into the user's Pictures folder; the snip must not litter it
        path_on_disk.unlink(missing_ok=True)
        if image.isNull():
            raise CaptureError("The screenshot portal's file is not a readable image.")
        return DesktopImage(to_rgb32(image))


STRATEGY = XdgPortalStrategy()

"""One app per user: later `qwen-math` / `qwen-math snip` runs hand their command to it."""

from __future__ import annotations

import getpass
import logging
import os

from PySide6.QtCore import QCryptographicHash, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

COMMANDS = ("show", "snip")
TIMEOUT_MS = 2000


def server_name() -> str:
    """Per-user socket name; QWEN_MATH_HOME (portable mode, tests) gets its own instance."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    home = os.environ.get("QWEN_MATH_HOME", "")
    # Qt's SHA-256: the same digest as hashlib's, without importing it at start-up
    digest = QCryptographicHash.hash(
        f"{user}\0{home}".encode(), QCryptographicHash.Algorithm.Sha256
    )
    suffix = bytes(digest.toHex().data()).decode()[:12]
    return f"qwen-math-{suffix}"


def send_command(command: str, name: str | None = None, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Hand `command` to the running instance; True when it acknowledged, False when none runs."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(f"{command}\n".encode())
    if not socket.waitForBytesWritten(timeout_ms):
        return False
    answered = socket.waitForReadyRead(timeout_ms)
    reply = bytes(socket.readAll().data()).strip() if answered else b""
    socket.disconnectFromServer()
    socket.abort()  # nothing left pending when the wrapper goes away
    return reply == b"ok"


class InstanceServer(QObject):
    """Listens for commands from later runs; emits `command_received("show" | "snip")`."""

    command_received = Signal(str)

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or server_name()
        self._server = QLocalServer(self)
        # only this user may talk to the socket
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._clients: set[QLocalSocket] = set()

    def listen(self) -> bool:
        """Start listening; False when another live instance already owns the name."""
        # ask first: with UserAccessOption Qt renames its socket over an existing one,
        # so listen() alone would silently steal the name from a live instance
        if send_command("ping", self.name, timeout_ms=500):
            return False
        # no answer: any socket file left is a crashed instance's, take it over
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def close(self) -> None:
        """Stop listening, drop any client still connected, and remove the socket."""
        self._server.close()
        for socket in list(self._clients):
            self._forget(socket)

    def _on_new_connection(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            # The server keeps every client until it disconnects: no lambda holds a wrapper
            # of a socket that Qt may already have deleted.
            self._clients.add(socket)
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)

    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._forget(socket)

    def _forget(self, socket: QLocalSocket) -> None:
        if socket in self._clients:
            self._clients.discard(socket)
            socket.readyRead.disconnect(self._on_ready_read)
            socket.disconnected.disconnect(self._on_disconnected)
            socket.abort()
            socket.deleteLater()

    def _on_ready_read(self) -> None:
        socket = self.sender()
        if not isinstance(socket, QLocalSocket) or not socket.canReadLine():
            return
        command = bytes(socket.readLine().data()).decode(errors="replace").strip()
        socket.write(b"ok\n")
        socket.flush()
        if command in COMMANDS:
            log.info("single instance: received %s", command)
            self.command_received.emit(command)
        elif command != "ping":
            log.warning("single instance: ignored unknown command %r", command[:40])


def hand_over(command: str) -> bool:
    """Give `command` to a running instance (the caller then exits 0); False: start one."""
    return send_command(command)

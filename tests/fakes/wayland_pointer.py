"""A virtual pointer on a Wayland compositor, spoken over the Wayland wire protocol.

A headless sway has no input device, so its seat offers clients no pointer at all and
`swaymsg seat seat0 cursor ...` has nobody to reach. This client creates one through
wlr-virtual-pointer (what wlrctl and wayvnc use): the seat gains a pointer, Qt binds it.
sway 1.7 sends no motion to the client holding a button when the cursor is moved by
`swaymsg seat seat0 cursor set`, so drags move the pointer through this device instead.
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable

DISPLAY = 1  # wl_display is object 1
BTN_LEFT = 0x110


class WaylandWire:
    """The few requests and events of the wire protocol a virtual pointer needs."""

    def __init__(self, path: str) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(10)
        self._sock.connect(path)
        self._next_id = 2
        self._buffer = b""

    def new_id(self) -> int:
        """A fresh client-side object id."""
        self._next_id += 1
        return self._next_id - 1

    def send(self, target: int, opcode: int, *args: int | str) -> None:
        """One request: ints are uint/int/object/new_id, strings are strings."""
        body = b""
        for arg in args:
            if isinstance(arg, str):
                raw = arg.encode() + b"\0"
                body += struct.pack("<I", len(raw)) + raw + b"\0" * (-len(raw) % 4)
            else:
                body += struct.pack("<I", arg & 0xFFFFFFFF)
        header = struct.pack("<II", target, ((8 + len(body)) << 16) | opcode)
        self._sock.sendall(header + body)

    def roundtrip(self, on_event: Callable[[int, int, bytes], None]) -> None:
        """wl_display.sync, handing every event before its answer to `on_event`."""
        callback = self.new_id()
        self.send(DISPLAY, 0, callback)
        while True:
            target, opcode, body = self._read()
            if target == callback:
                return
            if target == DISPLAY and opcode == 0:
                raise RuntimeError(f"the compositor reported a protocol error: {body!r}")
            on_event(target, opcode, body)

    def close(self) -> None:
        """Disconnect (the compositor removes the client's devices)."""
        self._sock.close()

    def _read(self) -> tuple[int, int, bytes]:
        while len(self._buffer) < 8 or len(self._buffer) < self._pending_size():
            chunk = self._sock.recv(65536)
            if not chunk:
                raise EOFError("the compositor closed the connection")
            self._buffer += chunk
        target, word = struct.unpack_from("<II", self._buffer)
        size = word >> 16
        body, self._buffer = self._buffer[8:size], self._buffer[size:]
        return target, word & 0xFFFF, body

    def _pending_size(self) -> int:
        return int(struct.unpack_from("<I", self._buffer, 4)[0] >> 16)


class VirtualPointer:
    """A pointer device on the compositor's seat, moved in layout (logical) coordinates."""

    def __init__(self, socket_path: str, layout_width: int, layout_height: int) -> None:
        self._wire = WaylandWire(socket_path)
        self._extent = (layout_width, layout_height)
        self._start = time.monotonic()
        registry = self._wire.new_id()
        self._wire.send(DISPLAY, 1, registry)  # wl_display.get_registry
        found: dict[str, tuple[int, int]] = {}

        def on_global(target: int, opcode: int, body: bytes) -> None:
            if target == registry and opcode == 0:  # wl_registry.global(name, interface, version)
                name, length = struct.unpack_from("<II", body)
                interface = body[8 : 8 + length - 1].decode()
                found[interface] = (
                    name,
                    struct.unpack_from("<I", body, 8 + length + (-length % 4))[0],
                )

        self._wire.roundtrip(on_global)
        interface = "zwlr_virtual_pointer_manager_v1"
        if interface not in found:
            raise RuntimeError("the compositor offers no virtual pointer")
        manager = self._wire.new_id()
        self._wire.send(registry, 0, found[interface][0], interface, 1, manager)  # bind
        self.pointer = self._wire.new_id()
        self._wire.send(manager, 0, 0, self.pointer)  # create_virtual_pointer(default seat)
        self._wire.roundtrip(lambda *_: None)

    def move_to(self, x: int, y: int) -> None:
        """Absolute motion to logical (x, y) of the layout, then a frame."""
        width, height = self._extent
        self._wire.send(self.pointer, 1, self._now(), x, y, width, height)  # motion_absolute
        self._wire.send(self.pointer, 4)  # frame
        self._wire.roundtrip(lambda *_: None)

    def button(self, pressed: bool, button: int = BTN_LEFT) -> None:
        """Press or release a button, then a frame."""
        self._wire.send(self.pointer, 2, self._now(), button, int(pressed))
        self._wire.send(self.pointer, 4)
        self._wire.roundtrip(lambda *_: None)

    def close(self) -> None:
        """Unplug the device."""
        self._wire.close()

    def _now(self) -> int:
        return int((time.monotonic() - self._start) * 1000)

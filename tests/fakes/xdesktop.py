"""A real headless X desktop: Xorg with the dummy driver, two monitors, a known pixel pattern.

    with XDesktop.start(tmp_path) as desk:
        env = desk.env()              # DISPLAY, QT_QPA_PLATFORM=xcb, QT_SCREEN_SCALE_FACTORS
        desk.expected(x, y, w, h)     # the pattern's RGB bytes for a device rectangle

Layout (device pixels, one 1920x1200 framebuffer split by `xrandr --setmonitor`):
LEFT 960x1200 at (0, 0) and RIGHT 960x1200 at (960, 0). With the default scale factors
Qt sees LEFT at DPR 1 and RIGHT at DPR 2 (logical 480x600 at x=960): mixed DPI, for real.
The root window's background is a pattern whose every pixel is unique, so an off-by-one
crop or a wrongly scaled screen shows up as different bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

WIDTH, HEIGHT = 1920, 1200
SCALE_FACTORS = "LEFT=1;RIGHT=2"

XORG_CONF = """
Section "ServerFlags"
    Option "AutoAddDevices" "false"
    Option "AutoEnableDevices" "false"
    Option "DontVTSwitch" "true"
EndSection
Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam 256000
EndSection
Section "Monitor"
    Identifier "monitor"
    HorizSync 5.0-1000.0
    VertRefresh 5.0-200.0
EndSection
Section "Screen"
    Identifier "screen"
    Device "dummy"
    Monitor "monitor"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Virtual 3200 1800
    EndSubSection
EndSection
"""


def xorg_binary() -> str | None:
    """Path of the Xorg server, or None when it is not installed."""
    return shutil.which("Xorg")


def pattern_rgb(x: int, y: int, w: int, h: int) -> bytes:
    """The pattern's packed RGB bytes for a device rectangle, row by row.

    Pixel (x, y) is (x & 255, y & 255, (x >> 8 & 15) | (y >> 8 & 15) << 4): unique for x, y < 4096.
    """
    rows = []
    for yy in range(y, y + h):
        g, hi_y = yy & 255, ((yy >> 8) & 15) << 4
        rows.append(
            bytes(v for xx in range(x, x + w) for v in (xx & 255, g, ((xx >> 8) & 15) | hi_y))
        )
    return b"".join(rows)


@dataclass
class XDesktop:
    """A running Xorg server; always stop() it (the context manager does)."""

    display: str
    process: subprocess.Popen[bytes]
    log_file: Path
    scale_factors: str = SCALE_FACTORS
    _stopped: bool = field(default=False, repr=False)

    @classmethod
    def start(cls, workdir: Path, scale_factors: str = SCALE_FACTORS) -> XDesktop:
        """Start Xorg on a free display, split it into LEFT/RIGHT, paint the pattern."""
        binary = xorg_binary()
        if binary is None:
            raise RuntimeError("Xorg is not installed")
        workdir.mkdir(parents=True, exist_ok=True)
        conf, log_file = workdir / "xorg.conf", workdir / "xorg.log"
        conf.write_text(XORG_CONF)
        read_fd, write_fd = os.pipe()
        # -displayfd: the server picks a free display itself, so parallel sessions never clash
        process = subprocess.Popen(
            [
                binary,
                "-displayfd",
                str(write_fd),
                "-noreset",
                "-nolisten",
                "tcp",
                "-config",
                str(conf),
                "-logfile",
                str(log_file),
                "-novtswitch",
                "-sharevts",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        os.close(write_fd)
        number = _read_display_number(read_fd, process, log_file)
        desk = cls(f":{number}", process, log_file, scale_factors)
        try:
            desk._setup_monitors()
            paint_pattern(desk.display)
        except BaseException:
            desk.stop()
            raise
        return desk

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a Qt (xcb) or mss process on this desktop."""
        env = {
            k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_SCALE_FACTOR")
        }
        env.update(
            DISPLAY=self.display,
            QT_QPA_PLATFORM="xcb",
            XDG_SESSION_TYPE="x11",
            QT_SCREEN_SCALE_FACTORS=self.scale_factors,
            QT_ENABLE_HIGHDPI_SCALING="1",
        )
        env.update(extra)
        return env

    def xrandr(self, *args: str) -> str:
        """Run xrandr against this display."""
        result = subprocess.run(
            ["xrandr", *args],
            env={**os.environ, "DISPLAY": self.display},
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"xrandr {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def _setup_monitors(self) -> None:
        self.xrandr("--output", "DUMMY0", "--mode", f"{WIDTH}x{HEIGHT}")
        # the output's automatic monitor may not exist as a named one; deleting is best-effort
        with contextlib.suppress(RuntimeError):
            self.xrandr("--delmonitor", "DUMMY0")
        self.xrandr("--setmonitor", "LEFT", "960/254x1200/317+0+0", "DUMMY0")
        self.xrandr("--setmonitor", "RIGHT", "960/254x1200/317+960+0", "none")

    def stop(self) -> None:
        """Kill the server and wait for it; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def __enter__(self) -> XDesktop:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _read_display_number(fd: int, process: subprocess.Popen[bytes], log_file: Path) -> int:
    deadline, data = time.monotonic() + 30, b""
    os.set_blocking(fd, False)
    try:
        while not data.endswith(b"\n"):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(10)
                log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
                raise RuntimeError(f"Xorg did not start:\n{log}")
            try:
                data += os.read(fd, 64)
            except BlockingIOError:
                time.sleep(0.02)
    finally:
        os.close(fd)
    return int(data.strip())


def paint_pattern(display: str) -> None:
    """Make the pattern the root window's background (it then survives every expose)."""
    path = ctypes.util.find_library("X11")
    if path is None:
        raise RuntimeError("libX11 is not installed")
    x11 = ctypes.CDLL(path)
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    for name in ("XDefaultScreen", "XDefaultDepth"):
        getattr(x11, name).argtypes = [ctypes.c_void_p] + (
            [ctypes.c_int] if name != "XDefaultScreen" else []
        )
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XDefaultVisual.restype = ctypes.c_void_p
    x11.XDefaultVisual.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XDefaultGC.restype = ctypes.c_void_p
    x11.XDefaultGC.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCreatePixmap.restype = ctypes.c_ulong
    x11.XCreatePixmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_uint,
    ]
    x11.XCreateImage.restype = ctypes.c_void_p
    x11.XCreateImage.argtypes = [
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_int,
    ]
    x11.XPutImage.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
    ]
    x11.XSetWindowBackgroundPixmap.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    x11.XClearWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XSetCloseDownMode.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]

    dpy = x11.XOpenDisplay(display.encode())
    if not dpy:
        raise RuntimeError(f"cannot open X display {display}")
    screen = x11.XDefaultScreen(dpy)
    root = x11.XDefaultRootWindow(dpy)
    depth = x11.XDefaultDepth(dpy, screen)
    rgb = pattern_rgb(0, 0, WIDTH, HEIGHT)
    # 24-bit TrueColor ZPixmaps are 32 bits per pixel, little-endian BGRX
    bgrx = bytearray(WIDTH * HEIGHT * 4)
    bgrx[0::4], bgrx[1::4], bgrx[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
    data = ctypes.create_string_buffer(bytes(bgrx), len(bgrx))
    image = x11.XCreateImage(
        dpy, x11.XDefaultVisual(dpy, screen), depth, 2, 0, data, WIDTH, HEIGHT, 32, WIDTH * 4
    )
    pixmap = x11.XCreatePixmap(dpy, root, WIDTH, HEIGHT, depth)
    x11.XPutImage(dpy, pixmap, x11.XDefaultGC(dpy, screen), image, 0, 0, 0, 0, WIDTH, HEIGHT)
    x11.XSetWindowBackgroundPixmap(dpy, root, pixmap)
    x11.XClearWindow(dpy, root)
    x11.XSetCloseDownMode(dpy, 1)  # RetainPermanent: the pixmap outlives this connection
    x11.XSync(dpy, 0)
    x11.XCloseDisplay(dpy)  # the XImage struct leaks on purpose: XDestroyImage would free `data`


def xdesktop_fixture(tmp_path_factory: Any) -> Iterator[XDesktop]:
    """Body of a pytest fixture: skips without Xorg, always stops the server afterwards."""
    import pytest

    if xorg_binary() is None:
        pytest.skip(
            "Xorg is not installed (apt-get install xserver-xorg-core "
            "xserver-xorg-video-dummy x11-xserver-utils)"
        )
    desk = XDesktop.start(tmp_path_factory.mktemp("xorg"))
    try:
        yield desk
    finally:
        desk.stop()

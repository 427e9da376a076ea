"""A real headless Wayland desktop: sway with three outputs of scales 1, 1.5 and 2.

    desk = SwayDesktop.start()
    env = desk.env()                 # WAYLAND_DISPLAY, QT_QPA_PLATFORM=wayland, SWAYSOCK ...
    desk.grim(geometry="X,Y WxH")    # the compositor's own capture, as a PIL image
    desk.drag((x0, y0), (x1, y1))    # a real pointer drag (logical coordinates)

Layout (logical coordinates, what `swaymsg -t get_outputs` and `grim -g` use):
HEADLESS-1 800x600 at (0, 0), scale 1 (mode 800x600); HEADLESS-2 640x480 at (800, 0),
scale 1.5 (mode 960x720); HEADLESS-3 640x480 at (1440, 0), scale 2 (mode 1280x960). Below
the two smaller outputs lies no output at all. Each output's wallpaper is a pattern at its
native size whose every pixel is unique, drawn 1:1 by swaybg on the scale-1 and scale-2
outputs (on the scale-1.5 one sway resamples it, as a real desktop would).

sway refuses to run as root: as root, the session runs as the unprivileged user
`qwen-math-sway` (created when missing), with its own XDG_RUNTIME_DIR; root processes
connect to its sockets.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from tests.fakes.wayland_pointer import VirtualPointer

USER = "qwen-math-sway"
# name, mode (native) size, scale, logical position
OUTPUTS = [
    ("HEADLESS-1", (800, 600), 1.0, (0, 0)),
    ("HEADLESS-2", (960, 720), 1.5, (800, 0)),
    ("HEADLESS-3", (1280, 960), 2.0, (1440, 0)),
]
LAYOUT = (2080, 600)  # logical bounding box
EXACT_OUTPUTS = ("HEADLESS-1", "HEADLESS-3")
# Where the pointer rests between drags, and the native box around it on that output that
# grim's capture may show it in (sway draws the cursor into the frame; 32 logical px)
PARKED_ON = "HEADLESS-3"
PARKED_BOX = (1280 - 64, 960 - 64, 1280, 960)  # swaybg's pixels reach the screen unchanged


def missing_programs() -> list[str]:
    """The programs this desktop needs that are not installed."""
    programs = ("sway", "swaymsg", "swaybg", "grim", "wtype")
    return [name for name in programs if shutil.which(name) is None]


def wallpaper(index: int, width: int, height: int) -> Image.Image:
    """Output `index`'s pattern: (x & 255, y & 255, index << 6 | x >> 8 | (y >> 8) << 3)."""
    import numpy as np

    x = np.arange(width, dtype=np.uint32)[None, :]
    y = np.arange(height, dtype=np.uint32)[:, None]
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    rgb[..., 0] = x & 255
    rgb[..., 1] = y & 255
    rgb[..., 2] = (index << 6) | ((x >> 8) & 7) | (((y >> 8) & 7) << 3)
    return Image.fromarray(rgb, "RGB")


@dataclass
class SwayDesktop:
    """A running headless sway; always stop() it (the context manager does)."""

    folder: Path  # owned by the session's user: config, wallpapers, runtime dir
    client_runtime: Path  # XDG_RUNTIME_DIR for this process's clients
    process: subprocess.Popen[bytes]
    wayland_socket: Path
    ipc_socket: Path
    pointer: VirtualPointer | None = None
    keyboard: subprocess.Popen[bytes] | None = None
    _stopped: bool = field(default=False, repr=False)

    @classmethod
    def start(cls) -> SwayDesktop:
        """Start sway, add and scale the outputs, paint the wallpapers, plug in a pointer."""
        uid, gid = _session_user()
        folder = Path(tempfile.mkdtemp(prefix="qwen-math-sway-"))
        runtime = folder / "run"
        runtime.mkdir(mode=0o700)
        config = folder / "config"
        # the pointer moves only when a test moves it
        lines = ["xwayland disable", "mouse_warping none"]
        for index, (name, (width, height), scale, (x, y)) in enumerate(OUTPUTS, 1):
            lines.append(
                f"output {name} resolution {width}x{height} position {x} {y} scale {scale} "
                f"bg {folder / f'wall-{index}.png'} stretch"
            )
        config.write_text("\n".join(lines) + "\n")
        for index, (_, (width, height), _, _) in enumerate(OUTPUTS, 1):
            wallpaper(index, width, height).save(folder / f"wall-{index}.png")
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, uid, gid)
        folder.chmod(0o700)
        client_runtime = Path(tempfile.mkdtemp(prefix="qwen-math-wayland-client-"))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "XDG_RUNTIME_DIR": str(runtime),
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
        }
        log = (folder / "sway.log").open("wb")
        process = subprocess.Popen(
            # noscanout: the headless backend "scans out" a full-screen client's shm buffer,
            # which no real GPU can, and screencopy then reads a stale frame
            ["sway", "-D", "noscanout", "--config", str(config)],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=log,
            start_new_session=True,
            **_as_user(uid, gid),
        )
        log.close()
        try:
            wayland_socket, ipc_socket = _wait_for_sockets(runtime, process, folder)
            desk = cls(folder, client_runtime, process, wayland_socket, ipc_socket)
        except BaseException:
            _terminate(process)
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(client_runtime, ignore_errors=True)
            raise
        try:
            desk._setup_outputs()
            desk.pointer = VirtualPointer(str(wayland_socket), *LAYOUT)
            desk.park_pointer()
            # a keyboard that stays plugged in (wtype, sleeping): clients bind it when they
            # start, so a key typed later is never lost to a keyboard still being set up
            desk.keyboard = subprocess.Popen(
                ["wtype", "-s", "3600000"], env=desk.env(), stderr=subprocess.DEVNULL
            )
        except BaseException:
            desk.stop()
            raise
        return desk

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a Wayland client (Qt, grim, wtype) of this desktop."""
        drop = (
            "DISPLAY",
            "QT_SCALE_FACTOR",
            "QT_SCREEN_SCALE_FACTORS",
            "QT_ENABLE_HIGHDPI_SCALING",
        )
        env = {key: value for key, value in os.environ.items() if key not in drop}
        env.update(
            WAYLAND_DISPLAY=str(self.wayland_socket),
            XDG_RUNTIME_DIR=str(self.client_runtime),
            SWAYSOCK=str(self.ipc_socket),
            QT_QPA_PLATFORM="wayland",
            XDG_SESSION_TYPE="wayland",
            XDG_CURRENT_DESKTOP="sway",
        )
        env.update(extra)
        return env

    def swaymsg(self, *args: str) -> Any:
        """Run swaymsg against this session; its parsed JSON reply."""
        result = subprocess.run(
            ["swaymsg", "--socket", str(self.ipc_socket), "--raw", *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"swaymsg {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return json.loads(result.stdout) if result.stdout.strip() else None

    def grim(
        self, geometry: str | None = None, output: str | None = None, scale: float | None = None
    ) -> Image.Image:
        """grim's own capture (of `geometry` "X,Y WxH", of one output, or of everything)."""
        args = ["-g", geometry] if geometry else ["-o", output] if output else []
        args += ["-s", str(scale)] if scale else []
        result = subprocess.run(
            ["grim", *args, "-"], env=self.env(), capture_output=True, timeout=20, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"grim {args} failed: {result.stderr.decode(errors='replace')}")
        image = Image.open(io.BytesIO(result.stdout))
        image.load()
        return image

    def drag(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Press at `start`, move to `end` in two steps, release (logical coordinates).

        The pointer is placed with `swaymsg seat seat0 cursor set`; press, motion and release
        go through the virtual pointer, as a mouse's would (see wayland_pointer: sway 1.7 sends
        no motion to the client holding a button when the cursor is moved by swaymsg, and a
        hidden cursor leaves no surface under it until a device moves it).
        """
        assert self.pointer is not None
        self.swaymsg("seat", "seat0", "cursor", "set", str(start[0]), str(start[1]))
        self.pointer.move_to(*start)
        self.pointer.button(pressed=True)
        self.pointer.move_to((start[0] + end[0]) // 2, (start[1] + end[1]) // 2)
        self.pointer.move_to(*end)
        self.pointer.button(pressed=False)
        self.park_pointer()

    def park_pointer(self) -> None:
        """Move the pointer to the bottom-right corner of the layout (PARKED_BOX on PARKED_ON)."""
        assert self.pointer is not None
        self.pointer.move_to(LAYOUT[0] - 1, LAYOUT[1] - 1)

    def key(self, name: str) -> None:
        """Type one key (an xkb keysym name) with wtype, a virtual keyboard."""
        subprocess.run(["wtype", "-s", "200", "-k", name], env=self.env(), timeout=20, check=True)

    def stop(self) -> None:
        """Stop sway and remove its folders; idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.pointer is not None:
            self.pointer.close()
        if self.keyboard is not None:
            self.keyboard.kill()
            self.keyboard.wait(10)
        _terminate(self.process)
        shutil.rmtree(self.folder, ignore_errors=True)
        shutil.rmtree(self.client_runtime, ignore_errors=True)

    def __enter__(self) -> SwayDesktop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _setup_outputs(self) -> None:
        # the config already describes HEADLESS-2 and -3: sway applies it as they appear
        for _ in OUTPUTS[1:]:
            self.swaymsg("create_output")
        self._wait_for_wallpapers()

    def _wait_for_wallpapers(self) -> None:
        deadline = time.monotonic() + 30
        expected = {
            name: wallpaper(index, *size).tobytes()
            for index, (name, size, _, _) in enumerate(OUTPUTS, 1)
            if name in EXACT_OUTPUTS
        }
        previous = None
        while time.monotonic() < deadline:
            shots = {name: self.grim(output=name).convert("RGB").tobytes() for name, *_ in OUTPUTS}
            if all(shots[name] == want for name, want in expected.items()):
                if shots == previous:  # the resampled output is drawn too: two equal shots
                    return
                previous = shots
            time.sleep(0.1)
        raise RuntimeError("swaybg did not paint the wallpapers within 30 seconds")


def _session_user() -> tuple[int, int]:
    """(uid, gid) sway runs as: this user, or `qwen-math-sway` when this is root."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", USER],
            capture_output=True, timeout=30, check=True,
        )  # fmt: skip
        entry = pwd.getpwnam(USER)
    return entry.pw_uid, entry.pw_gid


def _as_user(uid: int, gid: int) -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    return {"user": uid, "group": gid, "extra_groups": []}


def _wait_for_sockets(
    runtime: Path, process: subprocess.Popen[bytes], folder: Path
) -> tuple[Path, Path]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        waylands = [p for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")]
        ipcs = list(runtime.glob("sway-ipc.*.sock"))
        if waylands and ipcs:
            return waylands[0], ipcs[0]
        time.sleep(0.05)
    log = (folder / "sway.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"sway did not start:\n{log}")


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def sway_fixture() -> Iterator[SwayDesktop]:
    """Body of a pytest fixture: skips without sway, always stops the session afterwards."""
    import pytest

    missing = missing_programs()
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (apt-get install sway swaybg grim wtype): "
            "the Wayland capture tests need a headless sway"
        )
    desk = SwayDesktop.start()
    try:
        yield desk
    finally:
        desk.stop()


@contextlib.contextmanager
def running(
    desk: SwayDesktop, command: list[str], env: dict[str, str]
) -> Iterator[subprocess.Popen[str]]:
    """A client process on the desktop, killed (by its id) on the way out."""
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)

"""A D-Bus session with the real screenshot portal on the headless sway desktop.

xdg-desktop-portal (the frontend), xdg-desktop-portal-wlr (the Screenshot backend on
wlroots: it runs grim) and xdg-desktop-portal-gtk (xdg-desktop-portal 1.16 publishes the
Screenshot portal only when some backend offers the Access dialog), plus PipeWire, which
xdg-desktop-portal-wlr refuses to start without. The bus activates only those services;
each records its process id so that stop() ends exactly the processes it started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.sway_desktop import SwayDesktop

SERVICES = (
    "org.freedesktop.portal.Desktop",
    "org.freedesktop.impl.portal.desktop.wlr",
    "org.freedesktop.impl.portal.desktop.gtk",
    "org.freedesktop.impl.portal.PermissionStore",
)
SYSTEM_SERVICES = Path("/usr/share/dbus-1/services")
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <!-- the portal starts its backends before it takes its name: slow on a busy machine -->
  <limit name="service_start_timeout">120000</limit>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def missing_parts() -> list[str]:
    """What this session needs that is not installed."""
    missing = [name for name in ("dbus-daemon", "pipewire") if shutil.which(name) is None]
    missing += [name for name in SERVICES if not (SYSTEM_SERVICES / f"{name}.service").exists()]
    return missing


def _exec_line(service: str) -> str:
    for line in (SYSTEM_SERVICES / f"{service}.service").read_text().splitlines():
        if line.startswith("Exec="):
            return line.removeprefix("Exec=").strip()
    raise RuntimeError(f"{service}.service has no Exec line")


@dataclass
class PortalSession:
    """A running session bus and PipeWire; always stop() them."""

    folder: Path
    address: str
    bus: subprocess.Popen[bytes]
    pipewire: subprocess.Popen[bytes]

    @classmethod
    def start(cls, desk: SwayDesktop) -> PortalSession:
        """Start the bus (services activate on first use) and PipeWire on `desk`."""
        folder = Path(tempfile.mkdtemp(prefix="qwen-math-portal-"))
        services = folder / "services"
        services.mkdir()
        pids = folder / "pids"
        for name in SERVICES:
            # the shell records its id, then becomes the service (exec keeps the id)
            command = f"echo $$ >> {pids}; exec {_exec_line(name)}"
            (services / f"{name}.service").write_text(
                f"[D-BUS Service]\nName={name}\nExec=/bin/sh -c '{command}'\n"
            )
        # the portal and GLib look for the session bus at $XDG_RUNTIME_DIR/bus
        socket = desk.client_runtime / "bus"
        config = folder / "session.conf"
        config.write_text(BUS_CONFIG.format(socket=socket, services=services))
        env = desk.env(
            NO_AT_BRIDGE="1",
            GTK_A11Y="none",
            GSETTINGS_BACKEND="memory",
            GIO_USE_VFS="local",
            DBUS_SESSION_BUS_ADDRESS=f"unix:path={socket}",
        )
        with (folder / "bus.log").open("wb") as log:
            bus = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        pipewire = subprocess.Popen(
            ["pipewire"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        session = cls(folder, address, bus, pipewire)
        if not address:
            session.stop()
            raise RuntimeError("dbus-daemon did not start")
        _wait_for(desk.client_runtime / "pipewire-0")
        return session

    def log(self) -> str:
        """What the bus and its services said."""
        path = self.folder / "bus.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        """End the activated services, PipeWire and the bus, each by its own id."""
        pids = self.folder / "pids"
        for line in pids.read_text().split() if pids.exists() else []:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(line), signal.SIGTERM)
        for process in (self.pipewire, self.bus):
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_for(path: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)

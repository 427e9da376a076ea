"""One instance per user: a later `snip` or `show` reaches the running app instead of a new one."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from desktop_app.ui.window.single_instance import (
    InstanceServer,
    hand_over,
    send_command,
    server_name,
)

ROOT = Path(__file__).resolve().parents[3]

# A stand-in for the running app: listens under the test's name, prints what it receives.
INSTANCE = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from desktop_app.ui.window.single_instance import InstanceServer
app = QCoreApplication(sys.argv[:1])
server = InstanceServer()
if not server.listen():
    print("NOT-FIRST", flush=True)
    sys.exit(3)
def on_command(command):
    print("GOT", command, flush=True)
    if command == "snip":
        app.quit()
server.command_received.connect(on_command)
print("READY", flush=True)
QTimer.singleShot(20000, app.quit)
app.exec()
server.close()
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A private QWEN_MATH_HOME, so the socket name never meets a real instance."""
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / f"home-{uuid.uuid4().hex[:6]}"))
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_second_snip_signals_the_first_instance(home: dict[str, str]) -> None:
    """GIVEN a running instance WHEN `snip` is handed over THEN it receives it; no second one."""
    first = subprocess.Popen(
        [sys.executable, "-c", INSTANCE], env=home, stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "READY"
        second = subprocess.run(
            [sys.executable, "-c", INSTANCE], env=home, capture_output=True, text=True, timeout=20
        )
        assert (second.returncode, second.stdout.strip()) == (3, "NOT-FIRST")
        assert hand_over("show") is True
        assert hand_over("snip") is True
        out, _ = first.communicate(timeout=20)
        assert out.split("\n")[:2] == ["GOT show", "GOT snip"]
        assert first.returncode == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)


def test_nobody_listening_means_start_one(home: dict[str, str]) -> None:
    """GIVEN no instance WHEN handing a command over THEN False: the caller starts one."""
    assert hand_over("snip") is False


def test_in_process_server_and_stale_socket(qtbot: Any, home: dict[str, str]) -> None:
    """GIVEN a dead instance's socket file WHEN a new one listens THEN it takes the name over."""
    name = server_name()
    stale = InstanceServer(name)
    assert stale.listen()
    # a crash leaves the file; simulate by closing the listener without removing the name
    server = InstanceServer(name)
    stale.close()
    assert server.listen()
    received: list[str] = []
    server.command_received.connect(received.append)
    client = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from desktop_app.ui.window.single_instance import send_command;"
            f"sys.exit(0 if send_command('snip', {name!r}) else 1)",
        ],
        env=home,
    )
    qtbot.waitUntil(lambda: received == ["snip"], timeout=10000)
    assert client.wait(10) == 0
    server.close()
    assert send_command("snip", name, timeout_ms=300) is False
    for instance in (server, stale):
        instance.deleteLater()
    qtbot.wait(10)

"""A planted world of secrets for the sandbox attacks, and a runner for them.

Shared by tests/core/test_sandbox_attacks.py, which runs the attacks in its own process (as
root in CI) and through this module's `main` as uid 65534 (nobody). What could persist is
checked on the host after each attack (`World.persisted`).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import string
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.core.sandbox_attacks import ATTACKS, PRELUDE, Attack


@dataclass
class World:
    """The planted world: a user's home with secrets, the app's data, listening sockets."""

    base: str
    home: str
    portable: str
    history: str
    token: str
    unix_path: str
    abstract_name: str
    tcp_port: int
    interpreter: list[str]
    app_pid: int = 0

    def source(self, attack: Attack) -> str:
        """The attack's code with this world's paths and numbers in it."""
        values = {k: str(v) for k, v in asdict(self).items()}
        return string.Template(PRELUDE + attack.source).substitute(values)

    def persisted(self) -> list[str]:
        """Whatever any attack left behind on the host."""
        found = []
        home = Path(self.home)
        if (home / ".bashrc").read_text() != "# the user's own\n":
            found.append("~/.bashrc changed")
        if (home / ".local/share/applications/evil.desktop").exists():
            found.append("evil.desktop exists")
        for folder in (self.base, "/tmp", "/var/tmp", "/dev/shm"):
            for top, _, files in os.walk(folder) if folder == self.base else _flat(folder):
                found += [os.path.join(top, f) for f in files if self.token in f]
        for pid in os.listdir("/proc"):
            try:
                if self.token.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(f"process {pid} still runs")
            except OSError:
                continue
        return found

    def clean(self) -> None:
        """Remove whatever an attack that got through left in the shared temporary folders."""
        for folder in ("/tmp", "/var/tmp", "/dev/shm"):
            for _, _, files in _flat(folder):
                for name in files:
                    if self.token in name:
                        with contextlib.suppress(OSError):
                            os.unlink(os.path.join(folder, name))


def _flat(folder: str) -> Iterator[tuple[str, list[str], list[str]]]:
    try:
        yield folder, [], os.listdir(folder)
    except OSError:
        return


def plant(base: Path, token: str, interpreter: list[str]) -> World:
    """Make the home, secrets, the portable app folder with its data, and socket paths."""
    home = base / "home"
    (home / "Documents").mkdir(parents=True)
    (home / ".ssh").mkdir()
    (home / ".local/share/applications").mkdir(parents=True)
    (home / ".bashrc").write_text("# the user's own\n")
    (home / "Documents/secret.txt").write_text(f"SECRET-DOCUMENT-{token}")
    (home / ".ssh/id_rsa").write_text(f"SECRET-KEY-{token}")
    # A portable install: the app's folder is visible to the code (as the interpreter's would
    # be), its data folder inside it must not be. QWEN_MATH_HOME reaches it through a link.
    portable = base / "portable"
    (portable / "data-real/data").mkdir(parents=True)
    (portable / "README").write_text("the app's own folder\n")
    history = portable / "data-real/data/history.sqlite3"
    with sqlite3.connect(history) as db:
        db.execute("CREATE TABLE turns (text TEXT)")
        db.execute("INSERT INTO turns VALUES (?)", (f"SECRET-HISTORY-{token}",))
    db.close()
    (home / "data-link").symlink_to(portable / "data-real")
    return World(
        base=str(base),
        home=str(home),
        portable=str(portable),
        history=str(history),
        token=token,
        unix_path=str(base / "bus.sock"),
        abstract_name=f"qwen-math-test-{token}",
        tcp_port=0,
        interpreter=interpreter,
    )


class Listeners:
    """A loopback TCP server, a Unix socket on disk and an abstract one, counting connections."""

    def __init__(self, world: World) -> None:
        self.connections = 0
        self._servers = [
            socket.create_server(("127.0.0.1", 0)),
            socket.socket(socket.AF_UNIX),
            socket.socket(socket.AF_UNIX),
        ]
        self._servers[1].bind(world.unix_path)
        os.chmod(world.unix_path, 0o777)  # anyone outside a sandbox could connect
        self._servers[2].bind("\0" + world.abstract_name)
        world.tcp_port = self._servers[0].getsockname()[1]
        self._threads = []
        for server in self._servers:
            server.listen()
            server.settimeout(0.1)
            thread = threading.Thread(target=self._accept, args=(server,), daemon=True)
            thread.start()
            self._threads.append(thread)
        self._stop = False

    def _accept(self, server: socket.socket) -> None:
        while not getattr(self, "_stop", False):
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        """Stop accepting and close the servers."""
        self._stop = True
        for thread in self._threads:
            thread.join()
        for server in self._servers:
            server.close()


def run_all(world: World) -> dict[str, dict[str, object]]:
    """Every attack through run_code, as the user this process runs as."""
    from desktop_app.core import sandbox_paths
    from desktop_app.core.sandbox import run_code

    world.app_pid = os.getpid()
    base = sandbox_paths.interpreter
    sandbox_paths.interpreter = lambda: sandbox_paths.Interpreter(  # type: ignore[assignment]
        base().argv, (*base().read_only, world.portable)
    )
    # Like the app: the live history database is open while the code runs.
    db = sqlite3.connect(world.history)
    try:
        results: dict[str, dict[str, object]] = {}
        for attack in ATTACKS:
            start = time.monotonic()
            result = run_code(world.source(attack), **attack.kwargs)  # type: ignore[arg-type]
            results[attack.name] = {
                "output": result.output,
                "status": result.status,
                "protections": result.protections,
                "seconds": time.monotonic() - start,
                "persisted": world.persisted(),
            }
        return results
    finally:
        db.close()
        sandbox_paths.interpreter = base  # type: ignore[assignment]


def main() -> None:
    """As the unprivileged user: run every attack on the world in argv[1]; print JSON."""
    world = World(**json.loads(Path(sys.argv[1]).read_text()))
    print(json.dumps(run_all(world)))


if __name__ == "__main__":
    main()

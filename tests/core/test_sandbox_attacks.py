"""Every attack that got through the old sandbox, run as root and as an unprivileged user.

Each attack (tests/core/sandbox_attacks.py) runs against a planted world (sandbox_world.py):
a home with ~/.bashrc, ~/Documents/secret.txt and ~/.ssh, the app's history database open in
the app's process (inside a folder the code can see, reached through QWEN_MATH_HOME written
with `~` and a link as root, relative and a link as the user), an API key in the app's
environment, and a loopback TCP, a Unix-socket and an abstract-socket listener. Each test
asserts that no secret and no breach came back in the output, that nothing persisted on the
host, and that no listener was reached.

"root": run_code called in this process, as root (CI). "user": as an unprivileged user —
uid 65534 (nobody) through setpriv when the tests run as root, else this process itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

from desktop_app.core import sandbox_paths
from desktop_app.core.sandbox_bwrap import NOBODY, bwrap_path, reachable_as_nobody, setpriv_path
from tests.core.sandbox_attacks import ATTACKS, Attack
from tests.core.sandbox_world import Listeners, World, plant, run_all

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux sandbox"),
    pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap (bwrap) is not installed"),
]
REPO = Path(__file__).resolve().parents[2]
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@dataclass
class Run:
    """All attacks' results for one user, and the world they ran in."""

    world: World
    listeners: Listeners
    results: dict[str, dict[str, object]]
    user: str


@pytest.fixture(scope="module")
def core_pattern() -> Iterator[str]:
    """The host's core_pattern before the attacks; it must be the same after."""
    before = Path("/proc/sys/kernel/core_pattern").read_text()
    yield before
    assert Path("/proc/sys/kernel/core_pattern").read_text() == before


def _world(owner: int | None) -> tuple[World, Listeners, Path]:
    # Not under /tmp, where the code has a /tmp of its own: there it could not even make
    # the paths it tries to write.
    parent = "/var/tmp" if os.path.isdir("/var/tmp") else None
    base = Path(tempfile.mkdtemp(prefix="qwen-math-attacks-", dir=parent))
    world = plant(base, uuid.uuid4().hex, list(sandbox_paths.interpreter().read_only))
    if owner is not None:  # the unprivileged user owns its home, as on a desktop
        for top, dirs, files in os.walk(base):
            for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
                os.lchown(name, owner, owner)
        base.chmod(0o755)
    listeners = Listeners(world)
    return world, listeners, base


@pytest.fixture(scope="module")
def root_run(core_pattern: str) -> Iterator[Run]:
    """The attacks run by this process as root, QWEN_MATH_HOME written with `~` and a link."""
    if not ROOT:
        pytest.skip("needs root: these runs show what the sandbox holds for a root app")
    world, listeners, base = _world(None)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HOME", world.home)
            patch.setenv("QWEN_MATH_HOME", "~/data-link")
            patch.setenv("DASHSCOPE_API_KEY", f"SECRET-APIKEY-{world.token}")
            results = run_all(world)
        yield Run(world, listeners, results, "root")
    finally:
        world.clean()
        listeners.close()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def user_run(core_pattern: str) -> Iterator[Run]:
    """The attacks run by an unprivileged user, QWEN_MATH_HOME relative and through a link."""
    world, listeners, base = _world(NOBODY if ROOT else None)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": world.home,
        "QWEN_MATH_HOME": "data-link",
        "DASHSCOPE_API_KEY": f"SECRET-APIKEY-{world.token}",
    }
    try:
        if ROOT:
            results = _run_as_nobody(world, base, env)
        else:
            with pytest.MonkeyPatch.context() as patch:
                patch.chdir(world.home)
                for key, value in env.items():
                    patch.setenv(key, value)
                results = run_all(world)
        yield Run(world, listeners, results, "nobody" if ROOT else "self")
    finally:
        world.clean()
        listeners.close()
        shutil.rmtree(base, ignore_errors=True)


def _run_as_nobody(world: World, base: Path, env: dict[str, str]) -> dict[str, dict[str, object]]:
    """tests/core/sandbox_world.py's main, as uid 65534, with this interpreter made
    readable to it where it lies in a folder nobody cannot enter (a Python under /root)."""
    import json

    bwrap, setpriv = bwrap_path(), setpriv_path()
    if bwrap is None or setpriv is None:
        pytest.skip("dropping to nobody needs bwrap and setpriv")
    config = base / "world.json"
    config.write_text(json.dumps(asdict(world)))
    readable = [*sandbox_paths.interpreter().read_only, str(REPO), str(base)]
    argv = reachable_as_nobody(readable, bwrap, setpriv)
    argv += [sys.executable, "-m", "tests.core.sandbox_world", str(config)]
    done = subprocess.run(
        argv,
        cwd=world.home,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    results: dict[str, dict[str, object]] = json.loads(done.stdout.decode().splitlines()[-1])
    return results


def problems(attack: Attack, run: Run) -> list[str]:
    """What went wrong for this attack: a breach, a secret, a leftover, a connection."""
    result = run.results[attack.name]
    output = str(result["output"])
    protections = result["protections"]
    assert isinstance(protections, dict)
    found = [line for line in output.splitlines() if "BREACH" in line or "SECRET-" in line]
    found += [f"persisted: {item}" for item in result["persisted"]]  # type: ignore[attr-defined]
    if run.listeners.connections:
        found.append(f"{run.listeners.connections} connection(s) reached a listener")
    if protections.get("tool") != "bubblewrap":
        found.append(f"ran without bubblewrap: {protections}")
    if attack.finishes and (result["status"] != "ok" or "DONE" not in output):
        found.append(f"did not finish ({result['status']}): {output[-500:]}")
    found += _specific(attack.name, output, result, run)
    return found


def _specific(name: str, output: str, result: dict[str, object], run: Run) -> list[str]:
    protections = result["protections"]
    assert isinstance(protections, dict)
    found = []
    if name == "app-data-inside-a-visible-folder":
        if "visible: the app's own folder" not in output:
            found.append("the app's folder was not visible: the test proves nothing")
        if f"{run.world.portable}/data-real" not in protections.get("hidden", []):
            found.append(f"the data folder was not covered: {protections.get('hidden')}")
    elif name == "fork-flood":
        forks = int(re.findall(r"FORKS (\d+)", output)[0])
        if forks >= 16:
            found.append(f"{forks} processes started with a limit of 16")
    elif name.startswith("memory-"):
        held = output.count("HELD")
        if held * 900 > 1024:
            found.append(f"{held} x 900 MB held with a 1024 MB limit")
    elif name == "fill-the-disk":
        own = sum(int(n) for n in re.findall(r"WROTE /tmp\S* (\d+)", output))
        if own > 64:
            found.append(f"{own} MB written in its own folder, past its 64 MB")
    elif name == "fork-bomb":
        if float(result["seconds"]) > 12:  # type: ignore[arg-type]
            found.append(f"took {result['seconds']:.1f} s")
    elif name == "forge-the-protections-report" and (
        "forged" in protections or protections.get("tool") != "bubblewrap"
    ):
        found.append(f"forged report: {protections}")
    return found


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_as_root_is_contained(attack: Attack, root_run: Run) -> None:
    """GIVEN the app running as root WHEN model code attacks THEN nothing gets out or stays."""
    assert problems(attack, root_run) == []


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_as_a_user_is_contained(attack: Attack, user_run: Run) -> None:
    """GIVEN the app running as an unprivileged user WHEN model code attacks THEN nothing
    gets out or stays."""
    assert problems(attack, user_run) == []


def test_as_root_the_code_runs_as_nobody_with_whole_run_limits(root_run: Run) -> None:
    """GIVEN root WHEN code runs THEN as nobody, in a cgroup limiting memory, pids and CPU."""
    report = root_run.results["capabilities-and-privileges"]["protections"]
    assert isinstance(report, dict)
    assert report["user"] == "nobody"
    assert set(report["cgroup"]) == {"memory", "pids", "cpu"}
    assert report["new_processes"] == "limited by cgroup"
    assert report["seccomp"] is True
    assert {"user", "pid", "net", "mnt", "ipc"} <= set(report["namespaces"])


def test_as_a_user_without_a_cgroup_the_code_may_not_start_processes(user_run: Run) -> None:
    """GIVEN a user who may make no cgroup WHEN code runs THEN new processes are refused, so
    the per-process limits are the whole run's."""
    report = user_run.results["capabilities-and-privileges"]["protections"]
    assert isinstance(report, dict)
    if report["cgroup"]:
        pytest.skip("this user may make cgroups: processes are limited by one instead")
    assert report["new_processes"] == "refused"
    assert "fork refused" in str(user_run.results["a-process-left-running"]["output"])
    assert "FORKS 0" in str(user_run.results["fork-flood"]["output"])

"""The edge tests again, as a normal user: CI runs as root, which no read-only folder and no
chmod stops, so the same tests run a second time as `nobody`. There, what needs root (private
mounts, dropping privileges) skips, and the rest meets the permissions a user meets."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.edges import nobody_python

EDGE_TESTS = [
    "tests/e2e/test_cli_bounded_input.py",
    "tests/e2e/test_cli_bad_disk.py",
    "tests/e2e/test_cli_bad_settings.py",
    "tests/e2e/test_cli_hostile_server.py",
    "tests/e2e/test_cli_terminal_text.py",
    "tests/core/history/test_disk_errors.py",
]


@pytest.mark.timeout(900)
def test_the_edge_tests_pass_as_a_normal_user() -> None:
    """GIVEN root WHEN the edge tests run as nobody THEN they pass (root-only cases skip)."""
    python = nobody_python()
    home = Path(tempfile.mkdtemp(prefix="qwen-math-user-home-"))
    try:
        os.chown(home, *_nobody_ids())
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "TMPDIR": str(home),
        }
        result = subprocess.run(
            [*python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *EDGE_TESTS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=840,
            check=False,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    summary = result.stdout[-3000:] + result.stderr[-2000:]
    print(summary)  # the table of passed and skipped, in the test log
    assert result.returncode == 0, summary
    assert " passed" in result.stdout


def _nobody_ids() -> tuple[int, int]:
    import grp
    import pwd

    user = pwd.getpwnam("nobody")
    try:
        group = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        group = user.pw_gid
    return user.pw_uid, group

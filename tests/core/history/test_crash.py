"""A process killed mid-answer leaves a sound database holding everything it had committed."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core.history.store import HistoryStore
from tests.core.history.crash_child import full_answer

ROOT = Path(__file__).resolve().parents[3]
KILLS = 20
AT_ONCE = 4  # children run side by side (each on its own database) to keep the test short
SEED = 20240501


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_stream_keeps_committed_prefix(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """GIVEN children streaming answers into the store WHEN each is SIGKILLed at a random moment
    THEN the database passes integrity_check and holds a prefix at least as long as reported."""
    rng = random.Random(SEED)
    full = full_answer()
    databases = [tmp_path / f"slot{slot}" / "history.sqlite3" for slot in range(AT_ONCE)]
    for db in databases:
        db.parent.mkdir()
    outcomes: list[tuple[int, int]] = []
    for _round in range(KILLS // AT_ONCE):
        children = [_spawn(db) for db in databases]
        request.addfinalizer(lambda kids=children: [c.kill() for c in kids if c.poll() is None])
        # Each child is killed a random time after its first committed flush.
        deadlines = []
        for child in children:
            assert child.stdout is not None
            first = child.stdout.readline()
            assert first.strip().isdigit(), first
            deadlines.append(time.monotonic() + rng.uniform(0.0, 0.5))
        for child, deadline in sorted(zip(children, deadlines, strict=True), key=lambda p: p[1]):
            time.sleep(max(0.0, deadline - time.monotonic()))
            child.send_signal(signal.SIGKILL)
        for child, db in zip(children, databases, strict=True):
            child.wait(timeout=10)
            assert child.stdout is not None
            lines = child.stdout.read().split()
            child.stdout.close()
            reported = max((int(x) for x in lines if x.isdigit()), default=0)
            stored = _check_database(db, full)
            assert stored >= reported, f"lost committed text: stored {stored} < {reported}"
            outcomes.append((reported, stored))
    assert len(outcomes) == KILLS
    print("reported/stored per kill:", outcomes)
    # The kills landed mid-answer, not all at the start or all after the end.
    assert sum(0 < stored < len(full) for _, stored in outcomes) >= KILLS // 2


def _spawn(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.history.crash_child", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def _check_database(db: Path, full: str) -> int:
    """Integrity, the FTS index, and the last answer being a prefix; returns its length."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.execute("INSERT INTO search_index(search_index) VALUES ('integrity-check')")
        answer, status = conn.execute(
            "SELECT answer, status FROM turns ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert full.startswith(answer)
    assert status in ("streaming", "complete")
    with HistoryStore(db) as store:
        recovered = store.recover_interrupted()
    assert recovered == (1 if status == "streaming" else 0)
    return len(answer)

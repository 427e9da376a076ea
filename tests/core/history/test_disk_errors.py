"""A history that cannot be opened or written: one reason in words, and nothing lost on screen.

Read-only and full disks for real are in tests/e2e/test_cli_bad_disk.py (tmpfs mounts, nobody,
a file size limit); here are what a test process can make itself: things in the way, a disk
found too full for the next save, and a write that fails.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.errors import ConfigError
from desktop_app.core.events import AnswerDelta, Event, Finished, Notice, StageStarted
from desktop_app.core.history import recorder
from desktop_app.core.history.disk_errors import HistoryUnavailable, room_problem
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore
from tests.fakes.clock import FakeClock


def test_a_folder_where_the_database_should_be_is_one_reason(tmp_path: Path) -> None:
    """GIVEN a folder named like the database THEN HistoryUnavailable (exit 4) says so."""
    db = tmp_path / "data" / "history.sqlite3"
    db.mkdir(parents=True)
    with pytest.raises(HistoryUnavailable) as info:
        HistoryStore(db)
    assert info.value.reason == f"there is a folder at {db}, where the database file should be"
    assert str(info.value) == f"The history cannot be used: {info.value.reason}."
    assert info.value.exit_code == 4


def test_a_file_where_the_data_folder_should_be_is_one_reason(tmp_path: Path) -> None:
    """GIVEN a file where the data folder should be THEN the reason names it."""
    (tmp_path / "data").write_text("not a folder")
    with pytest.raises(HistoryUnavailable) as info:
        HistoryStore(tmp_path / "data" / "history.sqlite3")
    assert (
        info.value.reason == f"{tmp_path / 'data'} is a file, where the history's folder should be"
    )


def test_a_damaged_database_still_says_move_it_aside(tmp_path: Path) -> None:
    """GIVEN a file that is not a database THEN the old advice, not a disk reason."""
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(ConfigError, match="move it aside") as info:
        HistoryStore(db)
    assert not isinstance(info.value, HistoryUnavailable)


def test_room_problem_compares_with_the_free_space(tmp_path: Path) -> None:
    """GIVEN the disk's real free space THEN more than that has no room, a little has."""
    db = tmp_path / "history.sqlite3"
    stats = os.statvfs(tmp_path)
    free = stats.f_bavail * stats.f_frsize
    assert room_problem(db, 1024) is None
    assert room_problem(db, free + 2**30) == f"the disk holding {tmp_path} is full"


def _answer_run(pieces: int, clock: FakeClock) -> Iterator[Event]:
    yield StageStarted("solver", "m")
    for n in range(pieces):
        clock.advance(0.5)  # one save per delta
        yield AnswerDelta(f"{n} ")
    yield Finished()


def test_a_disk_found_too_full_ends_the_recording_with_the_turn_closed(
    store: HistoryStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN room for two saves only WHEN an answer streams THEN every event still passes, one
    Notice says why saving stopped, and the turn is failed with what was saved, not streaming."""
    checks: list[int] = []

    def room(db: Path, needed: int) -> str | None:
        checks.append(needed)
        return "the disk holding /data is full" if len(checks) > 2 else None

    monkeypatch.setattr(recorder, "room_problem", room)
    seen = list(record(_answer_run(6, clock), store, question="q", clock=clock))
    notices = [e for e in seen if isinstance(e, Notice)]
    assert [e.message for e in notices] == [
        "This answer could not be saved to the history: the disk holding /data is full."
    ]
    assert [e for e in seen if isinstance(e, AnswerDelta)] == [
        AnswerDelta(f"{n} ") for n in range(6)
    ]
    assert seen[-1] == Finished()  # not saved in full: no conversation id to report
    (summary,) = store.list()
    (turn,) = store.get(summary.id).turns
    assert (turn.status, turn.answer) == ("failed", "0 1 ")
    assert turn.error == "Not saved in full: the disk holding /data is full."
    assert checks[1] > checks[0]  # the room asked for grows with the text


class FullDisk(HistoryStore):
    """A store whose writes of text fail as on a full disk, after `allowed` of them."""

    allowed = 1

    def update_turn(self, turn_id: int, **fields: object) -> None:  # type: ignore[override]
        if self.allowed <= 0:
            raise sqlite3.OperationalError("database or disk is full")
        self.allowed -= 1
        super().update_turn(turn_id, **fields)  # type: ignore[arg-type]


def test_a_write_that_fails_on_a_full_disk_still_closes_the_turn(
    tmp_path: Path, clock: FakeClock
) -> None:
    """GIVEN saves that start failing as on a full disk, status updates too THEN the turn is
    closed without its text (a few pages fit where the text did not), with one Notice."""
    with FullDisk(tmp_path / "history.sqlite3", clock=clock) as store:
        seen = list(record(_answer_run(4, clock), store, question="q", clock=clock))
        (summary,) = store.list()
        (turn,) = store.get(summary.id).turns
    assert len([e for e in seen if isinstance(e, Notice)]) == 1
    assert len([e for e in seen if isinstance(e, AnswerDelta)]) == 4
    assert (turn.status, turn.answer) == ("failed", "")
    assert turn.error is not None
    assert turn.error.startswith("Not saved in full: ")

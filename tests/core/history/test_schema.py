"""Opening the database: WAL, forward migrations, and refusing a newer schema untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.errors import ConfigError
from desktop_app.core.history import schema
from desktop_app.core.history.store import HistoryStore


def test_new_database_is_wal_at_current_version(tmp_path: Path) -> None:
    """GIVEN no database WHEN the store opens THEN it is created in WAL at the latest version."""
    path = tmp_path / "data" / "history.sqlite3"
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    conn.close()


def test_empty_version_zero_database_is_migrated(tmp_path: Path) -> None:
    """GIVEN an existing v0 database with unrelated content WHEN opened THEN it is migrated."""
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE unrelated (x)")
    conn.commit()
    conn.close()
    with HistoryStore(path) as store:
        conv_id = store.create_conversation(None, "Solve $x^2 = 4$.")
        assert store.get(conv_id).transcript == "Solve $x^2 = 4$."
    conn = sqlite3.connect(path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"unrelated", "conversations", "turns", "search_index"} <= tables


def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    """GIVEN a current database with data WHEN reopened THEN the data is still there."""
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        conv_id = store.create_conversation(None, "kept")
    with HistoryStore(path) as store:
        assert store.get(conv_id).transcript == "kept"


def test_all_migrations_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a v1 database and a new migration WHEN opened THEN only the new step runs."""
    path = tmp_path / "history.sqlite3"
    HistoryStore(path).close()
    extra = "ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;"
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(schema.MIGRATIONS))
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(conversations)")}
    assert "pinned" in columns
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    conn.close()


def test_newer_database_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    """GIVEN a database from a newer app WHEN opened THEN ConfigError and not one byte changes."""
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE future (x)")
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="written by a newer version of Qwen Math"):
        HistoryStore(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]


def test_garbage_file_is_a_config_error(tmp_path: Path) -> None:
    """GIVEN a file that is not SQLite WHEN opened THEN one readable ConfigError."""
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="cannot be opened"):
        HistoryStore(path)


def test_a_turn_saved_before_check_details_existed_reads_back_without_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a database written before turns kept a reason and details (version 2), with a turn
    WHEN the current app opens it THEN the turn reads back whole, with no reason and no details."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    with HistoryStore(path) as store:
        conv_id = store.create_conversation(None, "Solve $x + 1 = 3$.")
        turn_id = store.add_turn(conv_id, "")
        store.update_turn(turn_id, answer="$x = 2$", final_answer="2", final_check="unchecked")
    monkeypatch.undo()
    with HistoryStore(path) as store:
        (turn,) = store.get(conv_id).turns
        assert (turn.answer, turn.final_answer, turn.final_reason) == ("$x = 2$", "2", None)
        assert dict(turn.details) == {}
        store.update_turn(turn_id, final_reason="x = 2 gives 3.", details={"steps": []})
        (turn,) = store.get(conv_id).turns
        assert (turn.final_reason, dict(turn.details)) == ("x = 2 gives 3.", {"steps": []})

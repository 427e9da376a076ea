"""Opening the history database: pragmas, and forward migrations keyed by PRAGMA user_version."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_app.core.errors import ConfigError
from desktop_app.core.history import search
from desktop_app.core.history.disk_errors import HistoryUnavailable, storage_reason

# MIGRATIONS[n] takes a database from user_version n to n + 1. Never edit a shipped entry:
# append a new one, so every older database walks the same path to the current schema.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        -- An explicit INTEGER PRIMARY KEY: VACUUM may renumber an implicit rowid, and the
        -- search index is keyed by this number.
        num INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        title TEXT NOT NULL,
        custom_title INTEGER NOT NULL DEFAULT 0,
        image_sha256 TEXT,
        transcript TEXT NOT NULL DEFAULT ''
    );
    -- The list is newest first and paged; the index also carries the rowid, which breaks ties.
    CREATE INDEX conversations_updated ON conversations(updated_at);
    CREATE INDEX conversations_image ON conversations(image_sha256)
        WHERE image_sha256 IS NOT NULL;
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question TEXT NOT NULL DEFAULT '',
        answer TEXT NOT NULL DEFAULT '',
        final_answer TEXT,
        final_check TEXT,
        status TEXT NOT NULL DEFAULT 'streaming' CHECK (status IN
            ('streaming', 'complete', 'cancelled', 'failed', 'interrupted')),
        error TEXT,
        reader_model TEXT,
        solver_model TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        UNIQUE (conversation_id, position)
    );
    -- Start-up recovery looks only for rows still streaming; this keeps that look tiny.
    CREATE INDEX turns_streaming ON turns(status) WHERE status = 'streaming';
    -- Trigram rather than unicode61: LaTeX has no word boundaries unicode61 understands
    -- (`\\frac{1}{2}`, `x^2` split into `frac`, `1`, `x`, `2`), while trigram indexes every
    -- substring of three characters, so any fragment of source matches, and a query typed
    -- so far is already a substring: prefix search as you type comes for free. Queries under
    -- three characters fall back to a scan (see search.py). Case-insensitive by default.
    CREATE VIRTUAL TABLE search_index USING fts5(
        title, transcript, questions, answers, tokenize = 'trigram'
    );
    """,
    """
    -- Every character and pair of characters of the indexed text, for one- and two-character
    -- queries, which trigram cannot answer (see search.py). Contentless and without positions:
    -- only which conversations contain each pair is kept.
    CREATE VIRTUAL TABLE search_grams USING fts5(
        text, content = '', detail = 'none', tokenize = 'trigram'
    );
    INSERT INTO search_grams (rowid, text)
        SELECT rowid, search_grams_text(title, transcript, questions, answers)
        FROM search_index;
    """,
    """
    -- Why the final answer was judged as it was, and what else was checked with the answer:
    -- one JSON object per turn ({"steps": [...], "plot": {...}}; keys are added, never
    -- renamed, so an older app reading a newer row ignores what it does not know).
    ALTER TABLE turns ADD COLUMN final_reason TEXT;
    ALTER TABLE turns ADD COLUMN details TEXT;
    """,
    """
    -- Self-consistency: every sampled solution of a turn, in the order they were requested.
    -- The turn's own answer is the majority sample's text (so search and exports see it);
    -- grp numbers the groups of equivalent final answers (NULL: the sample boxed none), and
    -- majority marks the sample shown as the answer.
    CREATE TABLE samples (
        turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        answer TEXT NOT NULL,
        final_answer TEXT,
        grp INTEGER,
        majority INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (turn_id, position)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
NEWER_VERSION_MESSAGE = "The history database was written by a newer version of Qwen Math."


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`; refuse newer ones."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit BEGIN/COMMIT, so none is ever left open by
        # the module's implicit ones, and a readable error never leaves a write pending.
        conn = sqlite3.connect(path, isolation_level=None, timeout=5.0, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise unusable(exc, path) from None
    try:
        # Read the version before anything that writes (journal_mode=WAL rewrites the header):
        # a newer database must be left exactly as it was.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise ConfigError(NEWER_VERSION_MESSAGE)
        conn.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL skips the fsync per commit but a committed transaction is in the
        # WAL file before COMMIT returns, so it survives the process being killed; only a power
        # cut can lose the last commits, never corrupt the database.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        search.register(conn)  # index writes, and the migration that adds search_grams, call it
        _migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise unusable(exc, path) from None
    except BaseException:
        conn.close()
        raise
    return conn


def unusable(exc: BaseException, path: Path) -> ConfigError:
    """The error for a database that cannot be used: the disk's fault, or a damaged file."""
    reason = storage_reason(exc, path)
    if reason is not None:
        return HistoryUnavailable(reason)
    return ConfigError(
        f"The history database {path.name} cannot be opened ({exc}); move it aside to start afresh."
    )


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    for target in range(version + 1, SCHEMA_VERSION + 1):
        # BEGIN IMMEDIATE takes the write lock first, so two processes starting at once do not
        # both run the same migration; the loser re-reads the version after waiting.
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if current >= target:
                conn.execute("COMMIT")
                continue
            for statement in _statements(MIGRATIONS[target - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    statements: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    return statements

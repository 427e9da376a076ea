"""The history store: conversations and turns in SQLite (WAL), searchable, images on disk."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from desktop_app.core.errors import UsageError
from desktop_app.core.history import schema, search
from desktop_app.core.history.image_files import ImageFiles
from desktop_app.core.history.models import (
    TURN_STATUSES,
    Conversation,
    ConversationSummary,
    SavedSample,
    SearchHit,
    Turn,
    TurnStatus,
    UnknownConversation,
    shorten,
)

DB_NAME = "history.sqlite3"
_SUMMARY = "id, title, created_at, updated_at, image_sha256"
_TURN = (
    "id, conversation_id, position, question, answer, final_answer, final_check, status, "
    "error, reader_model, solver_model, created_at, updated_at, final_reason, details"
)


def default_store_path() -> Path:
    """`<data>/history.sqlite3` for this user (QWEN_MATH_HOME honoured)."""
    from desktop_app.core.paths import app_dirs

    return app_dirs().data / DB_NAME


class HistoryStore:
    """Conversations and their turns; every public write is one committed transaction."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.images = ImageFiles(path.parent)
        self._clock = clock
        self._conn = schema.connect(path)
        # One connection shared by the GUI's threads: sqlite3 objects are not safe to use from
        # two threads at once, so every use goes through this lock.
        self._lock = threading.RLock()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    # --- writes -------------------------------------------------------------------------

    def create_conversation(
        self, image_png: bytes | None, transcript: str = "", title: str | None = None
    ) -> str:
        """Save a new conversation (and its image file); returns its id."""
        import uuid  # ~3 ms to import: not at start-up

        # The file goes first: a crash in between leaves an orphan file (cleaned up later),
        # never a row pointing at a missing image.
        sha256 = self.images.save(image_png) if image_png is not None else None
        conv_id = uuid.uuid4().hex
        now = self._clock()
        custom = title is not None and bool(title.strip())
        shown = shorten(" ".join(title.split())) if custom and title else ""  # "": refresh sets it
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO conversations (id, created_at, updated_at, title, custom_title, "
                "image_sha256, transcript) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (conv_id, now, now, shown, int(custom), sha256, transcript),
            )
            assert cursor.lastrowid is not None
            search.refresh(conn, cursor.lastrowid)  # the default title and the index row
        return conv_id

    def add_turn(
        self,
        conv_id: str,
        question: str,
        *,
        reader_model: str | None = None,
        solver_model: str | None = None,
    ) -> int:
        """Start a new turn (status 'streaming') at the end of a conversation; returns its id."""
        now = self._clock()
        with self._write() as conn:
            num = self._num(conv_id)
            cursor = conn.execute(
                "INSERT INTO turns (conversation_id, position, question, reader_model, "
                "solver_model, created_at, updated_at) VALUES (?, "
                "(SELECT COALESCE(MAX(position), -1) + 1 FROM turns WHERE conversation_id = ?), "
                "?, ?, ?, ?, ?)",
                (conv_id, conv_id, question, reader_model, solver_model, now, now),
            )
            self._touch(conv_id, now)
            search.refresh(self._conn, num)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_turn(
        self,
        turn_id: int,
        *,
        answer: str | None = None,
        status: TurnStatus | None = None,
        final_answer: str | None = None,
        final_check: str | None = None,
        error: str | None = None,
        reader_model: str | None = None,
        solver_model: str | None = None,
        final_reason: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Change the given fields of a turn (None leaves a field as it is)."""
        if status is not None and status not in TURN_STATUSES:
            raise ValueError(f"unknown turn status {status!r}")
        import json  # with the first turn saved, not at start-up (ADR 007)

        fields: dict[str, Any] = {
            "answer": answer,
            "status": status,
            "final_answer": final_answer,
            "final_check": final_check,
            "error": error,
            "reader_model": reader_model,
            "solver_model": solver_model,
            "final_reason": final_reason,
            "details": None if details is None else json.dumps(details, ensure_ascii=False),
        }
        given = {name: value for name, value in fields.items() if value is not None}
        now = self._clock()
        with self._write() as conn:
            row = conn.execute(
                "SELECT conversation_id FROM turns WHERE id = ?", (turn_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no turn {turn_id}")
            assignments = "".join(f"{name} = ?, " for name in given)
            conn.execute(
                f"UPDATE turns SET {assignments}updated_at = ? WHERE id = ?",
                (*given.values(), now, turn_id),
            )
            self._touch(row[0], now)
            if answer is not None:
                search.refresh(self._conn, self._num(row[0]))

    def set_samples(self, turn_id: int, samples: Sequence[SavedSample]) -> None:
        """Save a turn's sampled solutions, replacing any it had."""
        rows = [
            (turn_id, s.position, s.answer, s.final_answer, s.group, int(s.majority))
            for s in samples
        ]
        with self._write() as conn:
            conn.execute("DELETE FROM samples WHERE turn_id = ?", (turn_id,))
            conn.executemany(
                "INSERT INTO samples (turn_id, position, answer, final_answer, grp, majority) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def abandon_turn(self, turn_id: int, error: str) -> None:
        """Mark a turn failed and drop its text, writing as few pages as possible: for a disk
        too full to rewrite the text. The search index keeps the old text until the
        conversation next changes."""
        with self._write() as conn:
            conn.execute(
                "UPDATE turns SET status = 'failed', error = ?, answer = '', updated_at = ? "
                "WHERE id = ?",
                (error, self._clock(), turn_id),
            )

    def set_transcript(self, conv_id: str, transcript: str) -> None:
        """Replace the transcript (the title follows it unless the user renamed it)."""
        now = self._clock()
        with self._write() as conn:
            num = self._num(conv_id)
            conn.execute(
                "UPDATE conversations SET transcript = ?, updated_at = ? WHERE id = ?",
                (transcript, now, conv_id),
            )
            search.refresh(self._conn, num)

    def rename(self, conv_id: str, title: str) -> None:
        """Give a conversation the user's title; an empty title brings back the default one."""
        with self._write() as conn:
            num = self._num(conv_id)
            text = " ".join(title.split())
            conn.execute(
                "UPDATE conversations SET title = ?, custom_title = ? WHERE id = ?",
                (shorten(text), int(bool(text)), conv_id),
            )
            search.refresh(self._conn, num)

    def delete(self, conv_id: str) -> None:
        """Delete a conversation, its turns, and its image file unless another one uses it."""
        with self._write() as conn:
            num = self._num(conv_id)
            sha256 = conn.execute(
                "SELECT image_sha256 FROM conversations WHERE num = ?", (num,)
            ).fetchone()[0]
            search.forget(conn, num)
            conn.execute("DELETE FROM conversations WHERE num = ?", (num,))
            shared = (
                sha256 is not None
                and conn.execute(
                    "SELECT 1 FROM conversations WHERE image_sha256 = ? LIMIT 1", (sha256,)
                ).fetchone()
            )
        if sha256 is not None and not shared:
            self.images.remove(sha256)

    def delete_older_than(self, days: float) -> int:
        """Delete conversations untouched for `days` (the retention setting); returns how many."""
        cutoff = self._clock() - days * 86400
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM conversations WHERE updated_at < ?", (cutoff,)
            ).fetchall()
        for (conv_id,) in rows:
            self.delete(conv_id)  # one transaction each: a crash midway loses nothing else
        return len(rows)

    def recover_interrupted(self) -> int:
        """Mark turns left 'streaming' by a crash as 'interrupted'; returns how many."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE turns SET status = 'interrupted', updated_at = ? "
                "WHERE status = 'streaming'",
                (self._clock(),),
            )
        return cursor.rowcount

    # --- reads --------------------------------------------------------------------------

    def get(self, conv_id: str) -> Conversation:
        """The whole conversation; UnknownConversation if there is none with this id."""
        with self._lock:
            row = self._conn.execute(
                f"SELECT {_SUMMARY}, transcript FROM conversations WHERE id = ?", (conv_id,)
            ).fetchone()
            if row is None:
                raise UnknownConversation(conv_id)
            turns = self._conn.execute(
                f"SELECT {_TURN} FROM turns WHERE conversation_id = ? ORDER BY position",
                (conv_id,),
            ).fetchall()
            samples = self._samples(conv_id)
        return Conversation(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            tuple(replace(_turn(t), samples=samples.get(t[0], ())) for t in turns),
        )

    def list(self, limit: int = 50, offset: int = 0) -> tuple[ConversationSummary, ...]:
        """One page of conversations, most recently updated first."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SUMMARY} FROM conversations "
                "ORDER BY updated_at DESC, num DESC LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return tuple(ConversationSummary(*row) for row in rows)

    def search(self, text: str, limit: int = 50) -> tuple[SearchHit, ...]:
        """Conversations whose title, transcript, questions or answers contain `text`."""
        with self._lock:
            return search.search(self._conn, text, limit)

    def count(self) -> int:
        """How many conversations there are."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM conversations").fetchone()[0])

    def resolve_id(self, text: str) -> str:
        """The full id for an id or a unique prefix of one (at least 4 characters)."""
        prefix = text.strip().lower()
        if len(prefix) < 4 or any(c not in "0123456789abcdef" for c in prefix):
            raise UnknownConversation(text)
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM conversations WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                (prefix, prefix + "g"),
            ).fetchall()
        if len(rows) != 1:
            if rows:
                raise UsageError(f"The id {text} matches more than one conversation.")
            raise UnknownConversation(text)
        return str(rows[0][0])

    def image_hashes(self) -> set[str]:
        """The sha256 of every image some conversation references."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT DISTINCT image_sha256 FROM conversations WHERE image_sha256 IS NOT NULL"
            ).fetchall()
        return {str(row[0]) for row in rows}

    def image_path(self, conversation: Conversation | ConversationSummary) -> Path | None:
        """The stored image file of a conversation, if it has one."""
        if conversation.image_sha256 is None:
            return None
        return self.images.image_path(conversation.image_sha256)

    # --- internals ----------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so a concurrent writer (the CLI beside the
        # GUI) waits on busy_timeout instead of failing halfway through with SQLITE_BUSY.
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _num(self, conv_id: str) -> int:
        row = self._conn.execute(
            "SELECT num FROM conversations WHERE id = ?", (conv_id,)
        ).fetchone()
        if row is None:
            raise UnknownConversation(conv_id)
        return int(row[0])

    def _samples(self, conv_id: str) -> dict[int, tuple[SavedSample, ...]]:
        """Every sample of a conversation's turns, by turn id, in order."""
        rows = self._conn.execute(
            "SELECT s.turn_id, s.position, s.answer, s.final_answer, s.grp, s.majority "
            "FROM samples AS s JOIN turns AS t ON t.id = s.turn_id "
            "WHERE t.conversation_id = ? ORDER BY s.turn_id, s.position",
            (conv_id,),
        ).fetchall()
        found: dict[int, tuple[SavedSample, ...]] = {}
        for turn_id, position, answer, final, group, majority in rows:
            sample = SavedSample(position, answer, final, group, bool(majority))
            found[turn_id] = (*found.get(turn_id, ()), sample)
        return found

    def _touch(self, conv_id: str, now: float) -> None:
        self._conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conv_id))


def _turn(row: tuple[Any, ...]) -> Turn:
    """A turn from its row; details that do not parse as a JSON object read as none."""
    import json  # with the first conversation opened, not at start-up (ADR 007)

    try:
        parsed = json.loads(row[-1]) if row[-1] else {}
    except ValueError:
        parsed = {}
    return replace(Turn(*row[:-1]), details=parsed if isinstance(parsed, dict) else {})

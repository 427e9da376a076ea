"""History search off the GUI thread: each search a worker with its own read-only connection;
the newest search wins and interrupts the one before."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.history import search
from desktop_app.core.history.models import SearchHit
from desktop_app.ui.workers import Worker, start_worker

log = logging.getLogger(__name__)

SEARCH_LIMIT = 200


class _Connection:
    """The connection a search runs on, shared so that a newer search can interrupt it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._interrupted = False

    def open(self, path: Path) -> sqlite3.Connection | None:
        """Open read-only; None when interrupted before it even began."""
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        with self._lock:
            if self._interrupted:
                conn.close()
                return None
            self._conn = conn
        return conn

    def interrupt(self) -> None:
        """Make the query under way fail fast (sqlite3's interrupt is thread-safe)."""
        with self._lock:
            self._interrupted = True
            if self._conn is not None:
                self._conn.interrupt()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class SearchRunner(QObject):
    """Runs searches off the GUI thread; `found` carries the hits of the newest one only."""

    # (tag, query, hits): hits of a search that was not superseded meanwhile
    found = Signal(int, str, object)

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = db_path
        self._tag = 0
        self._current: tuple[Worker, _Connection] | None = None

    def search(self, query: str) -> int:
        """Start searching for `query`, abandoning any search still running; returns its tag."""
        self._abandon()
        self._tag += 1
        tag, path, connection = self._tag, self._path, _Connection()

        def run(cancel: threading.Event) -> tuple[int, str, tuple[SearchHit, ...]] | None:
            conn = connection.open(path)
            if conn is None or cancel.is_set():
                return None
            try:
                return tag, query, search.search(conn, query, SEARCH_LIMIT)
            except sqlite3.Error as exc:
                if "interrupted" not in str(exc):
                    log.warning("history search failed: %s", exc)
                return None
            finally:
                connection.close()

        worker = start_worker(run, "history-search", returned=self._on_returned)
        self._current = (worker, connection)
        return tag

    def shutdown(self) -> None:
        """Stop the search under way and wait for its thread."""
        self._tag += 1
        current = self._current
        self._abandon()
        if current is not None:
            current[0].wait(5.0)

    def _abandon(self) -> None:
        if self._current is not None:
            worker, connection = self._current
            worker.cancel()
            connection.interrupt()
            self._current = None

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        if isinstance(result, tuple) and result[0] == self._tag:
            self.found.emit(*result)

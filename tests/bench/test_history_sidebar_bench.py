"""History sidebar: showing 10,000 conversations costs what showing 10 does, in time and memory."""

from __future__ import annotations

import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.history.store import HistoryStore
from desktop_app.ui.history.model import PAGE_SIZE
from desktop_app.ui.history.search import SEARCH_LIMIT
from desktop_app.ui.history.sidebar import HistorySidebar
from tests.ui.history.test_history_sidebar import NOW, bulk_store

pytestmark = pytest.mark.bench

ROUNDS = 7
VOCABULARY = (
    "let we have so the integral of x y z \\frac{1}{2} \\sqrt{x} sum limit derivative "
    "therefore equation solve factor root prime $x^2$ $$ \\int_0^1$$"
)


def show_seconds(qtbot: Any, store: HistoryStore) -> float:
    """Seconds from constructing the sidebar to its first paint being done."""
    start = time.perf_counter()
    sidebar = HistorySidebar(store, now=lambda: NOW)
    sidebar.resize(320, 720)
    sidebar.show()
    sidebar.grab()  # forces layout and a full paint of the visible rows
    elapsed = time.perf_counter() - start
    sidebar.close()
    sidebar.deleteLater()
    qtbot.wait(1)
    return elapsed


def shown_bytes(qtbot: Any, store: HistoryStore) -> int:
    """Python memory still held by a shown sidebar (tracemalloc)."""
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    sidebar = HistorySidebar(store, now=lambda: NOW)
    sidebar.resize(320, 720)
    sidebar.show()
    sidebar.grab()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    sidebar.close()
    sidebar.deleteLater()
    qtbot.wait(1)
    return held


def test_sidebar_cost_does_not_grow_with_the_store(qtbot: Any, tmp_path: Path) -> None:
    """GIVEN stores of 10, one page and 10,000 conversations WHEN the sidebar is shown THEN
    time and memory stop growing once a page is filled."""
    sizes = (10, PAGE_SIZE, 10_000)
    stores = [bulk_store(tmp_path / f"{n}.sqlite3", n) for n in sizes]
    try:
        for store in stores:  # warm-up: fonts, styles, first-use imports
            show_seconds(qtbot, store)
        # Alternating rounds, best of each: background noise hits every size alike.
        rounds = [[show_seconds(qtbot, store) for store in stores] for _ in range(ROUNDS)]
        seconds = [min(r[i] for r in rounds) for i in range(len(sizes))]
        held = [shown_bytes(qtbot, store) for store in stores]
        search = []
        for text in ("Problem 9999", "Pr", "99"):
            start = time.perf_counter()
            stores[-1].search(text, SEARCH_LIMIT)
            search.append(f"{text!r} {(time.perf_counter() - start) * 1000:.1f} ms")
    finally:
        for store in stores:
            store.close()
    print(
        "\nshow sidebar: "
        + ", ".join(f"{n} entries {s * 1000:.1f} ms" for n, s in zip(sizes, seconds, strict=True))
        + f" (10,000 / one page {seconds[2] / seconds[1]:.2f}, 10,000 / 10 "
        f"{seconds[2] / seconds[0]:.2f}); python memory held "
        + ", ".join(f"{b / 1024:.0f} KiB" for b in held)
        + "; search on 10,000: "
        + ", ".join(search)
    )
    assert seconds[2] < 2 * seconds[1] + 0.02
    assert held[2] < 2 * held[1] + 256 * 1024


def realistic_store(path: Path, count: int) -> HistoryStore:
    """`count` conversations with a transcript and a ~3 KB answer each, like real ones."""
    rng = random.Random(1)
    words = VOCABULARY.split()
    store = HistoryStore(path)
    conn = store._conn
    conn.execute("BEGIN")
    for i in range(count):
        transcript = " ".join(rng.choice(words) for _ in range(60))
        answer = " ".join(rng.choice(words) for _ in range(500)) + f" \\boxed{{{i}}}"
        cursor = conn.execute(
            "INSERT INTO conversations (id, created_at, updated_at, title, transcript) "
            "VALUES (?, ?, ?, ?, ?)",
            (f"{i:032x}", NOW - i, NOW - i, transcript[:50], transcript),
        )
        conn.execute(
            "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
            "VALUES (?, ?, ?, 'Find x', ?)",
            (cursor.lastrowid, transcript[:50], transcript, answer),
        )
    conn.execute(  # the pair index for one- and two-character terms
        "INSERT INTO search_grams (rowid, text) SELECT rowid, "
        "search_grams_text(title, transcript, questions, answers) FROM search_index"
    )
    conn.execute("COMMIT")
    return store


def test_search_is_kept_off_the_gui_thread(qtbot: Any, tmp_path: Path) -> None:
    """GIVEN 10,000 realistic conversations WHEN searching THEN the store takes long enough to
    need the worker, and the GUI thread's share stays tiny."""
    with realistic_store(tmp_path / "real.sqlite3", 10_000) as store:
        timings = []
        for text in ("integral", "derivative root", "x", "boxed{1234}"):
            start = time.perf_counter()
            store.search(text, SEARCH_LIMIT)
            timings.append(f"{text!r} {(time.perf_counter() - start) * 1000:.0f} ms")
        sidebar = HistorySidebar(store, now=lambda: NOW)
        qtbot.addWidget(sidebar)
        sidebar.search_edit.setText("integral")
        sidebar._search_timer.stop()
        start = time.perf_counter()
        sidebar._on_search()
        gui_ms = (time.perf_counter() - start) * 1000
        qtbot.waitUntil(lambda: sidebar.model.searching, timeout=10_000)
        sidebar.close()
    print(
        "\nstore.search on 10,000 realistic conversations: "
        + ", ".join(timings)
        + f"; GUI thread time to start a search {gui_ms:.2f} ms"
    )
    assert gui_ms < 20

"""HistorySidebar: day groups, search as you type, rename, delete with undo, lazy paging."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from desktop_app.core.history.store import HistoryStore
from desktop_app.ui.history import delegate as history_delegate
from desktop_app.ui.history import search as history_search
from desktop_app.ui.history.model import PAGE_SIZE, Role, day_group
from desktop_app.ui.history.sidebar import HistorySidebar
from tests.fakes.clock import FakeClock
from tests.fakes.images import png_bytes
from tests.ui.conftest import ARTIFACTS

# A fixed Wednesday afternoon, local time: Monday is "earlier this week", the 1st this month.
NOW = datetime(2024, 5, 15, 15, 30).timestamp()


def ago(days: int, hours: float = 0) -> float:
    return (datetime.fromtimestamp(NOW) - timedelta(days=days, hours=hours)).timestamp()


def png(label: str, color: str) -> bytes:
    """A framed picture with a label, both in `color`."""
    return png_bytes(160, 100, text=label, at=(12, 40), ink=color, border=color)


@pytest.fixture
def clock() -> FakeClock:
    """The store's clock, moved by the test to date each conversation."""
    return FakeClock(NOW)


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3", clock=clock) as history:
        yield history


def add(
    store: HistoryStore, clock: FakeClock, when: float, transcript: str, image: bool = False
) -> str:
    clock.now = when
    return store.create_conversation(png(transcript[:12], "navy") if image else None, transcript)


@pytest.fixture
def sidebar(qtbot: Any, store: HistoryStore) -> Iterator[HistorySidebar]:
    widget = HistorySidebar(store, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(320, 640)
    widget.show()
    yield widget
    widget.close()
    assert not widget._undo_timer.isActive()
    assert not widget._search_timer.isActive()
    assert not [t for t in threading.enumerate() if t.name.startswith("history-search")]


def titles(sidebar: HistorySidebar) -> list[str]:
    model = sidebar.model
    return [model.index(r).data() for r in range(model.rowCount())]


def test_day_groups() -> None:
    """GIVEN a fixed Wednesday WHEN grouping dates THEN each lands in the expected group."""
    assert [day_group(ago(d), NOW) for d in (0, 1, 2, 5, 14, 40)] == [
        "Today",
        "Yesterday",
        "Earlier this week",
        "Earlier this month",
        "Earlier this month",
        "Older",
    ]
    assert day_group(NOW + 3600 * 24, NOW) == "Today"  # a clock set back


def test_newest_first_with_day_headers(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar
) -> None:
    """GIVEN conversations over days WHEN shown THEN newest first, one header a day group."""
    for days, text in [
        (40, "old"),
        (0, "today b"),
        (1, "yesterday"),
        (2, "monday"),
        (0, "today a"),
    ]:
        add(store, clock, ago(days, hours=1 if text == "today b" else 0), text)
    sidebar.refresh()
    assert titles(sidebar) == ["today a", "today b", "yesterday", "monday", "old"]
    model = sidebar.model
    headers = [
        model.index(r).data(Role.GROUP) for r in range(5) if model.index(r).data(Role.GROUP_STARTS)
    ]
    assert headers == ["Today", "Yesterday", "Earlier this week", "Older"]
    assert (
        sidebar.list_view.visualRect(model.index(0)).height()
        > sidebar.list_view.visualRect(model.index(1)).height()
    )


def test_search_filters_as_you_type(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar
) -> None:
    """GIVEN three problems WHEN typing a search THEN the list narrows after the debounce."""
    for text in ("Integrate $\\sin x$", "Solve $x^2=4$", "Integrate $e^x$"):
        add(store, clock, ago(0), text)
    sidebar.refresh()
    qtbot.keyClicks(sidebar.search_edit, "Integ")
    assert len(titles(sidebar)) == 3  # debounced: nothing yet
    qtbot.waitUntil(lambda: len(titles(sidebar)) == 2, timeout=2000)
    assert all(t.startswith("Integrate") for t in titles(sidebar))
    qtbot.keyClicks(sidebar.search_edit, "rate $e")
    qtbot.waitUntil(lambda: titles(sidebar) == ["Integrate $e^x$"], timeout=2000)
    sidebar.search_edit.clear()
    qtbot.waitUntil(lambda: len(titles(sidebar)) == 3, timeout=2000)
    qtbot.keyClicks(sidebar.search_edit, "nothing like it")
    qtbot.waitUntil(lambda: sidebar.empty_label.isVisible(), timeout=2000)
    assert sidebar.empty_label.text() == "No matches."


def test_a_slow_search_neither_blocks_nor_shows_stale_hits(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar, monkeypatch: Any
) -> None:
    """GIVEN a search that takes 300 ms WHEN typing on THEN the GUI thread never waits for it,
    and only the hits for the final text are shown."""
    for text in ("alpha one", "alpha two", "beta"):
        add(store, clock, ago(0), text)
    sidebar.refresh()
    real = history_search.search.search

    threads: list[str] = []

    def slow(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        time.sleep(0.3)
        return real(*args)

    monkeypatch.setattr(history_search.search, "search", slow)
    qtbot.keyClicks(sidebar.search_edit, "alpha")
    # the first search is now running on the worker (waited for: a loaded host starts it late)
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)
    qtbot.keyClicks(sidebar.search_edit, " two")
    sidebar._search_timer.stop()
    start = time.perf_counter()
    sidebar._on_search()  # what the debounce timer runs
    assert time.perf_counter() - start < 0.1
    assert all(name.startswith("history-search") for name in threads)
    qtbot.waitUntil(lambda: titles(sidebar) == ["alpha two"], timeout=3000)
    qtbot.wait(400)  # anything stale arriving late must not replace it
    assert titles(sidebar) == ["alpha two"]


def test_rename_in_place_persists(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar
) -> None:
    """GIVEN a row WHEN edited in place (F2) THEN the store keeps the new title."""
    conv_id = add(store, clock, ago(0), "Solve $x^2=4$")
    sidebar.refresh()
    sidebar.select(conv_id)
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_F2)
    editor = sidebar.list_view.viewport().findChild(QLineEdit)
    assert editor is not None
    assert editor.text() == "Solve $x^2=4$"
    editor.selectAll()
    qtbot.keyClicks(editor, "Quadratic")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: store.get(conv_id).title == "Quadratic", timeout=1000)
    assert titles(sidebar) == ["Quadratic"]
    sidebar.rename(conv_id, "")  # an empty title restores the default
    assert titles(sidebar) == ["Solve $x^2=4$"]


def test_delete_then_undo_restores(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar
) -> None:
    """GIVEN a deleted row WHEN Undo is clicked THEN it is back in place and still stored."""
    ids = [add(store, clock, ago(0, hours=h), f"p{h}") for h in (2, 1, 0)]
    sidebar.refresh()
    sidebar.select(ids[1])
    sidebar.list_view.setFocus()
    qtbot.keyClick(sidebar.list_view, Qt.Key.Key_Delete)
    assert titles(sidebar) == ["p0", "p2"]
    assert sidebar.undo_bar.isVisible()
    qtbot.mouseClick(sidebar.undo_button, Qt.MouseButton.LeftButton)
    assert titles(sidebar) == ["p0", "p1", "p2"]
    assert store.count() == 3
    assert not sidebar.undo_bar.isVisible()


def test_delete_is_final_after_the_timeout(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar, monkeypatch: Any
) -> None:
    """GIVEN a deleted row WHEN the undo window passes THEN the store deletes it too."""
    conv_id = add(store, clock, ago(0), "gone soon", image="navy")
    keep = add(store, clock, ago(1), "kept")
    sidebar.refresh()
    sidebar._undo_timer.setInterval(100)
    sidebar.delete(conv_id)
    assert store.count() == 2  # not yet
    with qtbot.waitSignal(sidebar.conversation_deleted, timeout=2000) as deleted:
        pass
    assert deleted.args == [conv_id]
    assert [s.id for s in store.list()] == [keep]
    assert titles(sidebar) == ["kept"]


def test_click_emits_conversation_opened(
    qtbot: Any, store: HistoryStore, clock: FakeClock, sidebar: HistorySidebar
) -> None:
    """GIVEN rows WHEN one is clicked THEN conversation_opened carries its id."""
    first = add(store, clock, ago(0, hours=1), "first")
    second = add(store, clock, ago(0), "second")
    sidebar.refresh()
    rect = sidebar.list_view.visualRect(sidebar.model.index(1))
    with qtbot.waitSignal(sidebar.conversation_opened, timeout=1000) as opened:
        qtbot.mouseClick(sidebar.list_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [first]
    header = sidebar.list_view.visualRect(sidebar.model.index(0))
    with qtbot.assertNotEmitted(sidebar.conversation_opened):
        qtbot.mouseClick(
            sidebar.list_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=header.topLeft() + QPoint(20, 5),
        )
    with qtbot.waitSignal(sidebar.conversation_opened, timeout=1000) as opened:
        qtbot.mouseClick(
            sidebar.list_view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=header.bottomLeft() + QPoint(20, -10),
        )
    assert opened.args == [second]
    with qtbot.waitSignal(sidebar.new_conversation_requested, timeout=1000):
        qtbot.mouseClick(sidebar.new_button, Qt.MouseButton.LeftButton)


def bulk_store(path: Path, count: int) -> HistoryStore:
    """A store with `count` conversations, written in one transaction for speed."""
    store = HistoryStore(path)
    conn = store._conn
    conn.execute("BEGIN")
    for i in range(count):
        cursor = conn.execute(
            "INSERT INTO conversations (id, created_at, updated_at, title, transcript) "
            "VALUES (?, ?, ?, ?, ?)",
            (f"{i:032x}", NOW - i * 600, NOW - i * 600, f"Problem {i}", f"Solve problem {i}"),
        )
        conn.execute(
            "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
            "VALUES (?, ?, ?, '', '')",
            (cursor.lastrowid, f"Problem {i}", f"Solve problem {i}"),
        )
    conn.execute("COMMIT")
    return store


def test_ten_thousand_entries_load_lazily(qtbot: Any, tmp_path: Path) -> None:
    """GIVEN 10,000 conversations WHEN the sidebar opens THEN only a page or two is loaded,
    and scrolling to the bottom fetches more."""
    with bulk_store(tmp_path / "big.sqlite3", 10_000) as store:
        sidebar = HistorySidebar(store, now=lambda: NOW)
        qtbot.addWidget(sidebar)
        sidebar.resize(320, 640)
        sidebar.show()
        qtbot.wait(10)
        loaded = sidebar.model.rowCount()
        assert PAGE_SIZE <= loaded <= 2 * PAGE_SIZE
        assert titles(sidebar)[:2] == ["Problem 0", "Problem 1"]
        bar = sidebar.list_view.verticalScrollBar()
        for _ in range(3):
            bar.setValue(bar.maximum())
            qtbot.wait(10)
        assert sidebar.model.rowCount() > loaded
        assert sidebar.model.rowCount() < 10_000
        ids = [sidebar.model.index(r).data(Role.ID) for r in range(sidebar.model.rowCount())]
        assert len(ids) == len(set(ids))
        assert ids[-1] == f"{len(ids) - 1:032x}"  # no gaps, no repeats across pages


def test_screenshot(qtbot: Any, store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN ~20 conversations over several days WHEN shown THEN the screenshot is saved."""
    colors = ("navy", "darkred", "darkgreen", "purple")
    samples = [
        "Find all real solutions of $x^2 - 5x + 6 = 0$ and verify them by substitution",
        "Evaluate $\\int_0^1 x e^x \\, dx$",
        "A train leaves Paris at 9:00 travelling at 120 km/h towards Lyon",
        "Prove that $\\sqrt{2}$ is irrational",
        "Compute the determinant of the 3x3 matrix",
    ]
    for i, days in enumerate(
        [0, 0, 0, 1, 1, 2, 2, 5, 7, 9, 12, 14, 40, 41, 60, 90, 200, 400, 401, 500]
    ):
        add(
            store,
            clock,
            ago(days, hours=i % 5),
            samples[i % 5],
            image=colors[i % 4] if i % 3 != 2 else None,
        )
        clock.now += 1
    widget = HistorySidebar(store, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(320, 720)
    widget.show()
    widget.select(widget.model.index(1).data(Role.ID))
    qtbot.wait(50)
    ARTIFACTS.mkdir(exist_ok=True)
    assert widget.grab().save(str(ARTIFACTS / "history_sidebar.png"))


def test_time_labels() -> None:
    """GIVEN a group WHEN labelling a time THEN today shows the clock, later ones the date."""
    stamp = datetime(2024, 5, 13, 9, 5).timestamp()
    label = history_delegate.time_label
    assert label(stamp, "Today", NOW) == "09:05"
    assert label(stamp, "Earlier this week", NOW).endswith("09:05")
    assert label(stamp, "Earlier this month", NOW) == "13 May"
    assert label(stamp, "Older", NOW + 400 * 86400) == "13 May 2024"

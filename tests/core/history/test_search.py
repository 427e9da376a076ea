"""Full-text search over titles, transcripts, questions and answers, LaTeX included."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from desktop_app.core.history.search import MATCH_END, MATCH_START
from desktop_app.core.history.store import HistoryStore


@pytest.fixture
def filled(store: HistoryStore) -> dict[str, str]:
    ids = {
        "frac": store.create_conversation(None, "Simplify $\\frac{1}{2} + \\frac{1}{3}$."),
        "square": store.create_conversation(None, "Solve $x^2 - 5x + 6 = 0$ for x."),
        "integral": store.create_conversation(None, "Evaluate $\\int_0^1 e^x\\,dx$."),
    }
    turn = store.add_turn(ids["integral"], "Use substitution please")
    store.update_turn(turn, answer="The antiderivative is $e^x$, so the value is $e - 1$.")
    return ids


def found(store: HistoryStore, text: str) -> set[str]:
    return {hit.conversation.id for hit in store.search(text)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("\\frac{1}{2}", {"frac"}),
        ("\\frac", {"frac"}),
        ("x^2", {"square"}),
        ("X^2", {"square"}),  # case-insensitive
        ("substitution", {"integral"}),  # a question
        ("antiderivative", {"integral"}),  # an answer
        ("Simplify frac", {"frac"}),  # every term must occur, in any order
        ("Simplify x^2", set()),
        ("nowhere-to-be-found", set()),
    ],
)
def test_search_finds_latex_and_words(
    store: HistoryStore, filled: dict[str, str], query: str, expected: set[str]
) -> None:
    """GIVEN three problems WHEN searched THEN exactly the ones containing every term match."""
    assert found(store, query) == {filled[name] for name in expected}


@pytest.mark.parametrize("typed", ["ant", "anti", "antid", "antideriv"])
def test_prefix_search_as_you_type(store: HistoryStore, filled: dict[str, str], typed: str) -> None:
    """GIVEN a word in an answer WHEN its first letters are typed THEN the conversation matches."""
    assert found(store, typed) == {filled["integral"]}


def test_short_terms_fall_back_to_a_scan(store: HistoryStore, filled: dict[str, str]) -> None:
    """GIVEN one- and two-character queries WHEN searched THEN substring matching still works."""
    assert found(store, "e^") == {filled["integral"]}
    assert found(store, "^") == {filled["square"], filled["integral"]}
    assert found(store, "dx") == {filled["integral"]}
    assert found(store, "5x integral") == set()
    assert found(store, "5x Solve") == {filled["square"]}


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(", "*", "x OR y", "-x", "(", "'; --", "%_"])
def test_query_syntax_is_literal_text(
    store: HistoryStore, filled: dict[str, str], query: str
) -> None:
    """GIVEN FTS5 or SQL syntax characters WHEN searched THEN no error, just (no) matches."""
    store.search(query)


def test_snippet_marks_the_match(store: HistoryStore, filled: dict[str, str]) -> None:
    """GIVEN a match in an answer WHEN searched THEN the snippet shows it between markers."""
    (hit,) = store.search("antiderivative")
    assert f"{MATCH_START}antiderivative{MATCH_END}" in hit.snippet.replace(
        f"{MATCH_END}{MATCH_START}", ""
    )


def test_search_follows_updates(store: HistoryStore) -> None:
    """GIVEN a streaming answer WHEN more text arrives THEN search sees the new text."""
    conv_id = store.create_conversation(None, "p")
    turn = store.add_turn(conv_id, "")
    store.update_turn(turn, answer="first part")
    assert found(store, "second") == set()
    store.update_turn(turn, answer="first part, second part")
    assert found(store, "second") == {conv_id}
    store.set_transcript(conv_id, "a pentagon problem")
    assert found(store, "pentagon") == {conv_id}


def _bulk_fill(path: Path, rows: int) -> None:
    """Insert `rows` conversations (with one turn each) in one transaction, bypassing the API."""
    HistoryStore(path).close()
    conn = sqlite3.connect(path)
    with conn:
        for n in range(rows):
            conv_id = uuid.uuid4().hex
            transcript = f"Problem {n}: solve $x^{n % 7} + \\frac{{{n}}}{{2}} = {n}$ carefully."
            cursor = conn.execute(
                "INSERT INTO conversations (id, created_at, updated_at, title, transcript) "
                "VALUES (?, ?, ?, ?, ?)",
                (conv_id, n, n, f"Problem {n}", transcript),
            )
            answer = f"Answer {n}: subtract, divide, and so x = {n}. " * 3
            conn.execute(
                "INSERT INTO turns (conversation_id, position, answer, status, created_at, "
                "updated_at) VALUES (?, 0, ?, 'complete', ?, ?)",
                (conv_id, answer, n, n),
            )
            conn.execute(
                "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
                "VALUES (?, ?, ?, '', ?)",
                (cursor.lastrowid, f"Problem {n}", transcript, answer),
            )
    conn.close()


def test_ten_thousand_rows_list_and_search_quickly(tmp_path: Path) -> None:
    """GIVEN 10,000 conversations WHEN listed and searched THEN each answer is fast."""
    path = tmp_path / "history.sqlite3"
    _bulk_fill(path, 10_000)
    with HistoryStore(path) as store:
        store.list(50, 0)  # warm the page cache, as a running app would have
        started = time.perf_counter()
        page = store.list(50, 0)
        list_s = time.perf_counter() - started
        assert [c.title for c in page[:2]] == ["Problem 9999", "Problem 9998"]
        assert list_s < 0.05, f"first page took {list_s * 1000:.1f} ms"
        started = time.perf_counter()
        last_page = store.list(50, 9_950)
        assert time.perf_counter() - started < 0.2
        assert last_page[-1].title == "Problem 0"
        started = time.perf_counter()
        hits = store.search("Problem 1234:", limit=20)
        search_s = time.perf_counter() - started
        assert [h.conversation.title for h in hits] == ["Problem 1234"]
        assert search_s < 0.5, f"search took {search_s * 1000:.1f} ms"
        assert store.count() == 10_000
        plan = " ".join(
            str(row)
            for row in store._conn.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM conversations "
                "ORDER BY updated_at DESC, num DESC LIMIT 50"
            )
        )
        assert "conversations_updated" in plan
        assert "TEMP B-TREE" not in plan

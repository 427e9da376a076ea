"""Full-text search over titles, transcripts, questions and answers, LaTeX included."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from desktop_app.core.history import schema
from desktop_app.core.history.search import MATCH_END, MATCH_START
from desktop_app.core.history.store import HistoryStore
from tests.fakes.clock import FakeClock


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


def test_short_terms_match_as_substrings(store: HistoryStore, filled: dict[str, str]) -> None:
    """GIVEN one- and two-character queries WHEN searched THEN substring matching still works."""
    assert found(store, "e^") == {filled["integral"]}
    assert found(store, "^") == {filled["square"], filled["integral"]}
    assert found(store, "dx") == {filled["integral"]}
    assert found(store, "DX") == {filled["integral"]}  # case-insensitive
    assert found(store, "5x integral") == set()
    assert found(store, "5x Solve") == {filled["square"]}
    assert found(store, "} +") == {filled["frac"]}  # both short
    assert found(store, "q") == set()


def test_hits_come_newest_first(store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN three matching conversations WHEN searched THEN the newest comes first, for long,
    short and mixed queries alike, and the limit keeps the newest."""
    ids = []
    for n in range(3):
        ids.append(store.create_conversation(None, f"Integrate $x^{n}$ from 0 to 1."))
        clock.advance(60)
    newest_first = ids[::-1]
    for query in ("Integrate", "x", "x^", "Integrate x"):
        assert [h.conversation.id for h in store.search(query)] == newest_first, query
        assert [h.conversation.id for h in store.search(query, limit=2)] == newest_first[:2]


def test_snippet_marks_short_terms(store: HistoryStore, filled: dict[str, str]) -> None:
    """GIVEN a two-character query WHEN searched THEN the snippet marks it where it occurs."""
    (hit,) = store.search("dx")
    assert f"{MATCH_START}dx{MATCH_END}" in hit.snippet


def test_delete_leaves_no_trace_in_either_index(
    store: HistoryStore, filled: dict[str, str]
) -> None:
    """GIVEN a conversation WHEN deleted THEN neither long nor short terms find it and both
    indexes are still sound."""
    store.delete(filled["integral"])
    assert found(store, "antiderivative") == set()
    assert found(store, "dx") == set()
    assert found(store, "^") == {filled["square"]}
    store._conn.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")


def test_rows_from_before_the_pair_index_are_indexed(tmp_path: Path) -> None:
    """GIVEN a database written before one- and two-character search had its own index WHEN
    the store opens it THEN short terms find its conversations, and edits replace what they
    find."""
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in schema._statements(schema.MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO conversations (num, id, created_at, updated_at, title, transcript) "
        "VALUES (1, 'c1', 0, 0, 'Old', 'Solve $y^2 = 9$.')"
    )
    conn.execute(
        "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
        "VALUES (1, 'Old', 'Solve $y^2 = 9$.', '', '')"
    )
    conn.close()
    with HistoryStore(path) as store:
        assert found(store, "y^") == {"c1"}
        store.set_transcript("c1", "Solve $z^2 = 9$.")
        assert found(store, "y^") == set()
        assert found(store, "z^") == {"c1"}  # and "y^" no more: the old pairs were removed


def test_rows_indexed_without_pairs_are_healed_by_an_edit(store: HistoryStore) -> None:
    """GIVEN a conversation written straight into the rows and the trigram index (a bulk import)
    WHEN it is edited, twice THEN short terms find its text, and only its current text."""
    store._conn.execute(
        "INSERT INTO conversations (num, id, created_at, updated_at, title, transcript) "
        "VALUES (7, 'bulk', 0, 0, 'Bulk', 'Find $k$.')"
    )
    store._conn.execute(
        "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
        "VALUES (7, 'Bulk', 'Find $k$.', '', '')"
    )
    assert found(store, "$k") == set()
    store.set_transcript("bulk", "Find $k$ and $m$.")
    assert found(store, "$k") == {"bulk"}
    assert found(store, "$m") == {"bulk"}
    store.set_transcript("bulk", "Find $n$.")
    assert found(store, "$k") == set()


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

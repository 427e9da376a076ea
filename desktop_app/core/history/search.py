"""The trigram search index: keeping it in step with the rows, and querying it."""

from __future__ import annotations

import sqlite3

from desktop_app.core.history.models import ConversationSummary, SearchHit, derive_title

# Plain characters rather than HTML: the snippet is shown by a terminal as well as the GUI,
# and guillemets almost never occur in math source.
MATCH_START = "«"
MATCH_END = "»"
_TRIGRAM = 3
_SNIPPET_TOKENS = 32
_SUMMARY_COLUMNS = "c.id, c.title, c.created_at, c.updated_at, c.image_sha256"
_INDEXED = ("title", "transcript", "questions", "answers")


def search(conn: sqlite3.Connection, text: str, limit: int) -> tuple[SearchHit, ...]:
    """Conversations containing every whitespace-separated term of `text`, best match first."""
    terms = text.split()
    if not terms:
        return ()
    long_terms = [t for t in terms if len(t) >= _TRIGRAM]
    short_terms = [t for t in terms if len(t) < _TRIGRAM]
    if long_terms:
        return _match(conn, long_terms, short_terms, limit)
    return _scan(conn, short_terms, limit)


def refresh(conn: sqlite3.Connection, num: int) -> None:
    """Re-derive conversation `num`'s default title and rewrite its index row."""
    row = conn.execute(
        "SELECT c.transcript, COALESCE(t.question, '') FROM conversations AS c "
        "LEFT JOIN turns AS t ON t.conversation_id = c.id AND t.position = 0 "
        "WHERE c.num = ? AND c.custom_title = 0",
        (num,),
    ).fetchone()
    if row is not None:
        conn.execute("UPDATE conversations SET title = ? WHERE num = ?", (derive_title(*row), num))
    # Rewritten whole inside the caller's transaction: the index can never disagree with the
    # rows, and rewriting a conversation's few kilobytes costs about a millisecond.
    conn.execute("DELETE FROM search_index WHERE rowid = ?", (num,))
    conn.execute(
        "INSERT INTO search_index (rowid, title, transcript, questions, answers) "
        "SELECT c.num, c.title, c.transcript, "
        "COALESCE((SELECT group_concat(question, char(10)) FROM turns "
        "WHERE conversation_id = c.id), ''), "
        "COALESCE((SELECT group_concat(answer, char(10)) FROM turns "
        "WHERE conversation_id = c.id), '') "
        "FROM conversations AS c WHERE c.num = ?",
        (num,),
    )


def _match(
    conn: sqlite3.Connection, long_terms: list[str], short_terms: list[str], limit: int
) -> tuple[SearchHit, ...]:
    # Each term is quoted as an FTS5 string, so `\frac{`, `x^2`, `-` or `AND` are literal text
    # and never query syntax; with trigram a quoted term matches as a substring.
    query = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
    extra, params = _like_clauses(short_terms)
    rows = conn.execute(
        f"""
        SELECT {_SUMMARY_COLUMNS},
               snippet(search_index, -1, ?, ?, '…', {_SNIPPET_TOKENS})
        FROM search_index JOIN conversations AS c ON c.num = search_index.rowid
        WHERE search_index MATCH ? {extra}
        ORDER BY bm25(search_index), c.updated_at DESC
        LIMIT ?
        """,
        (MATCH_START, MATCH_END, query, *params, limit),
    ).fetchall()
    return tuple(_hit(row) for row in rows)


def _scan(conn: sqlite3.Connection, terms: list[str], limit: int) -> tuple[SearchHit, ...]:
    # Trigram cannot match under three characters; a scan of the index table is still quick at
    # tens of thousands of rows, and only happens for the first keystrokes.
    extra, params = _like_clauses(terms)
    rows = conn.execute(
        f"""
        SELECT {_SUMMARY_COLUMNS}, substr(c.title, 1, 80)
        FROM search_index JOIN conversations AS c ON c.num = search_index.rowid
        WHERE 1 {extra}
        ORDER BY c.updated_at DESC, c.num DESC
        LIMIT ?
        """,
        (*params, limit),
    ).fetchall()
    return tuple(_hit(row) for row in rows)


def _like_clauses(terms: list[str]) -> tuple[str, list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    for term in terms:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        either = " OR ".join(f"search_index.{col} LIKE ? ESCAPE '\\'" for col in _INDEXED)
        clauses.append(f"AND ({either})")
        params.extend([pattern] * len(_INDEXED))
    return " ".join(clauses), params


def _hit(row: tuple[str, str, float, float, str | None, str | None]) -> SearchHit:
    summary = ConversationSummary(row[0], row[1], row[2], row[3], row[4])
    return SearchHit(summary, " ".join((row[5] or "").split()))

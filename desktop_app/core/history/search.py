"""The search index: keeping it in step with the rows, and querying it newest first.

Two FTS5 tables index the same text (a conversation's title, transcript, questions and
answers). `search_index` (trigram) answers terms of three or more characters as substrings.
Trigram cannot see anything shorter, so `search_grams` indexes every character and every pair
of adjacent characters: the text is stored with a marker between characters, which makes the
trigram tokenizer emit `␁c␁` for each character and `a␁b` for each pair. It keeps no text and
no positions (contentless, detail=none), which makes it small (a few per cent of the
database), and one- and two-character terms become a single index lookup.

Hits come newest first, in the index's own order (the conversation's number), so the first
page is read straight off the index and never costs more than a page, however many of
100,000 conversations match; ranking by relevance would have to score every match first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from desktop_app.core.history.models import ConversationSummary, SearchHit, derive_title

# Plain characters rather than HTML: the snippet is shown by a terminal as well as the GUI,
# and guillemets almost never occur in math source.
MATCH_START = "«"
MATCH_END = "»"
GRAMS_FUNCTION = "search_grams_text"  # the SQL function schema.connect registers
_GRAM_MARK = "\x01"
_TRIGRAM = 3
_SNIPPET_CHARS = 40
_SNIPPET_LEAD = 12  # characters shown before the match
_IDS_PER_QUERY = 500  # well under SQLite's limit on parameters in one statement
_INDEXED = ("title", "transcript", "questions", "answers")
# A conversation's index row: its title and transcript, and all its turns' text.
_INDEX_ROWS = (
    "SELECT c.num, c.title, c.transcript, "
    "COALESCE((SELECT group_concat(question, char(10)) FROM turns "
    "WHERE conversation_id = c.id), ''), "
    "COALESCE((SELECT group_concat(answer, char(10)) FROM turns "
    "WHERE conversation_id = c.id), '') "
    "FROM conversations AS c"
)
_GRAMS_OF_INDEXED = f"{GRAMS_FUNCTION}({', '.join(_INDEXED)})"


def grams_text(title: str, transcript: str, questions: str, answers: str) -> str:
    """The text `search_grams` indexes: the columns with a marker around every character."""
    text = "\n".join((title or "", transcript or "", questions or "", answers or ""))
    return _GRAM_MARK + _GRAM_MARK.join(text) + _GRAM_MARK


def register(conn: sqlite3.Connection) -> None:
    """Define the SQL function that index writes (and the migration creating them) call."""
    conn.create_function(GRAMS_FUNCTION, 4, grams_text, deterministic=True)


def search(conn: sqlite3.Connection, text: str, limit: int) -> tuple[SearchHit, ...]:
    """Conversations containing every whitespace-separated term of `text`, newest first."""
    terms = text.split()
    if not terms or limit <= 0:
        return ()
    long_terms = [t for t in terms if len(t) >= _TRIGRAM]
    short_terms = [t for t in terms if len(t) < _TRIGRAM]
    selects, params = [], []
    if long_terms:
        selects.append("SELECT rowid FROM search_index WHERE search_index MATCH ?")
        params.append(_fts_query(long_terms))
    if short_terms:
        selects.append("SELECT rowid FROM search_grams WHERE search_grams MATCH ?")
        params.append(_fts_query([_gram(t) for t in short_terms]))
    # FTS5 walks its index in rowid order, so with ORDER BY rowid DESC and a LIMIT reading
    # stops at the first page; INTERSECT merges the two tables' ordered streams the same way.
    rows = conn.execute(
        f"WITH found (num) AS ({' INTERSECT '.join(selects)} ORDER BY 1 DESC LIMIT ?) "
        "SELECT c.id, c.title, c.created_at, c.updated_at, c.image_sha256, c.transcript "
        "FROM found JOIN conversations AS c ON c.num = found.num ORDER BY c.num DESC",
        (*params, limit),
    ).fetchall()
    needles = sorted({_fold(t) for t in terms}, key=len, reverse=True)
    snippets = {row[0]: _snippet((row[1], row[5]), needles) for row in rows}
    # The turns' text (most of a conversation's) is read only where the match is in it.
    unseen = [conv_id for conv_id, snippet in snippets.items() if snippet is None]
    for start in range(0, len(unseen), _IDS_PER_QUERY):
        chunk = unseen[start : start + _IDS_PER_QUERY]
        for conv_id, questions, answers in conn.execute(
            "SELECT conversation_id, group_concat(question, char(10)), "
            "group_concat(answer, char(10)) FROM turns "
            f"WHERE conversation_id IN ({', '.join('?' * len(chunk))}) GROUP BY conversation_id",
            chunk,
        ):
            snippets[conv_id] = _snippet((questions, answers), needles)
    return tuple(
        SearchHit(
            ConversationSummary(*row[:5]),
            snippets[row[0]] or " ".join(row[1][: 2 * _SNIPPET_CHARS].split())[:_SNIPPET_CHARS],
        )
        for row in rows
    )


def rebuild(conn: sqlite3.Connection) -> None:
    """Rewrite the whole index from the rows (inside the caller's transaction)."""
    conn.execute("DELETE FROM search_index")
    conn.execute("INSERT INTO search_grams (search_grams) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO search_index (rowid, {', '.join(_INDEXED)}) {_INDEX_ROWS}")
    conn.execute(
        f"INSERT INTO search_grams (rowid, text) SELECT rowid, {_GRAMS_OF_INDEXED} "
        "FROM search_index"
    )


def refresh(conn: sqlite3.Connection, num: int) -> None:
    """Re-derive conversation `num`'s default title and rewrite its index rows."""
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
    forget(conn, num)
    conn.execute(
        f"INSERT INTO search_index (rowid, {', '.join(_INDEXED)}) {_INDEX_ROWS} WHERE c.num = ?",
        (num,),
    )
    conn.execute(
        f"INSERT INTO search_grams (rowid, text) SELECT rowid, {_GRAMS_OF_INDEXED} "
        "FROM search_index WHERE rowid = ?",
        (num,),
    )


def forget(conn: sqlite3.Connection, num: int) -> None:
    """Remove conversation `num` from the index (inside the caller's transaction)."""
    # A contentless table forgets a row only when told the text it indexed, which the trigram
    # table still holds. The docsize check skips rows written before this table existed
    # (or by tools that fill `search_index` alone): FTS5 warns that a delete of text it never
    # indexed can corrupt the index.
    conn.execute(
        "INSERT INTO search_grams (search_grams, rowid, text) "
        f"SELECT 'delete', rowid, {_GRAMS_OF_INDEXED} FROM search_index WHERE rowid = ? "
        "AND EXISTS (SELECT 1 FROM search_grams_docsize WHERE id = search_index.rowid)",
        (num,),
    )
    conn.execute("DELETE FROM search_index WHERE rowid = ?", (num,))


def _gram(term: str) -> str:
    """The `search_grams` token for a one- or two-character term."""
    if len(term) == 1:
        return _GRAM_MARK + term + _GRAM_MARK
    return _GRAM_MARK.join(term)


def _fts_query(terms: Sequence[str]) -> str:
    # Each term is quoted as an FTS5 string, so `\frac{`, `x^2`, `-` or `AND` are literal text
    # and never query syntax; with trigram a quoted term matches as a substring.
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _snippet(texts: tuple[str, ...], needles: list[str]) -> str | None:
    """A few words around the first match, every term in them marked; None if none is found."""
    # Plain string search on a case-folded copy: a case-blind regular expression cost ten
    # times as much, and snippets were most of a search's time.
    for text in texts:
        folded = _fold(text)
        found = [at for at in map(folded.find, needles) if at >= 0]
        if found:
            break
    else:
        return None
    start = max(0, min(found) - _SNIPPET_LEAD)
    end = start + _SNIPPET_CHARS
    window, folded = text[start:end], folded[start:end]
    marks = []
    for needle in needles:
        at = folded.find(needle)
        while at >= 0:
            marks.append((at, at + len(needle)))
            at = folded.find(needle, at + len(needle))
    parts, pos = ["…" if start else ""], 0
    for begin, stop in sorted(marks, key=lambda m: (m[0], -m[1])):
        if begin >= pos:  # where two terms overlap, the one starting first is marked
            parts += (window[pos:begin], MATCH_START, window[begin:stop], MATCH_END)
            pos = stop
    parts += (window[pos:], "…" if end < len(text) else "")
    return " ".join("".join(parts).split())


def _fold(text: str) -> str:
    """Lower case, character by character, so that positions in it are positions in `text`."""
    if text.isascii():
        return text.lower()
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)

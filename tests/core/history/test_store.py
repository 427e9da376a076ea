"""Conversations and turns: create, read, update, rename, delete, page, recover."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from desktop_app.core.errors import UsageError
from desktop_app.core.history.models import UNTITLED, UnknownConversation, derive_title
from desktop_app.core.history.store import HistoryStore
from tests.fakes.clock import FakeClock
from tests.fakes.images import png_bytes


def test_create_and_get_round_trip(store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN a conversation with a turn WHEN read back THEN every field is as written."""
    conv_id = store.create_conversation(png_bytes(320, 200), "Find $x$ if $x^2 = 4$.")
    clock.advance(1)
    turn_id = store.add_turn(conv_id, "Only the positive root?", solver_model="qwen-math")
    store.update_turn(turn_id, answer="x = 2", status="complete", final_answer="2")
    conversation = store.get(conv_id)
    assert len(conv_id) == 32
    assert conversation.transcript == "Find $x$ if $x^2 = 4$."
    assert conversation.image_sha256 is not None
    assert conversation.updated_at == clock.now
    assert conversation.created_at == clock.now - 1
    (turn,) = conversation.turns
    assert (turn.question, turn.answer, turn.status) == (
        "Only the positive root?",
        "x = 2",
        "complete",
    )
    assert (turn.final_answer, turn.solver_model, turn.reader_model) == ("2", "qwen-math", None)
    assert turn.position == 0


def test_turns_keep_their_order(store: HistoryStore) -> None:
    """GIVEN three turns WHEN read THEN they come oldest first with positions 0, 1, 2."""
    conv_id = store.create_conversation(None, "problem")
    for question in ("a", "b", "c"):
        store.add_turn(conv_id, question)
    turns = store.get(conv_id).turns
    assert [(t.position, t.question, t.status) for t in turns] == [
        (0, "a", "streaming"),
        (1, "b", "streaming"),
        (2, "c", "streaming"),
    ]


def test_failed_turn_keeps_partial_answer_and_error(store: HistoryStore) -> None:
    """GIVEN a turn that failed mid-answer WHEN read THEN the partial text and error remain."""
    conv_id = store.create_conversation(None, "problem")
    turn_id = store.add_turn(conv_id, "")
    store.update_turn(turn_id, answer="Step 1: expand")
    store.update_turn(turn_id, status="failed", error="The connection dropped.")
    (turn,) = store.get(conv_id).turns
    assert (turn.answer, turn.status, turn.error) == (
        "Step 1: expand",
        "failed",
        "The connection dropped.",
    )


def test_unknown_status_is_refused(store: HistoryStore) -> None:
    """GIVEN a turn WHEN given a status outside the list THEN ValueError and nothing changes."""
    turn_id = store.add_turn(store.create_conversation(None, "p"), "")
    with pytest.raises(ValueError, match="status"):
        store.update_turn(turn_id, status="done")  # type: ignore[arg-type]


def test_unknown_id_raises_one_sentence(store: HistoryStore) -> None:
    """GIVEN no such conversation WHEN read, renamed, deleted or extended THEN a usage error."""
    for action in (
        store.get,
        store.delete,
        lambda i: store.rename(i, "t"),
        lambda i: store.add_turn(i, ""),
    ):
        with pytest.raises(UnknownConversation, match=r"^No conversation with id nope\.$"):
            action("nope")
    assert UnknownConversation("x").exit_code == 2


def test_titles_follow_transcript_until_renamed(store: HistoryStore) -> None:
    """GIVEN a conversation WHEN its transcript changes THEN the title follows, unless renamed."""
    conv_id = store.create_conversation(png_bytes(320, 200), "")
    assert store.get(conv_id).title == UNTITLED
    store.add_turn(conv_id, "What is 2+2?")
    assert store.get(conv_id).title == "What is 2+2?"
    store.set_transcript(conv_id, "## Problem 3\n\nSolve $\\frac{1}{2} x = 3$.")
    assert store.get(conv_id).title == "Problem 3"
    store.rename(conv_id, "  My   favourite  ")
    store.set_transcript(conv_id, "Something else")
    assert store.get(conv_id).title == "My favourite"
    store.rename(conv_id, "")
    assert store.get(conv_id).title == "Something else"


def test_explicit_title_at_creation(store: HistoryStore) -> None:
    """GIVEN a title at creation WHEN the transcript changes THEN the title stays."""
    conv_id = store.create_conversation(None, "x", title="Homework 4")
    store.set_transcript(conv_id, "y")
    assert store.get(conv_id).title == "Homework 4"


@pytest.mark.parametrize(
    ("transcript", "question", "title"),
    [
        ("Solve $x^2-5x+6=0$.", "", "Solve $x^2-5x+6=0$."),
        ("\n\n$$\n\\int_0^1 x\\,dx\n$$", "", "\\int_0^1 x\\,dx"),
        ("", "  what is   1+1 ", "what is 1+1"),
        ("", "", UNTITLED),
        ("1. Prove that " + "a + " * 40 + "b", "", "Prove that " + "a + " * 11 + "a +…"),
    ],
)
def test_derive_title(transcript: str, question: str, title: str) -> None:
    """GIVEN a transcript/question WHEN titled THEN first meaningful line, cut near 60 chars."""
    assert derive_title(transcript, question) == title
    assert len(derive_title(transcript, question)) <= 60


def test_list_is_newest_first_and_paged(store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN five conversations, one updated last WHEN listed in pages THEN newest first."""
    ids = []
    for n in range(5):
        clock.advance(1)
        ids.append(store.create_conversation(None, f"problem {n}"))
    clock.advance(1)
    store.add_turn(ids[1], "follow-up")  # touching a conversation moves it to the top
    expected = [ids[1], ids[4], ids[3], ids[2], ids[0]]
    assert [c.id for c in store.list(2, 0)] == expected[:2]
    assert [c.id for c in store.list(2, 2)] == expected[2:4]
    assert [c.id for c in store.list(2, 4)] == expected[4:]
    assert store.list(2, 6) == ()
    assert store.count() == 5


def test_same_timestamp_ties_break_by_insertion(store: HistoryStore) -> None:
    """GIVEN conversations created in the same instant WHEN listed THEN the later one first."""
    first = store.create_conversation(None, "a")
    second = store.create_conversation(None, "b")
    assert [c.id for c in store.list()] == [second, first]


def test_delete_removes_rows_and_index(store: HistoryStore) -> None:
    """GIVEN a conversation with turns WHEN deleted THEN it, its turns and its index entry go."""
    conv_id = store.create_conversation(None, "unique-word-zebra")
    store.add_turn(conv_id, "q")
    store.delete(conv_id)
    assert store.count() == 0
    assert store.search("zebra") == ()
    with pytest.raises(UnknownConversation):
        store.get(conv_id)


def test_recover_interrupted_marks_only_streaming(store: HistoryStore) -> None:
    """GIVEN turns left streaming by a crash WHEN recovered THEN they become interrupted."""
    conv_id = store.create_conversation(None, "p")
    streaming = [store.add_turn(conv_id, "a"), store.add_turn(conv_id, "b")]
    done = store.add_turn(conv_id, "c")
    store.update_turn(streaming[0], answer="half an ans")
    store.update_turn(done, status="complete")
    assert store.recover_interrupted() == 2
    statuses = [(t.status, t.answer) for t in store.get(conv_id).turns]
    assert statuses == [("interrupted", "half an ans"), ("interrupted", ""), ("complete", "")]
    assert store.recover_interrupted() == 0


def test_resolve_id_accepts_unique_prefix(store: HistoryStore) -> None:
    """GIVEN a conversation WHEN looked up by a prefix THEN the full id; bad input is refused."""
    conv_id = store.create_conversation(None, "p")
    assert store.resolve_id(conv_id) == conv_id
    assert store.resolve_id(conv_id[:6].upper()) == conv_id
    for bad in ("abc", "zzzzzz", "ffffffff'; DROP TABLE"):
        with pytest.raises(UnknownConversation):
            store.resolve_id(bad)


def test_resolve_id_refuses_ambiguous_prefix(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN two ids sharing a prefix WHEN that prefix is given THEN a usage error says so."""
    fixed = iter([uuid.UUID("abcd" + "0" * 28), uuid.UUID("abcd" + "1" * 28)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(fixed))
    first = store.create_conversation(None, "a")
    store.create_conversation(None, "b")
    with pytest.raises(UsageError, match=r"^The id abcd matches more than one conversation\.$"):
        store.resolve_id("abcd")
    assert store.resolve_id("abcd0") == first


def test_two_stores_on_one_file_see_each_other(tmp_path: Path) -> None:
    """GIVEN the GUI and the CLI open the same file WHEN one writes THEN the other reads it."""
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as gui, HistoryStore(path) as cli:
        conv_id = cli.create_conversation(None, "from the cli")
        assert gui.get(conv_id).transcript == "from the cli"


def test_retention_deletes_only_conversations_older_than_the_limit(tmp_path: Path) -> None:
    """GIVEN a 30-day retention WHEN applied THEN only conversations idle longer are gone."""
    now = [1_000_000_000.0]
    store = HistoryStore(tmp_path / "history.sqlite3", clock=lambda: now[0])
    old = store.create_conversation(None, "an old problem")
    now[0] += 31 * 86400
    recent = store.create_conversation(None, "a recent problem")
    assert store.delete_older_than(30) == 1
    assert [c.id for c in store.list()] == [recent]
    assert not store.search("old problem")
    assert old not in {c.id for c in store.list()}
    store.close()

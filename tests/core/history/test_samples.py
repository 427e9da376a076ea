"""History keeps every sample of a self-consistency turn: schema 4, the store, the recorder,
the exports and `history show --json`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.events import (
    AnswerDelta,
    FinalAnswer,
    Finished,
    SampleAnswer,
    SampleProgress,
    SamplesVoted,
    StageStarted,
)
from desktop_app.core.history import schema
from desktop_app.core.history.export import to_markdown
from desktop_app.core.history.export_html import to_html
from desktop_app.core.history.models import SavedSample
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore

SOLUTIONS = (
    "Halve: $\\boxed{\\frac{1}{2}}$",
    "Guess $\\boxed{3}$",
    "As a decimal, $\\boxed{0.5}$",
    "No idea.",
)
VOTED = SamplesVoted(
    (
        SampleAnswer(SOLUTIONS[0], "\\frac{1}{2}", 0),
        SampleAnswer(SOLUTIONS[1], "3", 1),
        SampleAnswer(SOLUTIONS[2], "0.5", 0),
        SampleAnswer(SOLUTIONS[3], None, None),
    ),
    majority=0,
    votes=2,
)


def recorded(store: HistoryStore) -> str:
    """Record a 4-sample run the way the pipeline streams it; returns the conversation id."""
    events = [
        StageStarted("solver", "m"),
        SampleProgress(0, 4),
        SampleProgress(4, 4),
        AnswerDelta(SOLUTIONS[0]),
        VOTED,
        FinalAnswer("\\frac{1}{2}", "verified", "It is 1/2.", votes=2, samples=4),
        Finished(),
    ]
    out = list(record(iter(events), store, question="Compute $2/4$."))
    finished = out[-1]
    assert isinstance(finished, Finished)
    assert finished.conversation_id is not None
    return finished.conversation_id


def test_a_voted_turn_keeps_every_sample_and_the_majority_as_its_answer(
    store: HistoryStore,
) -> None:
    """GIVEN a recorded 4-sample run WHEN read back THEN the turn's answer is the majority's
    text and all 4 samples are there in order, with answers, groups and the majority marked."""
    (turn,) = store.get(recorded(store)).turns
    assert turn.answer == SOLUTIONS[0]
    assert (turn.final_answer, turn.final_check, turn.status) == (
        "\\frac{1}{2}",
        "verified",
        "complete",
    )
    assert turn.samples == (
        SavedSample(0, SOLUTIONS[0], "\\frac{1}{2}", 0, True),
        SavedSample(1, SOLUTIONS[1], "3", 1, False),
        SavedSample(2, SOLUTIONS[2], "0.5", 0, False),
        SavedSample(3, SOLUTIONS[3], None, None, False),
    )
    assert turn.votes == 2


def test_search_finds_the_majority_answer(store: HistoryStore) -> None:
    """GIVEN a voted turn THEN searching its answer's words finds the conversation."""
    conv_id = recorded(store)
    assert [hit.conversation.id for hit in store.search("Halve")] == [conv_id]


def test_samples_go_with_their_conversation(store: HistoryStore) -> None:
    """GIVEN a voted turn WHEN its conversation is deleted THEN no sample row is left."""
    store.delete(recorded(store))
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM samples").fetchone()[0] == 0
    conn.close()


def test_a_plain_turn_has_no_samples(store: HistoryStore) -> None:
    """GIVEN a turn without self-consistency THEN it reads back with no samples and no votes."""
    conv_id = store.create_conversation(None, "Solve $x = 1$.")
    store.update_turn(store.add_turn(conv_id, ""), answer="$\\boxed{1}$", status="complete")
    (turn,) = store.get(conv_id).turns
    assert (turn.samples, turn.votes) == ((), 0)


def test_a_version_3_database_gains_the_samples_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a database at version 3 with a turn WHEN the current app opens it THEN it is
    migrated to version 4, the old turn reads back whole, and samples can be saved."""
    path = tmp_path / "history.sqlite3"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    with HistoryStore(path) as store:
        conv_id = store.create_conversation(None, "Solve $x + 1 = 3$.")
        turn_id = store.add_turn(conv_id, "")
        store.update_turn(turn_id, answer="$x = 2$", final_answer="2", status="complete")
    monkeypatch.undo()
    with HistoryStore(path) as store:
        (turn,) = store.get(conv_id).turns
        assert (turn.answer, turn.samples) == ("$x = 2$", ())
        store.set_samples(turn_id, [SavedSample(0, "$x = 2$", "2", 0, True)])
        assert store.get(conv_id).turns[0].samples == (SavedSample(0, "$x = 2$", "2", 0, True),)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4 == schema.SCHEMA_VERSION
    conn.close()


def test_markdown_export_lists_the_samples_after_the_answer(store: HistoryStore) -> None:
    """GIVEN a voted turn WHEN exported as Markdown THEN the vote and every sample follow the
    final answer, each under its own heading."""
    text = to_markdown(store.get(recorded(store)), None)
    final = text.index("**Final answer:**")
    assert text.index("**Samples.** 2 of 4 samples gave the final answer.") > final
    headings = [
        "#### Sample 1: $\\frac{1}{2}$ (the answer above)",
        "#### Sample 2: $3$",
        "#### Sample 3: $0.5$",
        "#### Sample 4: no final answer",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    for heading, solution in zip(headings, SOLUTIONS, strict=True):
        assert text.index(solution, text.index(heading)) > text.index(heading)


def test_html_export_folds_each_sample(store: HistoryStore) -> None:
    """GIVEN a voted turn WHEN exported as HTML THEN each sample is a closed <details> after
    the answer, its text rendered, and no placeholder is left."""
    page = to_html(store.get(recorded(store)), None)
    assert page.count('<details class="sample') == 4
    assert page.count('<details class="sample majority">') == 1
    assert "<details open" not in page
    assert page.index("Final answer") < page.index('<section class="samples">')
    assert "Guess" in page
    assert "QMATHSAMPLES" not in page
    assert "details.sample" in page  # the samples' styles travel with the page

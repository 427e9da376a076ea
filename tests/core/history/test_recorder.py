"""The recorder: saves a streaming solve as it passes, on a time cadence, with final status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    ImageReady,
    Notice,
    PlotPoint,
    PlotReady,
    Retrying,
    StageStarted,
    StepChecked,
    TranscriptDelta,
)
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore
from tests.fakes.clock import FakeClock
from tests.fakes.images import png_bytes


def image_run(answer: list[str], end: Event) -> list[Event]:
    return [
        ImageReady(png_bytes(320, 200), 320, 200),
        StageStarted("reader", "qwen-vl-max"),
        TranscriptDelta("Solve "),
        TranscriptDelta("$x^2 = 4$."),
        StageStarted("solver", "qwen2.5-math-72b-instruct"),
        *[AnswerDelta(d) for d in answer],
        end,
    ]


def test_complete_run_is_saved_and_finished_carries_the_id(store: HistoryStore) -> None:
    """GIVEN a full image run WHEN recorded THEN events pass unchanged but Finished gets the id."""
    events = [*image_run(["x = ", "\\pm 2"], Finished())[:-1], FinalAnswer("\\pm 2"), Finished()]
    seen = list(record(iter(events), store, question="", reads_image=True))
    assert seen[:-1] == events[:-1]
    assert isinstance(seen[-1], Finished)
    assert seen[-1].conversation_id is not None
    conversation = store.get(seen[-1].conversation_id)
    assert conversation.transcript == "Solve $x^2 = 4$."
    assert conversation.title == "Solve $x^2 = 4$."
    assert conversation.image_sha256 is not None
    (turn,) = conversation.turns
    assert (turn.answer, turn.status, turn.final_answer, turn.final_check) == (
        "x = \\pm 2",
        "complete",
        "\\pm 2",
        "unchecked",
    )
    assert (turn.reader_model, turn.solver_model) == ("qwen-vl-max", "qwen2.5-math-72b-instruct")


def test_text_only_problem_is_created_before_the_first_event(store: HistoryStore) -> None:
    """GIVEN a typed problem WHEN the run starts THEN the conversation exists before any event."""

    def events() -> Iterator[Event]:
        assert store.count() == 1
        yield StageStarted("solver", "m")
        yield AnswerDelta("4")
        yield Finished()

    seen = list(record(events(), store, question="What is 2+2?"))
    conversation = store.get(seen[-1].conversation_id or "")
    assert conversation.title == "What is 2+2?"
    assert conversation.turns[0].question == "What is 2+2?"
    assert conversation.turns[0].reader_model is None


@pytest.mark.parametrize(
    ("end", "status", "error"),
    [
        (Failed("Stopped.", 130, "solver"), "cancelled", None),
        (Failed("The connection dropped.", 5, "solver"), "failed", "The connection dropped."),
    ],
)
def test_failed_runs_keep_partial_text(
    store: HistoryStore, end: Failed, status: str, error: str | None
) -> None:
    """GIVEN a run ending in Failed WHEN recorded THEN its status is set, partial text kept."""
    seen = list(record(iter(image_run(["Step 1", ": expand"], end)), store, reads_image=True))
    assert seen[-1] == end  # no conversation id: the contract prints an error, not done
    (summary,) = store.list()
    (turn,) = store.get(summary.id).turns
    assert (turn.answer, turn.status, turn.error) == ("Step 1: expand", status, error)


def test_unusable_image_saves_nothing(store: HistoryStore) -> None:
    """GIVEN an image run that fails before the image is ready WHEN recorded THEN nothing saved."""
    failed = Failed("The file is not an image.", 3, "reader")
    assert list(record(iter([failed]), store, reads_image=True)) == [failed]
    assert store.count() == 0


def test_flushes_on_a_time_cadence(store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN deltas 0.125 s apart WHEN recorded THEN the store catches up every 0.5 s."""
    saved: list[str] = []

    def events() -> Iterator[Event]:
        yield StageStarted("solver", "m")
        for n in range(12):
            clock.advance(0.125)  # exact in binary: no rounding at the boundary
            yield AnswerDelta(str(n % 10))
            (conversation,) = store.list()
            saved.append(store.get(conversation.id).turns[0].answer)
        yield Finished()

    list(record(events(), store, question="count", clock=clock, flush_interval=0.5))
    # The fourth delta arrives 0.5 s after the start and is flushed with the three before it.
    assert saved == ["", "", "", *["0123"] * 4, *["01234567"] * 4, "012345678901"]
    (conversation,) = store.list()
    assert store.get(conversation.id).turns[0].answer == "012345678901"


def test_transcript_is_saved_while_reading(store: HistoryStore, clock: FakeClock) -> None:
    """GIVEN a long read WHEN the interval passes THEN the partial transcript is in the store."""
    events = iter(image_run([], Finished())[:4])
    stream = record(events, store, reads_image=True, clock=clock, flush_interval=0.5)
    next(stream), next(stream), next(stream)
    clock.advance(0.6)
    next(stream)
    (conversation,) = store.list()
    assert store.get(conversation.id).transcript == "Solve $x^2 = 4$."
    stream.close()


def test_transcript_is_written_only_while_it_changes(
    store: HistoryStore, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a read then a long solve WHEN saved on the cadence THEN the transcript is written
    once, not again with every save of the answer."""
    writes: list[str] = []
    set_transcript = store.set_transcript
    monkeypatch.setattr(
        store, "set_transcript", lambda cid, text: (writes.append(text), set_transcript(cid, text))
    )

    def events() -> Iterator[Event]:
        yield from image_run([], Finished())[:-1]
        for n in range(8):
            clock.advance(0.5)
            yield AnswerDelta(str(n))
        yield Finished()

    list(record(events(), store, reads_image=True, clock=clock, flush_interval=0.5))
    assert writes == ["Solve $x^2 = 4$."]
    (conversation,) = store.list()
    assert store.get(conversation.id).turns[0].answer == "01234567"


def test_consumer_stopping_early_saves_as_cancelled(store: HistoryStore) -> None:
    """GIVEN the consumer stops mid-answer WHEN the generator closes THEN cancelled, text kept."""
    stream = record(iter(image_run(["abc", "def", "ghi"], Finished())), store, reads_image=True)
    for event in stream:
        if event == AnswerDelta("def"):
            break
    stream.close()
    (conversation,) = store.list()
    (turn,) = store.get(conversation.id).turns
    assert (turn.answer, turn.status) == ("abcdef", "cancelled")


def test_producer_crash_saves_as_failed(store: HistoryStore) -> None:
    """GIVEN the pipeline raising a bug WHEN recorded THEN the turn is failed and it re-raises."""

    def events() -> Iterator[Event]:
        yield StageStarted("solver", "m")
        yield AnswerDelta("partial")
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        list(record(events(), store, question="q"))
    (conversation,) = store.list()
    (turn,) = store.get(conversation.id).turns
    assert (turn.answer, turn.status) == ("partial", "failed")


def test_follow_up_becomes_a_new_turn(store: HistoryStore) -> None:
    """GIVEN an existing conversation WHEN a follow-up is recorded THEN it is the second turn."""
    conv_id = store.create_conversation(None, "Solve $x^2=4$.")
    store.add_turn(conv_id, "")
    events = [StageStarted("solver", "m"), AnswerDelta("x = -2 too"), Finished()]
    seen = list(
        record(iter(events), store, question="And the other root?", conversation_id=conv_id,
               transcript="Solve $x^2 = 4$ (edited).")
    )  # fmt: skip
    assert seen[-1] == Finished(conv_id)
    conversation = store.get(conv_id)
    assert conversation.transcript == "Solve $x^2 = 4$ (edited)."
    assert [(t.position, t.question, t.answer) for t in conversation.turns] == [
        (0, "", ""),
        (1, "And the other root?", "x = -2 too"),
    ]


def test_retrying_passes_through(store: HistoryStore) -> None:
    """GIVEN a Retrying event WHEN recorded THEN it reaches the consumer unchanged."""
    events = [Retrying(1, 2.0, "Busy."), StageStarted("solver", "m"), Finished()]
    seen = list(record(iter(events), store, question="q"))
    assert seen[0] == Retrying(1, 2.0, "Busy.")


def test_broken_store_does_not_stop_the_answer(store: HistoryStore) -> None:
    """GIVEN a store that fails to write WHEN recorded THEN events still flow, without an id,
    and one Notice says the answer could not be saved."""
    store.close()  # every write now raises sqlite3.ProgrammingError
    events = [StageStarted("solver", "m"), AnswerDelta("4"), Finished()]
    seen = list(record(iter(events), store, question="q"))
    notices = [e for e in seen if isinstance(e, Notice)]
    assert [e for e in seen if not isinstance(e, Notice)] == events
    assert len(notices) == 1
    assert notices[0].message.startswith("This answer could not be saved to the history: ")


def test_the_checks_that_follow_the_answer_are_saved_with_the_turn(store: HistoryStore) -> None:
    """GIVEN a run whose answer was checked, its steps judged and its function plotted
    WHEN recorded THEN the turn keeps the reason, every step check and the plot's spec."""
    answer = ["$2x + 3 = 11$\n\n", "$2x = 9$\n\n", "$x = 4$"]
    spec = {"version": 1, "kind": "equation", "functions": ["2*x + 3"], "series": []}
    events = [
        *image_run(answer, Finished())[:-1],
        StepChecked("2x + 3 = 11", "2x = 9", "wrong", "at x = 4 the left side is 8", 11, 19),
        FinalAnswer("4", "verified", "x = 4 gives 2x + 3 = 11."),
        PlotReady(("2*x + 3",), (PlotPoint(4.0, 11.0, "x = 4"),), (-1.0, 6.0), spec=spec),
        Finished(),
    ]
    seen = list(record(iter(events), store, question="", reads_image=True))
    finished = seen[-1]
    assert isinstance(finished, Finished)
    assert finished.conversation_id is not None
    (turn,) = store.get(finished.conversation_id).turns
    assert (turn.final_check, turn.final_reason) == ("verified", "x = 4 gives 2x + 3 = 11.")
    assert turn.details["steps"] == [
        {
            "before": "2x + 3 = 11",
            "after": "2x = 9",
            "verdict": "wrong",
            "reason": "at x = 4 the left side is 8",
            "start": 11,
            "end": 19,
        }
    ]
    assert turn.details["plot"] == spec


def test_a_turn_without_checks_reads_back_with_no_details(store: HistoryStore) -> None:
    """GIVEN a run with no final answer WHEN recorded THEN the turn has no reason, no details."""
    seen = list(record(iter(image_run(["no box"], Finished())), store, question=""))
    finished = seen[-1]
    assert isinstance(finished, Finished)
    assert finished.conversation_id is not None
    (turn,) = store.get(finished.conversation_id).turns
    assert (turn.final_reason, dict(turn.details)) == (None, {})

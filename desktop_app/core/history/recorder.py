"""Saving a solve into the history as its events stream past, unchanged but for `Finished`."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from desktop_app.core.errors import Cancelled
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    ImageReady,
    Notice,
    PlotReady,
    SamplesVoted,
    StageStarted,
    StepChecked,
    TranscriptDelta,
)
from desktop_app.core.history.disk_errors import room_problem, storage_reason
from desktop_app.core.history.models import SavedSample, TurnStatus
from desktop_app.core.history.store import HistoryStore

log = logging.getLogger(__name__)

# How much streamed text a crash can cost at most, against one small commit per interval.
FLUSH_INTERVAL_S = 0.5
# Saving a turn's text writes several times its size to the write-ahead log (the row and its
# overflow pages, the trigram search index: about 3.2x measured), and changing the turn's
# status rewrites the row again (about 2x). A flush goes ahead only with room for both and a
# margin, so a filling disk ends the recording while the turn can still be closed properly.
ROOM_FACTOR = 6
ROOM_MARGIN = 256 * 1024


class _NoRoom(Exception):
    """The disk (or the file size limit) has no room left for the next save."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_MODEL_FIELD = {"reader": "reader_model", "solver": "solver_model"}


def record(
    events: Iterable[Event],
    store: HistoryStore,
    *,
    question: str = "",
    transcript: str | None = None,
    reads_image: bool = False,
    conversation_id: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    flush_interval: float = FLUSH_INTERVAL_S,
) -> Iterator[Event]:
    """Yield `events` while saving them; `Finished` comes back carrying the conversation id.

    A new conversation is created when the image is ready, or at once for a text-only problem
    (`reads_image` False); with `conversation_id` the run becomes a new turn of that one.
    When saving fails (a full or read-only disk), the events still all come through, and a
    `Notice` says once that the answer could not be saved, and why.
    """
    recording = _Recording(store, question, clock, flush_interval)
    if conversation_id is not None:
        recording.attach(conversation_id, transcript)
    elif not reads_image and (question.strip() or (transcript or "").strip()):
        recording.start(None, transcript or "")
    try:
        yield from recording.notices()
        for event in events:
            passed = recording.observe(event)
            yield from recording.notices()
            yield passed
    except (GeneratorExit, KeyboardInterrupt):
        # The consumer stopped listening or the user pressed Ctrl-C twice: keep what arrived.
        recording.finish("cancelled", None)
        raise
    except Exception as exc:
        recording.finish("failed", f"Unexpected error ({type(exc).__name__}).")
        raise
    else:
        # A stream that ends without Finished or Failed was cut short by its producer.
        recording.finish("interrupted", None)
        yield from recording.notices()


class _Recording:
    """The state of one recorded run: what arrived, and what is already in the store."""

    def __init__(
        self,
        store: HistoryStore,
        question: str,
        clock: Callable[[], float],
        flush_interval: float,
    ) -> None:
        self._store, self._question = store, question
        self._clock, self._interval = clock, flush_interval
        self.conversation_id: str | None = None
        self._turn_id: int | None = None
        self._transcript: list[str] = []
        self._answer: list[str] = []
        self._models: dict[str, str] = {}
        self._final: FinalAnswer | None = None
        self._details: dict[str, Any] = {}  # step checks and the plot, saved with the turn
        self._dirty = False
        self._transcript_dirty = False  # the transcript stops changing once solving starts
        self._last_flush = clock()
        self._done = False
        self._broken = False
        self._pending: list[Notice] = []

    def notices(self) -> list[Notice]:
        """The notices (at most one: saving failed) not yet passed on."""
        pending, self._pending = self._pending, []
        return pending

    def attach(self, conversation_id: str, transcript: str | None) -> None:
        """Record this run as a new turn of an existing conversation."""
        self._safely(lambda: self._attach(conversation_id, transcript))

    def start(self, png: bytes | None, transcript: str) -> None:
        """Create the conversation (and its first turn)."""
        self._safely(lambda: self._start(png, transcript))

    def observe(self, event: Event) -> Event:
        """Take note of `event`; returns the event to pass on."""
        if isinstance(event, ImageReady):
            if self.conversation_id is None:
                self.start(event.png, "")
            return event
        if isinstance(event, Failed):
            if event.exit_code == Cancelled.exit_code:
                self.finish("cancelled", None)
            else:
                self.finish("failed", event.message)
            return event
        if self.conversation_id is None and not isinstance(event, Finished):
            self.start(None, "")
        if isinstance(event, StageStarted):
            self._models[_MODEL_FIELD[event.stage]] = event.model
            self._dirty = True
        elif isinstance(event, TranscriptDelta):
            self._transcript.append(event.delta)
            self._dirty = self._transcript_dirty = True
        elif isinstance(event, AnswerDelta):
            self._answer.append(event.delta)
            self._dirty = True
        elif isinstance(event, FinalAnswer):
            self._final = event
        elif isinstance(event, StepChecked):
            step = {
                "before": event.before,
                "after": event.after,
                "verdict": event.verdict,
                "reason": event.reason,
                "start": event.start,
                "end": event.end,
            }
            self._details.setdefault("steps", []).append(step)
        elif isinstance(event, PlotReady) and event.spec is not None:
            self._details["plot"] = dict(event.spec)
        elif isinstance(event, SamplesVoted):
            self._safely(lambda: self._save_samples(event))
        elif isinstance(event, Finished):
            self.finish("complete", None)
            if self.conversation_id is not None and not self._broken:
                return Finished(conversation_id=self.conversation_id)
            return event
        if self._dirty and self._clock() - self._last_flush >= self._interval:
            self._safely(self._flush)
        return event

    def finish(self, status: TurnStatus, error: str | None) -> None:
        """Write everything that arrived and the turn's final status (once)."""
        if self._done:
            return
        self._done = True
        if self._turn_id is None:
            return
        turn_id = self._turn_id

        def write() -> None:
            self._flush()
            final = self._final
            self._store.update_turn(
                turn_id,
                status=status,
                error=error,
                final_answer=final.answer if final else None,
                final_check=final.check if final else None,
                final_reason=(final.reason or None) if final else None,
                details=self._details or None,
            )

        self._safely(write)

    def _attach(self, conversation_id: str, transcript: str | None) -> None:
        if transcript is not None:
            self._store.set_transcript(conversation_id, transcript)
        self._turn_id = self._store.add_turn(conversation_id, self._question)
        self.conversation_id = conversation_id

    def _start(self, png: bytes | None, transcript: str) -> None:
        conversation_id = self._store.create_conversation(png, transcript)
        self._turn_id = self._store.add_turn(conversation_id, self._question)
        self.conversation_id = conversation_id

    def _save_samples(self, voted: SamplesVoted) -> None:
        """Every sample, saved at once: the vote is in, and they no longer change."""
        if self._turn_id is None:
            return
        size = sum(len(sample.text) for sample in voted.samples)
        problem = room_problem(self._store.path, ROOM_FACTOR * 4 * size + ROOM_MARGIN)
        if problem is not None:
            raise _NoRoom(problem)
        self._store.set_samples(
            self._turn_id,
            [
                SavedSample(i, s.text, s.final_answer, s.group, i == voted.majority)
                for i, s in enumerate(voted.samples)
            ],
        )

    def _flush(self) -> None:
        self._last_flush = self._clock()
        if not self._dirty or self._turn_id is None or self.conversation_id is None:
            return
        size = sum(map(len, self._answer)) + sum(map(len, self._transcript))
        problem = room_problem(self._store.path, ROOM_FACTOR * 4 * size + ROOM_MARGIN)
        if problem is not None:  # 4: UTF-8 bytes per character at most
            raise _NoRoom(problem)
        if self._transcript_dirty:
            self._store.set_transcript(self.conversation_id, "".join(self._transcript))
            self._transcript_dirty = False
        self._store.update_turn(
            self._turn_id,
            answer="".join(self._answer),
            reader_model=self._models.get("reader_model"),
            solver_model=self._models.get("solver_model"),
        )
        self._dirty = False

    def _safely(self, write: Callable[[], None]) -> None:
        # Saving is a side job: a full disk or a locked database must not stop the answer
        # from streaming, so recording gives up (loudly, in the log) and the solve goes on.
        if self._broken:
            return
        try:
            write()
        except (sqlite3.Error, OSError, _NoRoom) as exc:
            log.warning("History recording stopped: %s", exc)
            self._broken = True
            if isinstance(exc, _NoRoom):
                reason = exc.reason
            else:
                reason = storage_reason(exc, self._store.path) or f"the database failed ({exc})"
            self._pending.append(
                Notice(f"This answer could not be saved to the history: {reason}.")
            )
            self._mark_unsaved(reason)

    def _mark_unsaved(self, reason: str) -> None:
        """Leave the turn failed rather than 'streaming'; the answer shown is not lost.

        Changing the status rewrites the saved text; where even that no longer fits, the turn
        is closed without its text. If that fails too, the next start of the app marks the
        turn interrupted.
        """
        if self._turn_id is None:
            return
        error = f"Not saved in full: {reason}."
        try:
            self._store.update_turn(self._turn_id, status="failed", error=error)
            return
        except (sqlite3.Error, OSError) as exc:
            log.warning("Could not mark the unsaved turn: %s", exc)
        try:  # a few pages at most: the text saved so far goes, the turn is closed
            self._store.abandon_turn(self._turn_id, error)
        except (sqlite3.Error, OSError) as exc:
            log.warning("Could not abandon the unsaved turn: %s", exc)

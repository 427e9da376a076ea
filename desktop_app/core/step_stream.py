"""Step checks while the answer streams: each finished block is checked off the stream's thread.

`StepChecks.follow(events)` passes the solver's events on untouched and hands every Markdown
block the answer finishes to a background thread, which checks it in the checker process
(`check_worker`, task "step_check") and queues the results; they are yielded between the
answer's events as they arrive, so a view can mark a block soon after it is complete.
`finish()` checks the last block once the answer has ended and yields every result still
to come, so they all precede the final answer.

Costs are bounded three ways: a deadline per block (the checker is stopped and restarted
when one overruns), a wall-clock budget per answer for all its step checks together, and the
checker's own compute budget per answer (`StepContext.budget_s`). Blocks past a budget are
left unchecked, never guessed. What the earlier blocks established travels as an opaque
token kept here, so a restarted checker carries on where the last one stopped; a failed or
stopped check only costs its own block's marks, never the answer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from desktop_app.core.answer_blocks import BlockCutter, steps_text
from desktop_app.core.events import AnswerDelta, Event, StepChecked

if TYPE_CHECKING:
    from desktop_app.core.step_extract import Block

__all__ = ["STEP_BLOCK_TIMEOUT_S", "STEP_BUDGET_S", "STEP_CHECK_BUDGET_S", "StepChecks"]

log = logging.getLogger(__name__)

STEP_BLOCK_TIMEOUT_S = 3.0  # one block in the checker
STEP_BUDGET_S = 10.0  # wall time of all the step checks of one answer, waits included
STEP_CHECK_BUDGET_S = 4.0  # the checker's compute for one answer (ADR 012)
_LEFT_MIN_S = 0.2  # less budget than this left: the remaining blocks are skipped
_JOIN_S = 5.0

R = TypeVar("R")  # what the followed events return
Check = Callable[..., Any]  # run_check's signature: (task, *args, timeout=, cancel=)


class _Stop(threading.Event):
    """Set when the run is cancelled or the checks are closed: either stops a running check."""

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self._cancel = cancel

    def is_set(self) -> bool:
        return super().is_set() or self._cancel.is_set()


class StepChecks:
    """Checks an answer's blocks as they finish, on a background thread, in order."""

    def __init__(
        self,
        cancel: threading.Event,
        *,
        check: Check | None = None,
        block_timeout: float = STEP_BLOCK_TIMEOUT_S,
        budget_s: float = STEP_BUDGET_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check = check
        self._block_timeout, self._budget, self._clock = block_timeout, budget_s, clock
        self._cutter = BlockCutter()
        self._todo: queue.SimpleQueue[Block | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[StepChecked | None] = queue.SimpleQueue()
        self._stop = _Stop(cancel)
        self._thread: threading.Thread | None = None
        self._token: str | None = None  # what the blocks checked so far established
        self._spent = 0.0
        self.skipped = 0  # blocks left unchecked: a budget ran out or their check failed

    def __enter__(self) -> StepChecks:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def follow(self, events: Generator[Event, None, R]) -> Generator[Event, None, R]:
        """Pass `events` on; send each finished answer block to be checked, and yield the
        results that have arrived between the events. Returns what `events` returns."""
        while True:
            try:
                event = next(events)
            except StopIteration as stop:
                returned: R = stop.value
                return returned
            yield event
            if isinstance(event, AnswerDelta):
                for block in self._cutter.feed(event.delta):
                    self._submit(block)
            yield from self._arrived()

    def finish(self) -> Iterator[StepChecked]:
        """The answer is complete: check its last block; yield every result still to come."""
        for block in self._cutter.finish():
            self._submit(block)
        thread = self._thread
        if thread is None:
            return
        self._todo.put(None)  # no more blocks: the thread ends after the last one
        while (result := self._done.get()) is not None:
            yield result
        thread.join(_JOIN_S)
        self._thread = None

    def close(self) -> None:
        """Stop checking (a check under way is stopped) and join the thread."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        self._todo.put(None)
        thread.join(_JOIN_S)

    def _submit(self, block: Block) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="step-checks", daemon=True)
            self._thread.start()
        self._todo.put(block)

    def _arrived(self) -> Iterator[StepChecked]:
        while True:
            try:
                result = self._done.get_nowait()
            except queue.Empty:
                return
            if result is None:  # the thread stopped early (closed): nothing more will come
                self._done.put(None)
                return
            yield result

    def _run(self) -> None:
        try:
            while (block := self._todo.get()) is not None:
                if self._stop.is_set():
                    continue  # drain: the answer goes on, its checks do not
                for result in self._block(block):
                    self._done.put(result)
        finally:
            self._done.put(None)

    def _block(self, block: Block) -> list[StepChecked]:
        from desktop_app.core.step_extract import formulas_in_block

        text = steps_text(block.text)
        if not formulas_in_block(text):
            return []  # nothing to judge: no need to ask the checker
        left = self._budget - self._spent
        if left < _LEFT_MIN_S:
            self.skipped += 1
            return []
        check = self._check or _run_check()
        started = self._clock()
        try:
            reply = check(
                "step_check",
                text,
                block.index,
                block.start,
                self._token,
                STEP_CHECK_BUDGET_S,
                timeout=min(self._block_timeout, left),
                cancel=self._stop,
            )
            results = [
                StepChecked(str(before), str(after), verdict, str(reason), int(start), int(end))
                for verdict, before, after, reason, _kind, start, end in reply["steps"]
                if verdict in ("ok", "wrong")
            ]
            token = str(reply["context"])
        except Exception as exc:  # stopped, overrun or failed: this block goes unmarked
            log.info("step check of block %d gave no result: %s", block.index, exc)
            self.skipped += 1
            return []
        finally:
            self._spent += self._clock() - started
        self._token = token
        return results


def _run_check() -> Check:
    from desktop_app.core.check_worker import run_check

    return run_check

"""Child process for the crash test: streams a long answer into the history, to be SIGKILLed.

Run as `python -m tests.core.history.crash_child DB`. After each event it prints the answer
length a second connection sees committed, so the parent knows a floor for what must survive.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from desktop_app.core.events import AnswerDelta, Event, Finished, StageStarted
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore

CHUNK = 16
FLUSH_INTERVAL_S = 0.005


def full_answer() -> str:
    """The answer every child streams: long, deterministic, full of LaTeX."""
    return "".join(
        f"Step {n}: $x^{{{n}}} + \\frac{{{n}}}{{{n + 1}}} = y_{{{n}}}$.\n" for n in range(300)
    )


def _events(text: str) -> Iterator[Event]:
    yield StageStarted("solver", "crash-test")
    for start in range(0, len(text), CHUNK):
        yield AnswerDelta(text[start : start + CHUNK])
        time.sleep(0.0002)
    yield Finished()


def main(db: str) -> None:
    """Stream the answer through the recorder, reporting committed lengths on stdout."""
    store = HistoryStore(Path(db))
    # A separate connection sees only what is committed, which is what must survive a kill.
    watcher = sqlite3.connect(db)
    reported = 0
    stream = record(
        _events(full_answer()), store, question="crash", flush_interval=FLUSH_INTERVAL_S
    )
    for event in stream:
        if isinstance(event, AnswerDelta):
            row = watcher.execute("SELECT length(answer) FROM turns ORDER BY id DESC LIMIT 1")
            length = int(row.fetchone()[0])
            if length > reported:
                reported = length
                sys.stdout.write(f"{length}\n")
                sys.stdout.flush()
    sys.stdout.write("done\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])

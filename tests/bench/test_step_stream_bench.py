"""Step checks while streaming cost the stream next to nothing, on both of its threads.

Pipeline side: the thread that passes the answer's deltas on also cuts finished blocks and
hands them to the step-check thread (the checks themselves run in the checker process). Its
CPU time per delta is compared with passing the same deltas on without step checks.

View side: the GUI thread streams an 8k-token answer while a mark arrives for every formula
of each finished block (far more than real solutions have), against the same stream without
marks; the longest flush must stay far under a frame.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Generator
from typing import Any, ClassVar

import pytest

from desktop_app.core.check_worker import run_check
from desktop_app.core.events import AnswerDelta, Event
from desktop_app.core.step_stream import StepChecks
from tests.bench.test_answer_stream_bench import TimedView, math_answer, run_stream

pytestmark = pytest.mark.bench

TRIES = 5


def deltas_of(parts: list[str]) -> Generator[Event, None, str]:
    for part in parts:
        yield AnswerDelta(part)
    return "".join(parts)


def consume(parts: list[str], *, steps: bool) -> tuple[float, int]:
    """CPU seconds this thread spends passing the answer on, and the step results seen."""
    seen = 0
    started = time.thread_time()
    if steps:
        with StepChecks(threading.Event()) as checks:
            stream = checks.follow(deltas_of(parts))
            for event in stream:
                seen += not isinstance(event, AnswerDelta)
            spent = time.thread_time() - started
            seen += len(list(checks.finish()))  # waiting for the checker is not stream time
        return spent, seen
    for _event in deltas_of(parts):
        pass
    return time.thread_time() - started, seen


def derivation(tokens: int) -> list[str]:
    """A long answer of short derivations, each with steps the checker judges, as 4-character
    deltas (about one token each)."""
    block = (
        "Then $2x + 3 = 11$, so $2x = 8$ and $x = 4$; she sells 16 - 3 = 13 eggs, and "
        "$(x+1)^2 = x^2 + 2x + 1$ as expected.\n\n"
    )
    text = (block * (tokens * 4 // len(block) + 1))[: tokens * 4]
    return [text[i : i + 4] for i in range(0, len(text), 4)]


def test_cutting_and_handing_over_blocks_costs_the_stream_little() -> None:
    """GIVEN an 8k-token answer WHEN its deltas pass through the step checks THEN the passing
    thread spends a few microseconds more per delta (20 at most)."""
    parts = derivation(8000)
    run_check("equivalent", "1", "1", timeout=60)  # the checker is warm, as after token one
    bare, marked, results = [], [], 0
    for _ in range(TRIES):  # interleaved, the cheapest of each kept
        bare.append(consume(parts, steps=False)[0])
        spent, results = consume(parts, steps=True)
        marked.append(spent)
    base, with_steps = min(bare), min(marked)
    per_delta_us = (with_steps - base) / len(parts) * 1e6
    print(
        f"\npassing {len(parts)} deltas on: bare {base * 1e3:.1f} ms CPU, with step checks "
        f"{with_steps * 1e3:.1f} ms CPU (+{per_delta_us:.1f} us a delta), ratio "
        f"{with_steps / base:.2f}; {results} step results"
    )
    assert results > 0
    assert per_delta_us <= 20


class MarkingView(TimedView):
    """The stream of TimedView, with a mark shown for every formula of each finished block."""

    steps: ClassVar[list[tuple[int, int]]] = []

    def __init__(self) -> None:
        super().__init__()
        self._sent = 0
        self._next = 0

    def append_delta(self, text: str) -> None:
        super().append_delta(text)
        self._sent += len(text)
        while self._next < len(self.steps) and self.steps[self._next][1] + 2 <= self._sent:
            start, end = self.steps[self._next]
            self.show_step(start, end, "wrong" if self._next % 7 == 0 else "ok", "a reason")
            self._next += 1


def formula_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every $...$ formula whose block has ended (a blank line after it)."""
    spans = []
    for match in re.finditer(r"(?<![$\\])\$[^$\n]+\$", text):
        if text.find("\n\n", match.end()) >= 0:
            spans.append((match.start(), match.end()))
    return spans


def test_marks_arriving_while_streaming_cost_the_gui_thread_little(qtbot: Any) -> None:
    """GIVEN an 8k-token answer streaming in WHEN a mark arrives for every formula of each
    finished block THEN the GUI thread spends at most 1.5x its CPU time without marks, and no
    flush takes more than 50 ms."""
    deltas = math_answer(8000)
    MarkingView.steps = formula_spans("".join(deltas))
    run_stream(TimedView, deltas[:300], qtbot)  # warm-up: page load, MathJax start
    tries: dict[str, list[dict[str, float]]] = {"plain": [], "marked": []}
    for _ in range(TRIES):
        for name, view_type in (("plain", TimedView), ("marked", MarkingView)):
            qtbot.wait(300)  # let the page process finish typesetting the previous run
            tries[name].append(run_stream(view_type, deltas, qtbot))
    runs = {name: min(results, key=lambda run: run["cpu"]) for name, results in tries.items()}
    ratio = runs["marked"]["cpu"] / runs["plain"]["cpu"]
    stall = runs["marked"]["max_flush_cpu"]
    print(
        f"\n8k tokens, {len(MarkingView.steps)} marks: plain {runs['plain']['cpu'] * 1e3:.1f} ms "
        f"CPU, marked {runs['marked']['cpu'] * 1e3:.1f} ms CPU, ratio {ratio:.2f} (<= 1.5); "
        f"longest flush {stall * 1e3:.1f} ms CPU (<= 50)"
    )
    assert ratio <= 1.5
    assert stall <= 0.050

"""Step checks while the answer streams: blocks cut as they finish, checked off the stream's
thread in the checker process, results interleaved with the answer and all before its end."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from desktop_app.core import check_worker
from desktop_app.core.answer_blocks import BlockCutter, steps_text
from desktop_app.core.check_worker import CheckTimeout, run_check
from desktop_app.core.events import AnswerDelta, Event, FinalAnswer, StepChecked
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from desktop_app.core.step_extract import split_blocks
from desktop_app.core.step_stream import StepChecks

TEXTS = [
    "One.\n\nTwo $x = 1$.\n\n\nThree",
    "Prose\n```python\nx = 1\n\ny = 2\n```\nafter code\n\nnext block\n",
    "  \n\nleading blank\r\n\r\nwindows lines\r\nstill\r\n\r\nend",
    "a\rb\n\rc\u2028\u2028d\x0b\x0be\n \t\n~~~\ncode\n\n~~~\n\n",
    "$$\nx = 1\n\ny = 2\n$$\n\nlast line without newline",
    "",
    "\n\n\n",
]


def chunked(text: str, seed: int) -> list[str]:
    """`text` in random pieces of 1 to 9 characters, as a stream would deliver it."""
    rng, pieces, i = random.Random(seed), [], 0
    while i < len(text):
        step = rng.randint(1, 9)
        pieces.append(text[i : i + step])
        i += step
    return pieces


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("seed", range(6))
def test_cutting_a_stream_finds_exactly_the_blocks_of_the_whole_text(text: str, seed: int) -> None:
    """GIVEN a text streamed in random pieces WHEN cut as it arrives THEN the blocks (index,
    start, text) are those split_blocks finds in the whole text."""
    cutter = BlockCutter()
    found = [block for piece in chunked(text, seed) for block in cutter.feed(piece)]
    found += cutter.finish()
    assert found == split_blocks(text)


def test_a_block_is_cut_as_soon_as_the_blank_line_after_it_arrives() -> None:
    """GIVEN a paragraph WHEN the blank line after it arrives THEN it is finished at once."""
    cutter = BlockCutter()
    assert cutter.feed("So $2x = 8$.") == []
    assert cutter.feed("\n") == []
    (block,) = cutter.feed("\n")
    assert (block.index, block.start, block.text) == (0, 0, "So $2x = 8$.\n")


def test_code_and_output_are_blanked_out_keeping_every_offset() -> None:
    """GIVEN a TIR block with code and output WHEN its steps text is taken THEN the fenced
    lines are spaces of the same length and the prose around them is unchanged."""
    block = "Compute:\n```python\nprint(2 + 2 == 5)\n```\n```output\n1 + 1 = 3\n```\nSo $x = 4$.\n"
    text = steps_text(block)
    assert len(text) == len(block)
    assert text.startswith("Compute:\n")
    assert text.endswith("So $x = 4$.\n")
    assert "print" not in text
    assert "1 + 1 = 3" not in text
    assert "```" not in text
    assert text.count("\n") == block.count("\n")


# -- checking in the checker process ------------------------------------------------------------

SOLUTION = [
    "We solve $2x + 3 = 11$.\n\n",
    "Subtract 3: $2x = 8$, so $x = 4$.\n\n",
    "Check: $2x + 3 = 2(4) + 3 = 12$.\n\n",
    "The answer is $\\boxed{4}$.",
]


@pytest.fixture
def warm_checker() -> None:
    """The shared checker started and ready, so block checks take milliseconds."""
    assert run_check("equivalent", "1", "1", timeout=60) is True


def slow(parts: list[str], pause: float) -> Generator[Event, None, str]:
    """The answer as one-character deltas, `pause` seconds apart; returns the whole text."""
    for part in parts:
        for ch in part:
            time.sleep(pause)
            yield AnswerDelta(ch)
    return "".join(parts)


def test_results_arrive_while_the_answer_streams_and_the_rest_before_it_ends(
    warm_checker: None,
) -> None:
    """GIVEN an answer streamed slowly WHEN its blocks are checked as they finish THEN a step
    result comes between the answer's deltas, the rest after the last delta, and each
    result's offsets point at its formula in the answer."""
    checks = StepChecks(threading.Event())
    with checks:
        stream = checks.follow(slow(SOLUTION, 0.02))
        events: list[Event] = []
        while True:
            try:
                events.append(next(stream))
            except StopIteration as stop:
                answer = stop.value
                break
        during = [e for e in events if isinstance(e, StepChecked)]
        events += list(checks.finish())
    steps = [e for e in events if isinstance(e, StepChecked)]
    assert answer == "".join(SOLUTION)
    assert during, "no result came while the answer streamed"
    last_delta = max(i for i, e in enumerate(events) if isinstance(e, AnswerDelta))
    assert events.index(during[0]) < last_delta
    assert [(s.before, s.after, s.verdict) for s in steps] == [
        ("2x + 3 = 11", "2x = 8", "ok"),
        ("2x = 8", "x = 4", "ok"),
        ("2x + 3", "2(4) + 3", "ok"),
        ("2(4) + 3", "12", "wrong"),
    ]
    assert steps[3].reason == "the left side is 11, the right side is 12"
    assert answer[steps[0].start : steps[0].end] == "$2x = 8$"
    assert answer[steps[3].start : steps[3].end] == "$2x + 3 = 2(4) + 3 = 12$"
    assert not [t for t in threading.enumerate() if t.name == "step-checks"]


def test_what_a_block_found_survives_a_checker_restart(warm_checker: None) -> None:
    """GIVEN x = 4 found in one block WHEN the checker process is killed before the next block
    THEN a new checker judges that block with x = 4 still known (the substitution is wrong)."""
    calls: list[int | None] = []

    def kill_after_first(task: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(check_worker.shared_worker().pid)
        if len(calls) == 2:  # the child that checked block one dies before block two
            os.kill(calls[0] or 0, signal.SIGKILL)
            time.sleep(0.2)  # dead by the time the next check asks
        return run_check(task, *args, **kwargs)

    parts = ["We find $x = 4$.\n\n", "So $x^2 + 1 = 4^2 - 1$.\n"]
    with StepChecks(threading.Event(), check=kill_after_first) as checks:
        list(checks.follow(slow(parts, 0)))
        (step,) = checks.finish()
    assert check_worker.shared_worker().pid not in (None, calls[0])
    assert (step.verdict, step.before, step.after) == ("wrong", "x^2 + 1", "4^2 - 1")
    assert step.reason == "with x = 4 (found above) the left side is 17, the right side is 15"


def test_an_overrun_block_costs_only_its_own_marks() -> None:
    """GIVEN a check that overruns on one block WHEN the answer is checked THEN that block has
    no results, the next block is still checked, and the answer is complete."""
    seen: list[int] = []

    def check(task: str, text: str, index: int, *args: Any, **kwargs: Any) -> Any:
        seen.append(index)
        if index == 0:
            raise CheckTimeout("The check took too long and was stopped.")
        return {"steps": [["ok", "a", "b", "fine", "identity", 10, 12]], "context": "t1"}

    with StepChecks(threading.Event(), check=check) as checks:
        answer = yield_all(checks.follow(slow(["$a = b$\n\n", "$c = d$\n"], 0)))
        results = list(checks.finish())
    assert answer == "$a = b$\n\n$c = d$\n"
    assert seen == [0, 1]
    assert results == [StepChecked("a", "b", "ok", "fine", 10, 12)]
    assert checks.skipped == 1


def test_blocks_past_the_answer_budget_are_left_unchecked() -> None:
    """GIVEN checks that each take a second and a three-second budget WHEN ten blocks finish
    THEN at most four are checked and the rest are skipped without waiting."""
    clock = [0.0]
    seen: list[int] = []

    def check(task: str, text: str, index: int, *args: Any, **kwargs: Any) -> Any:
        seen.append(index)
        clock[0] += 1.0
        return {"steps": [], "context": None}

    parts = [f"$x_{i} = {i}$\n\n" for i in range(10)]
    with StepChecks(threading.Event(), check=check, budget_s=3.0, clock=lambda: clock[0]) as c:
        yield_all(c.follow(slow(parts, 0)))
        assert list(c.finish()) == []
    assert seen == [0, 1, 2]
    assert c.skipped == 7


def test_code_and_output_blocks_are_not_steps() -> None:
    """GIVEN a TIR answer whose code and output hold false 'equations' WHEN checked THEN only
    the prose is sent to the checker."""
    sent: list[str] = []

    def check(task: str, text: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(text)
        return {"steps": [], "context": "t"}

    answer = [
        "```python\nprint(2 + 2 == 5)\n```\n\n",
        "```output\n1 + 1 = 3\n```\n\n",
        "Prose with code:\n```python\nx = 1 + 1 = 3\n```\nso $x = 2$.\n",
    ]
    with StepChecks(threading.Event(), check=check) as checks:
        yield_all(checks.follow(slow(answer, 0)))
        list(checks.finish())
    assert len(sent) == 1
    assert sent[0].startswith("Prose with ")
    assert sent[0].endswith("so $x = 2$.\n")
    assert "1 + 1 = 3" not in sent[0]


def test_closing_mid_answer_stops_the_check_and_joins_the_thread() -> None:
    """GIVEN a check under way WHEN the consumer stops listening THEN the check is told to stop
    and no step thread is left."""
    started, stopped = threading.Event(), threading.Event()

    def check(task: str, *args: Any, cancel: threading.Event, **kwargs: Any) -> Any:
        started.set()
        while not cancel.is_set():
            time.sleep(0.01)
        stopped.set()
        raise check_worker.CheckCancelled("The check was stopped.")

    checks = StepChecks(threading.Event(), check=check)
    stream = checks.follow(slow(["$a = b$\n\n", "more text " * 50], 0.001))
    for _ in range(12):
        next(stream)
    assert started.wait(5)
    stream.close()
    checks.close()
    assert stopped.is_set()
    assert not [t for t in threading.enumerate() if t.name == "step-checks"]


def yield_all(stream: Generator[Event, None, str]) -> str:
    """Run a generator to its end; its return value."""
    while True:
        try:
            next(stream)
        except StopIteration as stop:
            return str(stop.value)


# -- in the pipeline ----------------------------------------------------------------------------


class Solver:
    def __init__(self, answer: str) -> None:
        self.answer = answer

    def solve(self, messages: Any, cancel: threading.Event, *, stop: Any = ()) -> Iterator[str]:
        yield from (self.answer[i : i + 5] for i in range(0, len(self.answer), 5))


def test_the_pipeline_yields_step_checks_before_the_final_answer(warm_checker: None) -> None:
    """GIVEN a solution with a wrong step WHEN solved THEN its StepChecked events (offsets into
    the answer) come before FinalAnswer, which still judges the final answer."""
    answer = "".join(SOLUTION)
    solver = Solver(answer)
    backends = Backends(lambda: solver, lambda: solver, "r", "s")  # type: ignore[arg-type,return-value]
    request = SolveRequest(question="Solve $2x + 3 = 11$.")
    events = list(run_pipeline(request, backends, threading.Event()))
    steps = [e for e in events if isinstance(e, StepChecked)]
    final = next(e for e in events if isinstance(e, FinalAnswer))
    assert [s.verdict for s in steps] == ["ok", "ok", "ok", "wrong"]
    assert max(events.index(s) for s in steps) < events.index(final)
    assert (final.answer, final.check) == ("4", "verified")
    wrong = steps[-1]
    assert answer[wrong.start : wrong.end] == "$2x + 3 = 2(4) + 3 = 12$"

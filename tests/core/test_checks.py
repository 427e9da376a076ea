"""The stage after the answer: a finished solution becomes its checked FinalAnswer; in TIR
the code's output is a second check, and either contradiction wins."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core.checks import check_solution, combine
from desktop_app.core.events import FinalAnswer
from desktop_app.core.verify import Verdict

CODE = "```python\nprint(1/3)\n```\n"


def final(problem: str, solution: str) -> FinalAnswer | None:
    events = list(check_solution(problem, solution, threading.Event()))
    assert len(events) <= 1
    return events[0] if events else None  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("solution", "answer", "check"),
    [
        (
            CODE + "```output\n0.3333333333333333\n```\nSo \\boxed{\\frac{1}{3}}.",
            "\\frac{1}{3}",
            "verified",
        ),
        (CODE + "```output\n0.25\n```\nSo \\boxed{\\frac{1}{3}}.", "\\frac{1}{3}", "contradicted"),
        (CODE + "```output\n[-2, 2]\n```\n\\boxed{2, -2}", "2, -2", "verified"),
        (CODE + "```output\nx**2 + 1\n```\n\\boxed{x^2+1}", "x^2+1", "verified"),
        (
            CODE + "```output\nsqrt(2)/2\n```\n\\boxed{\\frac{\\sqrt{2}}{2}}",
            "\\frac{\\sqrt{2}}{2}",
            "verified",
        ),
        (CODE + "```output\n1e-07\n```\n\\boxed{10^{-7}}", "10^{-7}", "verified"),
        (CODE + "```output\nthe roots\n```\n\\boxed{7}", "7", "unchecked"),
        (CODE + "```output\nTimeoutError: stopped\n```\n\\boxed{7}", "7", "unchecked"),
        (CODE + "```output\n__import__('os').system('true')\n```\n\\boxed{0}", "0", "unchecked"),
        ("No code at all. \\boxed{5}", "5", "unchecked"),
        (CODE + "```output\n1\n```\n" + CODE + "```output\n6\n```\n\\boxed{6}", "6", "verified"),
        (CODE + "```output\nx=1\n8\n```\n\\boxed{8}", "8", "verified"),
    ],
)
def test_the_code_output_checks_a_tir_answer(solution: str, answer: str, check: str) -> None:
    """GIVEN a TIR solution to a problem with nothing to recompute THEN its last printed
    value decides: equal is verified, a different plain number is contradicted."""
    event = final("A question in words only.", solution)
    assert event is not None
    assert (event.answer, event.check) == (answer, check)
    assert event.reason


def test_no_final_answer_no_event() -> None:
    """GIVEN a solution without a boxed answer THEN no FinalAnswer."""
    assert final("Solve $x + 1 = 3$.", "x is 2") is None


def test_a_cot_answer_is_checked_against_the_problem() -> None:
    """GIVEN a step-by-step answer to an equation THEN the problem itself checks it."""
    event = final("Solve $x^2 - 5x + 6 = 0$.", "Factor: $(x-2)(x-3)=0$, so $x = \\boxed{2}$.")
    assert event == FinalAnswer("2", "contradicted", "x = 3 also solves x^2 - 5x + 6 = 0.")


def test_the_problem_contradicts_what_the_code_confirmed() -> None:
    """GIVEN code that printed the same wrong value as the boxed answer THEN the problem's
    own check contradicts it, and the contradiction wins."""
    solution = "```python\nprint(4)\n```\n```output\n4\n```\nSo \\boxed{4}."
    event = final("Solve $x + 1 = 3$.", solution)
    assert event is not None
    assert event.check == "contradicted"
    assert event.reason == "x = 4 gives x + 1 = 5, not 3."


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("verified", "contradicted", "contradicted"),
        ("contradicted", "verified", "contradicted"),
        ("unchecked", "verified", "verified"),
        ("verified", "unchecked", "verified"),
        ("unchecked", "unchecked", "unchecked"),
    ],
)
def test_combine(first: str, second: str, expected: str) -> None:
    """GIVEN two checks of one answer THEN a contradiction wins, then a verification."""
    a, b = Verdict(first, "a."), Verdict(second, "b.")  # type: ignore[arg-type]
    result = combine(a, b)
    assert result == expected
    assert result.reason == ("a." if result is a else "b.")


def test_a_cancel_during_the_check_keeps_the_answer_unchecked() -> None:
    """GIVEN a cancel already set THEN the answer still comes, marked unchecked."""
    cancel = threading.Event()
    cancel.set()
    (event,) = list(check_solution("Solve $x + 1 = 3$.", "\\boxed{2}", cancel))
    assert event == FinalAnswer("2", "unchecked", "The check was stopped.")

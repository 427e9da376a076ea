"""The stage after the answer: a finished solution becomes its checked FinalAnswer; in TIR
the code's output is a second check, and either contradiction wins; then the problem's plot."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core.checks import check_solution, combine, plot_event
from desktop_app.core.events import FinalAnswer, PlotPoint, PlotReady
from desktop_app.core.plots import PlotSpec
from desktop_app.core.verify import Verdict

CODE = "```python\nprint(1/3)\n```\n"


def final(problem: str, solution: str) -> FinalAnswer | None:
    events = [
        e
        for e in check_solution(problem, solution, threading.Event())
        if isinstance(e, FinalAnswer)
    ]
    assert len(events) <= 1
    return events[0] if events else None


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


def test_a_function_problem_gets_its_plot_after_the_final_answer() -> None:
    """GIVEN a solved problem about a function THEN the final answer comes first, then its plot:
    the function, its roots marked, and the whole spec for views and history."""
    events = list(
        check_solution(
            "Find the roots of $f(x) = x^2 - 5x + 6$.",
            "Factor: $(x-2)(x-3)=0$, so the roots are $\\boxed{2, 3}$.",
            threading.Event(),
        )
    )
    assert [type(e) for e in events] == [FinalAnswer, PlotReady]
    plot = events[1]
    assert isinstance(plot, PlotReady)
    assert plot.functions == ("x^2 - 5x + 6",)
    assert {PlotPoint(2, 0, "(2, 0)"), PlotPoint(3, 0, "(3, 0)")} <= set(plot.points)
    assert plot.x_range[0] < 2 < 3 < plot.x_range[1]
    spec = PlotSpec.from_json(plot.spec)
    assert spec.series[0].text == "x^2 - 5x + 6"
    assert len(spec.series[0].x) > 100  # sampled, not just named


@pytest.mark.parametrize(
    "problem",
    [
        "Tom has 3 apples and buys 5 more. How many apples does he have now?",
        "How many ways can 4 books be arranged on a shelf?",
        "What is the remainder when $2^{10}$ is divided by 7?",
    ],
)
def test_nothing_to_draw_no_plot(problem: str) -> None:
    """GIVEN a word problem, a count, a remainder THEN the final answer comes, and no plot."""
    events = list(check_solution(problem, "So it is $\\boxed{8}$.", threading.Event()))
    assert [type(e) for e in events] == [FinalAnswer]


def test_a_sketch_without_a_boxed_answer_still_gets_its_plot() -> None:
    """GIVEN a 'sketch the graph' problem whose solution boxes nothing THEN no final answer,
    but the plot comes, its curve broken at both poles."""
    events = list(
        check_solution(
            "Sketch the graph of $f(x) = \\frac{1}{x^2-1}$.",
            "The graph has vertical asymptotes at $x = \\pm 1$.",
            threading.Event(),
        )
    )
    assert [type(e) for e in events] == [PlotReady]
    spec = PlotSpec.from_json(events[0].spec)  # type: ignore[union-attr]
    assert sorted(spec.asymptotes) == [-1.0, 1.0]


def test_a_plot_past_its_deadline_is_left_out() -> None:
    """GIVEN a plot that cannot finish in its time THEN there is simply no plot event (the
    checker is stopped and the next check starts a fresh one)."""
    cancel = threading.Event()
    assert plot_event("Graph $y = x^2$.", None, cancel, timeout=0.0005) is None
    assert plot_event("Graph $y = x^2$.", None, cancel) is not None

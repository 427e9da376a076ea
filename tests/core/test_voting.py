"""Self-consistency's vote: final answers grouped by what they mean (math-verify, in the
checker process with a deadline), the biggest group wins, ties go to the earliest."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.core import voting
from desktop_app.core.errors import Cancelled
from desktop_app.core.events import SampleAnswer
from desktop_app.core.voting import group_final_answers, tally, vote

RUNAWAY = "9^{9^{9^{9}}}"  # SymPy would compute this integer for ever


def test_half_and_point_five_are_one_group() -> None:
    """GIVEN \\frac{1}{2}, 0.5, 1/2 and 3 THEN the first three are one group, 3 another."""
    groups, by_equivalence = group_final_answers(["\\frac{1}{2}", "0.5", "1/2", "3"])
    assert groups == [0, 0, 0, 1]
    assert by_equivalence


@pytest.mark.parametrize(
    ("answers", "groups"),
    [
        (["x = 2", "2", "\\{2\\}"], [0, 0, 0]),
        (["(1, 2)", "[1, 2]", "(1,2)"], [0, 1, 0]),  # brackets matter
        (["073", "55", "73"], [0, 1, 0]),  # leading zeros are digits
        (["10000", "10001"], [0, 1]),  # integers compare exactly
        (["2, 3", "3, 2", "2"], [0, 0, 1]),  # a solution list is a set
    ],
)
def test_grouping_follows_answer_equivalence(answers: list[str], groups: list[int]) -> None:
    """GIVEN answers written differently THEN they group exactly as equivalence says."""
    assert group_final_answers(answers)[0] == groups


def test_missing_answers_have_no_group_and_same_text_never_reaches_the_checker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN answers that differ only in spaces, and missing ones THEN grouped without the
    checker, the missing ones in no group."""

    def no_checker(*args: object, **kwargs: object) -> object:
        raise AssertionError("the checker was asked")

    monkeypatch.setattr("desktop_app.core.check_worker.run_check", no_checker)
    groups, by_equivalence = group_final_answers(["x+1", None, "x + 1", None])
    assert groups == [0, None, 0, None]
    assert by_equivalence


def test_the_majority_is_the_biggest_groups_first_sample() -> None:
    """GIVEN groups [0, 1, 1, 0, 1] THEN group 1 wins with 3 votes; its first sample is #1."""
    assert tally([0, 1, 1, 0, 1]) == (1, 3)


def test_a_tie_goes_to_the_group_that_appeared_first() -> None:
    """GIVEN two groups of two THEN the one whose first sample came first wins."""
    assert tally([None, 1, 0, 0, 1]) == (1, 2)  # first to appear wins, whatever its number
    assert tally([0, 1, 1, 0]) == (0, 2)


def test_no_answers_at_all() -> None:
    """GIVEN no sample with a final answer THEN the first sample is shown, with no votes."""
    assert tally([None, None]) == (0, 0)
    voted = vote(["I am not sure.", "Perhaps 2?"])
    assert (voted.majority, voted.votes) == (0, 0)
    assert [s.group for s in voted.samples] == [None, None]


def test_vote_keeps_every_sample_in_order_with_its_group() -> None:
    """GIVEN four solutions THEN the vote lists each with its answer and group."""
    solutions = [
        "Half: $\\boxed{\\frac{1}{2}}$",
        "So $\\boxed{3}$",
        "Decimal: $\\boxed{0.5}$",
        "No idea.",
    ]
    voted = vote(solutions)
    assert voted.samples == (
        SampleAnswer(solutions[0], "\\frac{1}{2}", 0),
        SampleAnswer(solutions[1], "3", 1),
        SampleAnswer(solutions[2], "0.5", 0),
        SampleAnswer(solutions[3], None, None),
    )
    assert (voted.majority, voted.votes, voted.by_equivalence) == (0, 2, True)


def test_a_grouping_past_its_deadline_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN an answer SymPy would compute for ever WHEN grouped THEN the deadline stops it,
    and the answers are grouped by their text, saying so."""
    monkeypatch.setattr(voting, "GROUP_TIMEOUT_S", 2.0)
    started = time.monotonic()
    groups, by_equivalence = group_final_answers(["1", RUNAWAY, "1.0", "1"])
    assert time.monotonic() - started < 15
    assert groups == [0, 1, 2, 0]
    assert not by_equivalence


def test_a_cancel_during_grouping_is_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a long grouping WHEN cancelled THEN Cancelled, at once."""
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        group_final_answers(["1", RUNAWAY], cancel)
    assert time.monotonic() - started < 10

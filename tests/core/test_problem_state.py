"""The problem state the window and its answer run share, and what a request reads."""

from __future__ import annotations

from desktop_app.core.problem_state import ProblemState
from desktop_app.core.solve_request import SolveRequest


def test_a_request_reads_an_image_only_when_it_has_one_and_no_transcript() -> None:
    """GIVEN requests with and without an image or transcript THEN only an image without a
    transcript of it sends the reader to work."""
    assert SolveRequest(image=b"png").reads_image
    assert not SolveRequest(image=b"png", transcript="Solve $x$.").reads_image
    assert not SolveRequest(question="1+1").reads_image
    assert not SolveRequest(transcript="").reads_image


def test_a_new_image_starts_afresh_and_an_opened_conversation_continues() -> None:
    """GIVEN an open conversation WHEN a new image comes THEN no conversation is open and the
    image is the problem; WHEN one is opened THEN it is, without an image."""
    state = ProblemState(conversation_id="c1")
    state.new_problem(b"png")
    assert (state.conversation_id, state.image) == (None, b"png")
    state.open("c2")
    assert (state.conversation_id, state.image) == ("c2", None)
    state.new_problem()
    assert (state.conversation_id, state.image) == (None, None)


def test_requests_take_the_chosen_mode_and_samples() -> None:
    """GIVEN TIR and 4 samples chosen WHEN a request is prepared THEN it carries both."""
    state = ProblemState(mode="tir", samples=4)
    request = state.prepare(SolveRequest(question="x?"))
    assert (request.mode, request.samples, request.question) == ("tir", 4, "x?")


def test_the_run_saved_last_becomes_the_open_conversation() -> None:
    """GIVEN a new problem's run WHEN it is saved THEN its conversation is the open one, and
    Regenerate would repeat that run."""
    state = ProblemState()
    state.new_problem(b"png")
    run = state.begin(SolveRequest(image=b"png"), None, "")
    state.saved(run, "c1")
    assert state.conversation_id == "c1"
    assert state.last_run is run


def test_a_late_save_never_takes_over_another_conversation() -> None:
    """GIVEN a run, then another run, or another conversation opened WHEN the first run's save
    arrives late THEN the open conversation stays what the user chose."""
    state = ProblemState()
    first = state.begin(SolveRequest(question="a"), None)
    second = state.begin(SolveRequest(question="b"), None)
    state.saved(first, "c1")
    assert state.conversation_id is None
    state.open("c9")
    state.saved(second, "c2")
    assert state.conversation_id == "c9"
    follow_up = state.begin(SolveRequest(question="c"), "c9")
    state.saved(follow_up, "c9")
    assert state.conversation_id == "c9"

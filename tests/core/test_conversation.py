"""Follow-up messages: real multi-turn memory, oldest turns dropped first, the problem kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import prompts
from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.conversation import (
    DEFAULT_BUDGET_TOKENS,
    MAX_INPUT_TOKENS,
    MESSAGE_OVERHEAD_TOKENS,
    approx_tokens,
    conversation_markdown,
    count_message_tokens,
    follow_up,
    followup_messages,
    question_markdown,
)

TRANSCRIPT = "Solve $x^2 - 5x + 6 = 0$."


def words(text: str) -> int:
    """A counter tests can reason about: one token per word."""
    return len(text.split())


def roles(messages: list[ChatMessage]) -> list[str]:
    return [m["role"] for m in messages]


def test_no_turns_is_a_first_solve() -> None:
    """GIVEN no earlier turns WHEN asking THEN the messages equal a first solve's."""
    assert followup_messages(TRANSCRIPT, [], "Find x.") == prompts.solver_messages(
        TRANSCRIPT, "Find x."
    )


def test_turns_alternate_after_the_problem() -> None:
    """GIVEN two answered turns WHEN following up THEN user/assistant alternate, oldest first."""
    turns = [("Find x.", "x = 2 or x = 3"), ("Which is larger?", "3")]
    messages = followup_messages(TRANSCRIPT, turns, "Square it.", "tir")
    assert roles(messages) == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == prompts.TIR_SYSTEM_PROMPT
    assert messages[1]["content"] == prompts.problem_text(TRANSCRIPT, "Find x.")
    assert [m["content"] for m in messages[2:]] == [
        "x = 2 or x = 3",
        "Which is larger?",
        "3",
        "Square it.",
    ]


def test_oldest_turns_are_dropped_first_and_the_problem_kept() -> None:
    """GIVEN turns that overflow the budget WHEN following up THEN the oldest go first."""
    turns = [(f"q{i}", " ".join(["w"] * 10)) for i in range(5)]
    # system 10 words + problem; each kept turn costs ~11 words + 2 * overhead.
    messages = followup_messages(TRANSCRIPT, turns, "last", budget_tokens=70, count_tokens=words)
    assert count_message_tokens(messages, words) <= 70
    assert TRANSCRIPT.strip() in messages[1]["content"]
    user_texts = [m["content"] for m in messages if m["role"] == "user"]
    assert user_texts[-1] == "last"
    assert "q4" in user_texts[0]
    assert "q0" not in " ".join(user_texts)
    assert roles(messages)[1:] == ["user", "assistant"] * ((len(messages) - 2) // 2) + ["user"]


def test_everything_dropped_leaves_the_problem_and_the_new_question() -> None:
    """GIVEN a tiny budget WHEN following up THEN only the problem and new question remain."""
    turns = [("Find x.", "long " * 500)]
    messages = followup_messages(TRANSCRIPT, turns, "Again?", budget_tokens=1)
    assert messages == prompts.solver_messages(TRANSCRIPT, "Again?")


def test_a_typed_problem_survives_dropping_its_turn() -> None:
    """GIVEN a text-only problem WHEN its first turn is dropped THEN its text is kept."""
    turns = [("Compute 17 * 23.", "391 " * 400), ("Now double it.", "782")]
    messages = followup_messages("", turns, "Halve that.", budget_tokens=200)
    assert messages[1]["content"].startswith("Compute 17 * 23.")
    assert "Now double it." in messages[1]["content"]
    assert [m["content"] for m in messages[2:]] == ["782", "Halve that."]


def test_unanswered_turns_are_left_out() -> None:
    """GIVEN a failed turn with no answer WHEN following up THEN no empty assistant message."""
    turns = [("Find x.", "x = 2"), ("Oops", "  "), ("Check it", "ok")]
    messages = followup_messages(TRANSCRIPT, turns, "Next")
    assert all(m["content"] for m in messages)
    assert [m["content"] for m in messages[2:]] == ["x = 2", "Check it", "ok", "Next"]


def test_default_budget_leaves_room_under_the_input_limit() -> None:
    """GIVEN long answers WHEN following up with defaults THEN the estimate stays in budget."""
    answer = "We have $\\frac{a}{b} + \\sqrt{c}$ and so on. " * 60
    turns = [(f"Question {i}", answer) for i in range(10)]
    messages = followup_messages(TRANSCRIPT, turns, "More?")
    assert count_message_tokens(messages) <= DEFAULT_BUDGET_TOKENS < MAX_INPUT_TOKENS
    assert len(messages) > 2  # the newest turns are kept, not all dropped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 1),
        ("1234567890", 10),  # Qwen splits numbers into single digits
        ("\\frac{1}{2}", 2 + 3),  # 2 digits + 9 other characters / 3.2
        ("x" * 32, 10),
    ],
)
def test_approx_tokens(text: str, expected: int) -> None:
    """GIVEN text WHEN estimating THEN digits count one each, the rest ~3.2 chars a token."""
    assert approx_tokens(text) == expected


def test_message_overhead_is_counted() -> None:
    """GIVEN messages WHEN counting THEN each adds the ChatML framing."""
    messages = prompts.solver_messages("", "a b c")
    assert (
        count_message_tokens(messages, words)
        == words(prompts.COT_SYSTEM_PROMPT) + 3 + 2 * MESSAGE_OVERHEAD_TOKENS
    )


def test_conversation_markdown_shows_problem_then_each_turn() -> None:
    """GIVEN a problem with two turns WHEN shown THEN problem, questions and answers in order."""
    text = conversation_markdown(
        TRANSCRIPT, [("Find x.", "x = 2"), ("", ""), ("Why?\nBe brief", "ok")]
    )
    assert text == (
        f"**Problem.** {TRANSCRIPT}\n\n---\n\n> Find x.\n\nx = 2\n\n---\n\n"
        "_No answer was saved._\n\n---\n\n> Why?\n> Be brief\n\nok"
    )
    assert question_markdown("") == ""


def test_a_follow_up_carries_the_answered_turns_and_shows_them_above(tmp_path: Path) -> None:
    """GIVEN a saved conversation with an answered and an unanswered turn WHEN a question
    follows up THEN the request has the transcript and only the answered turn as memory, reads
    no image, and the Markdown shown meanwhile ends with the new question."""
    from desktop_app.core.history.store import HistoryStore

    with HistoryStore(tmp_path / "history.sqlite3") as store:
        conversation_id = store.create_conversation(None, TRANSCRIPT)
        answered = store.add_turn(conversation_id, "")
        store.update_turn(answered, answer="$\\boxed{2, 3}$", status="complete")
        store.add_turn(conversation_id, "Stopped early?")  # no answer: not memory
        request, shown = follow_up(store.get(conversation_id), "Check the roots.")
    assert request.transcript == TRANSCRIPT
    assert request.question == "Check the roots."
    assert request.history == (("", "$\\boxed{2, 3}$"),)
    assert not request.reads_image
    assert shown.startswith("$\\boxed{2, 3}$")
    assert shown.endswith("> Check the roots.\n\n")

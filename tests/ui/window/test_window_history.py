"""History in the window: solved problems are saved, listed, reopened and continued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import KeyPrompt, run_js, wait_js
from tests.ui.helpers import drop_file, problem_file, shows_final

TRANSCRIPT = "Solve $x + 1 = 3$."


def shown_text(qtbot: Any, window: Any) -> str:
    wait_js(qtbot, window.answer_view, "typesetIdle()")
    return str(run_js(qtbot, window.answer_view, "document.getElementById('answer').innerText"))


def test_solved_problem_is_saved_listed_and_continued_with_memory(
    qtbot: Any, window: Any, dashscope: FakeDashScope, store: Any, tmp_path: Path
) -> None:
    """GIVEN a solved image WHEN a follow-up is asked THEN the solver sees the earlier turn."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text("Subtract one: $\\boxed{2}$", endpoint="text")
    dashscope.script_text("Check: $2 + 1 = 3$. $\\boxed{2}$", endpoint="text")
    assert drop_file(window.drop_area, problem_file(tmp_path))
    qtbot.waitUntil(lambda: shows_final(window, "2"), timeout=20000)
    qtbot.waitUntil(lambda: store.count() == 1, timeout=5000)
    sidebar = window.history_sidebar
    qtbot.waitUntil(lambda: sidebar.model.rowCount() == 1, timeout=5000)
    conversation = store.get(store.list()[0].id)
    assert conversation.turns[0].answer == "Subtract one: $\\boxed{2}$"
    assert conversation.turns[0].status == "complete"

    editor = window.question_edit
    editor.setPlainText("Can you check it?")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: len(dashscope.requests) == 3, timeout=10000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=10000)
    messages = dashscope.requests[-1].messages
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == TRANSCRIPT
    assert messages[2]["content"] == "Subtract one: $\\boxed{2}$"
    assert messages[3]["content"] == "Can you check it?"
    saved = store.get(conversation.id)
    assert [t.question for t in saved.turns] == ["", "Can you check it?"]
    assert store.count() == 1  # a follow-up is a turn, not a new conversation
    text = shown_text(qtbot, window)
    assert "Subtract one" in text  # the earlier turn stays above the new answer
    assert "Check:" in text


def test_clicking_an_entry_reopens_the_conversation(qtbot: Any, window: Any, store: Any) -> None:
    """GIVEN a saved conversation WHEN opened from the sidebar THEN it is shown rendered."""
    conversation_id = store.create_conversation(None, "Find $y$ if $2y = 8$.")
    turn = store.add_turn(conversation_id, "")
    store.update_turn(turn, answer="Divide by two: $y = \\boxed{4}$", status="complete")
    window.history_sidebar.refresh()
    sidebar = window.history_sidebar
    qtbot.waitUntil(lambda: sidebar.model.rowCount() == 1, timeout=5000)
    with qtbot.waitSignal(sidebar.conversation_opened, timeout=5000):
        sidebar.select(conversation_id)
        sidebar.conversation_opened.emit(conversation_id)
    assert window.transcript_editor.text() == "Find $y$ if $2y = 8$."
    qtbot.waitUntil(lambda: "Divide by two" in shown_text(qtbot, window), timeout=10000)
    count = run_js(qtbot, window.answer_view, "document.querySelectorAll('mjx-container').length")
    assert count >= 1


def test_a_follow_up_that_needed_a_key_stays_in_its_conversation(
    qtbot: Any,
    window: Any,
    dashscope: FakeDashScope,
    store: Any,
    key_prompt: KeyPrompt,
    monkeypatch: Any,
) -> None:
    """GIVEN a solved problem and then no key WHEN a follow-up is asked THEN the app asks for a
    key and runs the follow-up again as a turn of the same conversation, with its memory."""
    dashscope.script_text("$x = 2$, so $\\boxed{2}$", endpoint="text")
    dashscope.script_text("Check: $2 + 1 = 3$. $\\boxed{2}$", endpoint="text")
    window.question_edit.setPlainText(TRANSCRIPT)
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "2"), timeout=15000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=10000)  # run ended
    assert store.count() == 1
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    window.question_edit.setPlainText("Can you check it?")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: len(dashscope.requests) == 2, timeout=15000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=10000)
    assert key_prompt.calls == 1
    assert [m["role"] for m in dashscope.requests[-1].messages] == [
        "system",
        "user",
        "assistant",
        "user",
    ]
    assert store.count() == 1  # not a new conversation
    (conversation,) = store.list()
    turns = store.get(conversation.id).turns
    assert [(t.question, t.status) for t in turns] == [
        (TRANSCRIPT, "complete"),
        ("Can you check it?", "failed"),  # the try without a key is kept, as failures are
        ("Can you check it?", "complete"),
    ]
    assert "Check:" in shown_text(qtbot, window)
    assert "so" in shown_text(qtbot, window)  # the earlier turn stays above the new answer

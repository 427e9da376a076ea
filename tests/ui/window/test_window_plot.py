"""The plot in the window: it follows a solved answer, is saved with the conversation, comes
back when the conversation is reopened from the sidebar, and never for a word problem."""

from __future__ import annotations

import json
from typing import Any

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, run_js, wait_js
from tests.ui.helpers import shows_final

QUESTION = "Find the roots of $f(x) = x^2 - 5x + 6$."
ANSWER = "Factor: $(x-2)(x-3) = 0$, so the roots are $\\boxed{2, 3}$."
PLOT = "document.getElementById('plot')"
STATE = f"{PLOT} && {PLOT}.dataset.state !== 'loading' && {PLOT}.dataset.state"


def ask(qtbot: Any, window: Any, question: str) -> None:
    window.question_edit.setPlainText(question)
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=30000)


def open_from_sidebar(qtbot: Any, window: Any, conversation_id: str) -> None:
    sidebar = window.history_sidebar
    sidebar.refresh()
    qtbot.waitUntil(lambda: sidebar.model.rowCount() >= 1, timeout=5000)
    with qtbot.waitSignal(sidebar.conversation_opened, timeout=5000):
        sidebar.select(conversation_id)
        sidebar.conversation_opened.emit(conversation_id)


def plot_labels(qtbot: Any, window: Any) -> list[str]:
    """The marked points' labels, once Plotly has drawn them."""
    texts = (
        f"Array.from({PLOT}.querySelectorAll('.scatterlayer .textpoint text'), t => t.textContent)"
    )
    found = wait_js(qtbot, window.answer_view, f"{texts}.length && JSON.stringify({texts})")
    return list(json.loads(found))


def test_the_plot_follows_the_answer_and_comes_back_from_history(
    qtbot: Any, window: Any, dashscope: FakeDashScope, store: Any
) -> None:
    """GIVEN a question about a function WHEN solved THEN its plot appears under the final
    answer and is saved; a new problem clears it; reopening the conversation from the sidebar
    draws it again."""
    dashscope.script_text(ANSWER, endpoint="text")
    ask(qtbot, window, QUESTION)
    assert shows_final(window, "2, 3")
    view = window.answer_view
    assert wait_js(qtbot, view, STATE, timeout=30.0) == "plot"
    assert {"(2, 0)", "(3, 0)"} <= set(plot_labels(qtbot, window))
    (summary,) = store.list()
    saved = store.get(summary.id).turns[0].details["plot"]
    assert saved["functions"] == ["x^2 - 5x + 6"]

    window.new_conversation()
    wait_js(qtbot, view, f"{PLOT} === null")

    open_from_sidebar(qtbot, window, summary.id)
    assert wait_js(qtbot, view, STATE, timeout=30.0) == "plot"
    assert {"(2, 0)", "(3, 0)"} <= set(plot_labels(qtbot, window))
    wait_js(qtbot, view, "typesetIdle()")
    run_js(qtbot, view, f"{PLOT}.scrollIntoView({{block: 'end'}}); 1")
    qtbot.wait(300)
    (ARTIFACTS / "plots").mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "plots" / "window_reopened.png"))


def test_a_saved_plot_that_no_longer_loads_is_skipped(qtbot: Any, window: Any, store: Any) -> None:
    """GIVEN a conversation whose saved plot is damaged WHEN reopened THEN the answer shows,
    and no plot and no error."""
    conversation_id = store.create_conversation(None, QUESTION)
    turn = store.add_turn(conversation_id, "")
    damaged = {"plot": {"version": 1, "kind": "function", "series": "not a list"}}
    store.update_turn(turn, answer=ANSWER, status="complete", details=damaged)
    open_from_sidebar(qtbot, window, conversation_id)
    view = window.answer_view
    wait_js(qtbot, view, "document.getElementById('blocks').textContent.includes('Factor')")
    assert run_js(qtbot, view, f"{PLOT} === null")
    assert run_js(qtbot, view, "document.getElementById('notice').hidden")


def test_a_word_problem_gets_no_plot(qtbot: Any, window: Any, dashscope: FakeDashScope) -> None:
    """GIVEN a word problem WHEN solved THEN the final answer shows and no plot."""
    dashscope.script_text("He has $3 + 5 = \\boxed{8}$ apples.", endpoint="text")
    ask(qtbot, window, "Tom has 3 apples and buys 5 more. How many apples does he have?")
    assert shows_final(window, "8")
    assert run_js(qtbot, window.answer_view, f"{PLOT} === null")

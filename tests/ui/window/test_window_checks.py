"""The checks in the window, end to end: steps marked while the answer streams from the fake
DashScope, the card with its reason, and all of it again when the conversation is reopened."""

from __future__ import annotations

import json
import threading
from typing import Any

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, run_js, wait_js

QUESTION = "Solve $2x + 3 = 11$."
BLOCKS = [
    "We solve $2x + 3 = 11$.\n\n",
    "Subtract 3: $2x = 8$, so $x = 4$.\n\n",
    "Check: $2x + 3 = 2(4) + 3 = 12$.\n\n",
    "The answer is $\\boxed{4}$.",
]
REASON = "x = 4 solves 2x + 3 = 11, and there are no other solutions."
WRONG = "the left side is 11, the right side is 12"


def page(qtbot: Any, view: Any, script: str) -> Any:
    return json.loads(run_js(qtbot, view, f"JSON.stringify({script})"))


STATE = """{
    marks: Array.from(document.querySelectorAll('#blocks .step-mark'),
                      (m) => m.classList.contains('wrong') ? 'wrong' : 'ok'),
    wrongNote: (document.querySelector('.step-note.wrong') || {}).textContent,
    summary: (document.getElementById('step-summary') || {}).textContent,
    badge: (document.querySelector('#final .final-check') || {}).textContent,
    reason: (document.getElementById('final-reason') || {}).textContent,
    finalShown: !document.getElementById('final').hidden}"""


def test_steps_are_marked_while_the_answer_streams_and_again_when_reopened(
    qtbot: Any, window: Any, dashscope: FakeDashScope, store: Any
) -> None:
    """GIVEN a solution with a wrong step streaming slowly WHEN solved in the window THEN the
    first blocks' marks show before the answer has ended, then the summary and the verified
    card with its reason; reopened from the history, the same marks, summary and card."""
    # The last block comes 2.5 s after the others: the marks must not wait for it.
    dashscope.script_text(chunks=BLOCKS, delay=[0, 0.3, 0.3, 2.5], endpoint="text")
    window.question_edit.setPlainText(QUESTION)
    window.solve_action.trigger()
    view = window.answer_view
    wait_js(qtbot, view, "document.querySelectorAll('#blocks .step-mark').length >= 2", 20)
    early = page(qtbot, view, STATE)
    assert early["finalShown"] is False  # still streaming: no final answer yet
    assert window.answer_run.active
    qtbot.waitUntil(
        lambda: window.status_label.text() == "Final answer: 4 (verified by SymPy)", timeout=30000
    )
    qtbot.waitUntil(lambda: not window.answer_run.active, timeout=10000)
    wait_js(qtbot, view, "typesetIdle() && !document.querySelector('#tail *')")
    expected = {
        "marks": ["ok", "ok", "wrong"],  # 2x = 8, x = 4, and the chain (one ok link, one wrong)
        "wrongNote": WRONG,
        "summary": "4 steps checked, 1 wrong",
        "badge": "Verified by SymPy",
        "reason": REASON,
        "finalShown": True,
    }
    assert page(qtbot, view, STATE) == expected
    assert not [t for t in threading.enumerate() if t.name == "step-checks"]
    (saved,) = store.list()
    turn = store.get(saved.id).turns[0]
    assert [s["verdict"] for s in turn.details["steps"]] == ["ok", "ok", "ok", "wrong"]

    window.new_conversation()
    wait_js(qtbot, view, "!document.querySelector('#blocks .block')")
    window.open_conversation(saved.id)
    wait_js(qtbot, view, "typesetIdle() && document.querySelectorAll('.step-mark').length === 3")
    assert page(qtbot, view, STATE) == expected
    run_js(qtbot, view, "document.querySelector('.final-check').click()")
    run_js(qtbot, view, "document.querySelector('.step-mark.wrong').click()")
    assert page(qtbot, view, "document.getElementById('final-reason').hidden") is False
    assert page(qtbot, view, "document.querySelector('.step-note.wrong').hidden") is False
    qtbot.wait(300)  # let the compositor paint the typeset page
    (ARTIFACTS / "checks").mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "checks" / "window_reopened_light.png"))


def test_a_contradicted_answer_shows_its_reason_on_the_card(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN a wrong final answer WHEN solved THEN the card says Contradicted and, on click,
    the counterexample SymPy found."""
    dashscope.script_text("So $x = 5$, and the answer is $\\boxed{5}$.", endpoint="text")
    window.question_edit.setPlainText(QUESTION)
    window.solve_action.trigger()
    view = window.answer_view
    wait_js(qtbot, view, "!document.getElementById('final').hidden", 30)
    run_js(qtbot, view, "document.querySelector('.final-check').click()")
    state = page(qtbot, view, STATE)
    assert state["badge"] == "Contradicted"
    assert state["reason"] == "x = 5 gives 2x + 3 = 13, not 11."


def test_the_majority_answer_of_samples_has_its_steps_marked(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN 4 samples of the solution with a wrong step WHEN solved with the Samples choice
    THEN the majority answer shown gets the same marks, summary and verified card as one
    streamed answer, and no mark lands in the folded samples."""
    for _ in range(4):
        dashscope.script_text("".join(BLOCKS), endpoint="text")
    box = window.samples_box
    box.setCurrentIndex(box.findData(4))
    window.question_edit.setPlainText(QUESTION)
    window.solve_action.trigger()
    view = window.answer_view
    qtbot.waitUntil(lambda: not window.answer_run.active, timeout=60000)
    wait_js(qtbot, view, "typesetIdle() && document.querySelectorAll('.step-mark').length >= 3")
    state = page(qtbot, view, STATE)
    assert state["marks"] == ["ok", "ok", "wrong"]
    assert (state["wrongNote"], state["summary"]) == (WRONG, "4 steps checked, 1 wrong")
    assert (state["badge"], state["reason"]) == ("Verified by SymPy", REASON)
    assert page(qtbot, view, "document.querySelectorAll('.step-mark').length") == 3

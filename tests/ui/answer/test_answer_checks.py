"""The answer's checks in the view: the final answer's card (verified, contradicted, not
checked) with its reason on click, and each checked step marked beside its formula while the
answer streams: a quiet tick, or a red mark whose counterexample opens on click."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.ui.answer.checks import card_label, summary_text
from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import ARTIFACTS, run_js, wait_js
from tests.ui.helpers import has_ink

SHOTS = ARTIFACTS / "checks"

# A solution as the solver streams it, and its step checks as the pipeline reports them.
SOLUTION = (
    "We solve $2x + 3 = 11$ step by step.\n\n"
    "Subtract 3 from both sides: $2x = 8$, so $x = 4$.\n\n"
    "Check by substituting:\n\n$$2x + 3 = 2(4) + 3 = 12$$\n\n"
    "She then sells 16 - 3 = 13 eggs.\n\n"
    "The answer is $\\boxed{4}$."
)
WRONG_REASON = "the left side is 11, the right side is 12"


VIEW_SIZE = (760, 620)  # the view fixture's size (tests/ui/answer/conftest.py)


def step(formula: str, verdict: str, reason: str, text: str = SOLUTION) -> tuple[Any, ...]:
    """A step check of `formula` (where it first stands in `text`), as StepChecked carries it."""
    start = text.index(formula)
    return (start, start + len(formula), verdict, reason)


STEPS = [
    step("$2x = 8$", "ok", "same solutions as 2x + 3 = 11: x = 4"),
    step("$x = 4$", "ok", "same solutions as 2x = 8: x = 4"),
    step("$$2x + 3 = 2(4) + 3 = 12$$", "ok", "both sides are 11"),
    step("$$2x + 3 = 2(4) + 3 = 12$$", "wrong", WRONG_REASON),
    step("16 - 3 = 13", "ok", "both sides are 13"),
]


def page(qtbot: Any, view: AnswerView, script: str) -> Any:
    """A page expression's value, passed through JSON."""
    return json.loads(run_js(qtbot, view, f"JSON.stringify({script})"))


MARKS = """Array.from(document.querySelectorAll('#blocks .step-mark')).map((m) => {
    const block = m.closest('.block');
    const blocks = Array.from(document.querySelectorAll('#blocks > .block'));
    const beside = m.parentElement.classList.contains('step-gutter')
        ? m.parentElement.nextElementSibling : m.previousElementSibling;
    return {verdict: m.classList.contains('wrong') ? 'wrong' : 'ok', block: blocks.indexOf(block),
            beside: beside ? (beside.dataset.tex || beside.textContent) : null,
            title: m.title};
})"""


def marks(qtbot: Any, view: AnswerView) -> list[dict[str, Any]]:
    return list(page(qtbot, view, MARKS))


def stream(qtbot: Any, view: AnswerView, text: str, steps: list[tuple[Any, ...]]) -> None:
    """Stream `text` in small deltas and report each step once its block's text has gone out,
    as the pipeline does; the view flushes at its own pace in between."""
    pending = list(steps)
    for i in range(0, len(text), 4):
        view.append_delta(text[i : i + 4])
        sent = i + 4
        while pending and text.find("\n\n", pending[0][1]) + 2 <= sent:
            start, end, verdict, reason = pending.pop(0)
            view.show_step(start, end, verdict, reason)
        if i % 40 == 0:
            qtbot.wait(5)
    for start, end, verdict, reason in pending:  # the last block's, after the answer ended
        view.show_step(start, end, verdict, reason)


def finish(qtbot: Any, view: AnswerView, check: str, reason: str, steps: int, wrong: int) -> None:
    """End the answer as the window does: summary, card, then the last block."""
    view.show_step_summary(summary_text(steps, wrong), wrong)
    view.show_final("4", card_label(check), check, reason)
    view.finish()
    wait_js(qtbot, view, "typesetIdle() && !document.querySelector('#tail *')")


def shoot(qtbot: Any, view: AnswerView, name: str) -> Path:
    """Save a screenshot of the view under test-artifacts/checks/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(150)  # let the compositor paint the typeset page
    qtbot.waitUntil(lambda: has_ink(view.grab().toImage()), timeout=5000)
    path = SHOTS / f"{name}.png"
    assert view.grab().save(str(path))
    return path


# -- the final answer's card --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("check", "label", "reason"),
    [
        ("verified", "Verified by SymPy", "x = 4 solves 2x + 3 = 11, and there are no others."),
        ("contradicted", "Contradicted", "x = 4, y = 3 gives 2x + 3y = 17, not 16"),
        ("unchecked", "Not checked", "The problem asks for positive integers."),
    ],
)
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_card_says_how_the_answer_was_checked_and_why_on_click(
    qtbot: Any, view: AnswerView, check: str, label: str, reason: str, theme: str
) -> None:
    """GIVEN a final answer and its check WHEN shown THEN the card says Verified by SymPy,
    Contradicted or Not checked; its reason is hidden until the check is clicked."""
    view.set_theme(theme)
    view.set_markdown("Solve the system and check it.")
    view.show_final("4", card_label(check), check, reason)
    wait_js(qtbot, view, "typesetIdle() && !document.getElementById('final').hidden")
    card = page(
        qtbot,
        view,
        """{badge: document.querySelector('#final .final-check').textContent,
            kind: document.querySelector('#final .final-check').className,
            reason: document.getElementById('final-reason').textContent,
            hidden: document.getElementById('final-reason').hidden}""",
    )
    assert card == {"badge": label, "kind": f"final-check {check} has-reason", "reason": reason,
                    "hidden": True}  # fmt: skip
    run_js(qtbot, view, "document.querySelector('#final .final-check').click()")
    assert page(qtbot, view, "document.getElementById('final-reason').hidden") is False
    assert page(qtbot, view, "document.getElementById('final').innerText").count(reason) == 1
    if check != "unchecked":
        shoot(qtbot, view, f"card_{check}_{theme}")
    run_js(qtbot, view, "document.querySelector('#final .final-check').click()")
    assert page(qtbot, view, "document.getElementById('final-reason').hidden") is True


def test_a_card_without_a_reason_has_nothing_to_open(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a check with no reason WHEN shown THEN the badge is plain text, not a button."""
    view.show_final("4", card_label("unchecked"), "unchecked", "")
    wait_js(qtbot, view, "!document.getElementById('final').hidden")
    state = page(
        qtbot,
        view,
        """{reason: !!document.getElementById('final-reason'),
            role: document.querySelector('#final .final-check').getAttribute('role')}""",
    )
    assert state == {"reason": False, "role": None}


# -- the step marks -----------------------------------------------------------------------------


def test_streamed_steps_are_marked_beside_their_formulas(qtbot: Any, view: AnswerView) -> None:
    """GIVEN an answer streaming in WHEN its steps are reported block by block THEN each
    formula gets one mark beside it: ticks for the right ones, a red mark on the wrong one
    (its formula tinted), and a summary line above the final answer."""
    stream(qtbot, view, SOLUTION, STEPS)
    finish(qtbot, view, "verified", "x = 4 solves it.", steps=5, wrong=1)
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 4")
    assert marks(qtbot, view) == [
        {"verdict": "ok", "block": 1, "beside": "\\(2x = 8\\)", "title": "Step checked by SymPy"},
        {"verdict": "ok", "block": 1, "beside": "\\(x = 4\\)", "title": "Step checked by SymPy"},
        {
            "verdict": "wrong",
            "block": 3,
            "beside": "\\[2x + 3 = 2(4) + 3 = 12\\]",
            "title": "Wrong step: show the counterexample",
        },
        {"verdict": "ok", "block": 4, "beside": "16 - 3 = 13", "title": "Step checked by SymPy"},
    ]
    tinted = page(
        qtbot, view, "Array.from(document.querySelectorAll('.step-wrong'), (e) => e.dataset.tex)"
    )
    assert tinted == ["\\[2x + 3 = 2(4) + 3 = 12\\]"]
    summary = page(qtbot, view, "document.getElementById('step-summary').textContent")
    assert summary == "5 steps checked, 1 wrong"
    order = page(
        qtbot,
        view,
        "document.getElementById('step-summary').nextElementSibling.id === 'final'",
    )
    assert order is True
    shoot(qtbot, view, "steps_streamed_light")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_counterexample_opens_on_click(qtbot: Any, view: AnswerView, theme: str) -> None:
    """GIVEN a wrong step marked WHEN its mark is clicked THEN its counterexample shows (and
    only the wrong step's reason, not the tick's); a tick opens what was checked."""
    view.set_theme(theme)
    stream(qtbot, view, SOLUTION, STEPS)
    finish(qtbot, view, "verified", "x = 4 solves it.", steps=5, wrong=1)
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 4")
    assert page(qtbot, view, "document.querySelector('.step-note.wrong').hidden") is True
    run_js(qtbot, view, "document.querySelector('.step-mark.wrong').click()")
    note = page(
        qtbot,
        view,
        """{text: document.querySelector('.step-note.wrong').innerText,
            hidden: document.querySelector('.step-note.wrong').hidden,
            expanded: document.querySelector('.step-mark.wrong').getAttribute('aria-expanded')}""",
    )
    assert note == {"text": WRONG_REASON, "hidden": False, "expanded": "true"}
    shoot(qtbot, view, f"step_wrong_open_{theme}")
    run_js(qtbot, view, "document.querySelector('.step-mark.ok').click()")
    tick = page(qtbot, view, "document.querySelector('.step-note.ok:not([hidden])').innerText")
    assert tick == "same solutions as 2x + 3 = 11: x = 4"


def test_a_step_in_the_streaming_tail_waits_for_its_block(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a step reported while its block is still the page's unfinished tail WHEN more
    text finishes the block THEN the mark appears, beside the right formula."""
    first = "So $2x = 8$ here.\n\n"
    view.append_delta(first)
    view.show_step(3, 11, "wrong", "at x = 1 the left side is 2, the right side is 8")
    wait_js(qtbot, view, "document.getElementById('tail').textContent.includes('here')")
    assert marks(qtbot, view) == []  # the block is still the tail: nothing to mark yet
    view.append_delta("Next block")
    view.flush()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    assert marks(qtbot, view)[0]["beside"] in ("2x = 8", "\\(2x = 8\\)")


def test_steps_after_earlier_turns_are_placed_in_the_new_answer(
    qtbot: Any, view: AnswerView
) -> None:
    """GIVEN earlier turns shown above a new answer WHEN a step of the new answer is reported
    with offsets into that answer THEN it is marked there, not in the earlier text."""
    view.set_markdown("Earlier: $2x = 8$ was fine.")
    answer = "Now $2x = 8$ again.\n\nDone."
    view.append_delta(answer)
    view.show_step(4, 12, "wrong", "made up")
    view.finish()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    assert [m["block"] for m in marks(qtbot, view)] == [1]


def test_windows_line_ends_do_not_shift_the_marks(qtbot: Any, view: AnswerView) -> None:
    """GIVEN an answer with \\r\\n line ends WHEN a step is marked THEN it lands on its
    formula (the page drops the \\r; the step's offsets count it)."""
    answer = "First $a = b$.\r\n\r\nThen 2 + 2 = 5 here.\r\n"
    start = answer.index("2 + 2 = 5")
    view.append_delta(answer)
    view.show_step(start, start + len("2 + 2 = 5"), "wrong", "the left side is 4")
    view.finish()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    assert marks(qtbot, view)[0]["beside"] == "2 + 2 = 5"


def test_reasons_and_formulas_are_text_never_markup(qtbot: Any, view: AnswerView) -> None:
    """GIVEN hostile text in a step's reason, the card's reason and the summary WHEN shown
    THEN it appears as text: no element, no script."""
    hostile = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>"
    view.append_delta("So 1 + 1 = 3 here.\n\nEnd.")
    view.show_step(3, 12, "wrong", hostile)
    view.show_step_summary(hostile, 1)
    view.show_final("3", card_label("contradicted"), "contradicted", hostile)
    view.finish()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    run_js(qtbot, view, "document.querySelector('.step-mark').click()")
    run_js(qtbot, view, "document.querySelector('.final-check').click()")
    qtbot.wait(100)
    state = page(
        qtbot,
        view,
        """{imgs: document.querySelectorAll('img, b').length, title: document.title,
            note: document.querySelector('.step-note').textContent,
            reason: document.getElementById('final-reason').textContent,
            summary: document.getElementById('step-summary').textContent}""",
    )
    assert state == {"imgs": 0, "title": "Answer", "note": hostile, "reason": hostile,
                     "summary": hostile}  # fmt: skip


def test_clear_removes_marks_and_summary(qtbot: Any, view: AnswerView) -> None:
    """GIVEN marks and a summary WHEN the view is cleared THEN both are gone."""
    view.append_delta("So 1 + 1 = 2 here.\n\nEnd.")
    view.show_step(3, 12, "ok", "both sides are 2")
    view.show_step_summary(summary_text(1, 0), 0)
    view.finish()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    assert page(qtbot, view, "document.getElementById('step-summary').textContent") == (
        "1 step checked, none wrong"
    )
    view.clear()
    state = page(
        qtbot,
        view,
        """{marks: document.querySelectorAll('.step-mark').length,
            summary: document.getElementById('step-summary').hidden}""",
    )
    assert state == {"marks": 0, "summary": True}


@pytest.fixture
def chinese_view(qapp: Any, qtbot: Any) -> Iterator[AnswerView]:
    """A view built with the zh_CN translators installed (removed after the test)."""
    from desktop_app.ui import i18n

    assert i18n.install_translator(qapp, "zh_CN") == "zh_CN"
    widget = AnswerView()
    widget.resize(760, 620)
    widget.show()
    try:
        qtbot.waitUntil(lambda: widget.ready, timeout=15000)
        yield widget
    finally:
        widget.close()
        widget.deleteLater()
        qtbot.wait(20)
        i18n.remove_translator(qapp)


def test_the_checks_speak_chinese(qtbot: Any, chinese_view: AnswerView) -> None:
    """GIVEN the zh_CN translation WHEN a checked answer is shown THEN the card, the summary
    and the marks' titles are in Chinese."""
    view = chinese_view
    view.append_delta("So 1 + 1 = 3 here.\n\nEnd.")
    view.show_step(3, 12, "wrong", "the left side is 2, the right side is 3")
    view.show_step_summary(summary_text(5, 1), 1)
    view.show_final("3", card_label("contradicted"), "contradicted", "1 + 1 = 2")
    view.finish()
    wait_js(qtbot, view, "document.querySelectorAll('.step-mark').length === 1")
    state = page(
        qtbot,
        view,
        """{badge: document.querySelector('.final-check').textContent,
            why: document.querySelector('.final-check').title,
            summary: document.getElementById('step-summary').textContent,
            mark: document.querySelector('.step-mark').title}""",
    )
    assert state == {"badge": "验算不符", "why": "查看原因", "summary": "已检查 5 步，1 步有误",
                     "mark": "此步有误：查看反例"}  # fmt: skip
    assert card_label("verified") == "已由 SymPy 验证"
    assert card_label("unchecked") == "未验证"

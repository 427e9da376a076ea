"""The question box: Enter submits, Shift+Enter adds a line, typed LaTeX is typeset live."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.problem.question_box import QuestionBox
from tests.ui.conftest import ARTIFACTS, wait_js
from tests.ui.helpers import has_ink, shown_web_widget

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def box(qtbot: Any) -> Iterator[QuestionBox]:
    with shown_web_widget(qtbot, QuestionBox(), 420, 260) as widget:
        yield widget


def test_enter_submits_the_text(qtbot: Any, box: QuestionBox) -> None:
    """GIVEN typed text WHEN Enter is pressed THEN submitted carries it and no newline is added."""
    assert box.editor.accessibleName() == "Question"
    assert box.editor.placeholderText()
    qtbot.keyClicks(box.editor, "What is 6 * 7?")
    with qtbot.waitSignal(box.submitted, timeout=1000) as blocker:
        qtbot.keyClick(box.editor, Qt.Key.Key_Return)
    assert blocker.args == ["What is 6 * 7?"]
    assert box.text() == "What is 6 * 7?"
    with qtbot.waitSignal(box.submitted, timeout=1000):
        qtbot.keyClick(box.editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)


def test_shift_enter_adds_a_line(qtbot: Any, box: QuestionBox) -> None:
    """GIVEN text WHEN Shift+Enter is pressed THEN a real newline is inserted, nothing submitted."""
    with qtbot.assertNotEmitted(box.submitted, wait=50):
        qtbot.keyClicks(box.editor, "line one")
        qtbot.keyClick(box.editor, Qt.Key.Key_Return, SHIFT)
        qtbot.keyClicks(box.editor, "line two")
    assert box.text() == "line one\nline two"


def test_plain_text_gets_no_preview(qtbot: Any, box: QuestionBox) -> None:
    """GIVEN text without math THEN no web view is made and nothing is shown."""
    qtbot.keyClicks(box.editor, "How many primes are below 20?")
    qtbot.wait(300)
    assert box.preview is None
    assert not box.preview_toggle.isVisible()


def test_latex_is_previewed_after_a_pause(qtbot: Any, box: QuestionBox) -> None:
    """GIVEN typed $x^2$ WHEN typing pauses THEN the preview shows typeset math; toggle hides it."""
    qtbot.keyClicks(box.editor, "Expand $(x+1)^2$ and \\(x^2\\)")
    assert box.preview is None  # debounced: nothing yet while typing
    qtbot.waitUntil(box.preview_shown, timeout=2000)
    assert box.preview is not None
    count = wait_js(
        qtbot,
        box.preview,
        "typesetIdle() && document.querySelectorAll('#answer mjx-container').length",
    )
    assert count == 2
    qtbot.waitUntil(lambda: has_ink(box.preview.grab().toImage()), timeout=5000)  # composited
    ARTIFACTS.mkdir(exist_ok=True)
    assert box.grab().save(str(ARTIFACTS / "question_box.png"))
    box.preview_toggle.click()
    assert not box.preview_shown()
    box.preview_toggle.click()
    assert box.preview_shown()
    box.clear()
    qtbot.waitUntil(lambda: not box.preview_shown(), timeout=2000)
    assert not box.preview_toggle.isVisible()

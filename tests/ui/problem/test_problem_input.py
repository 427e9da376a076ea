"""Typing, drawing and correcting a problem in the window, against a fake DashScope."""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.helpers import shows_final


def test_enter_in_the_question_box_solves_text_without_the_reader(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN a typed problem and no image WHEN Enter THEN only the solver is asked."""
    dashscope.script_text("$2+2=4$, so $\\boxed{4}$", endpoint="text")
    editor = window.question_edit
    editor.setFocus()
    QTest.keyClicks(editor, "What is $2+2$?")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shows_final(window, "4"), timeout=15000)
    assert [r.endpoint for r in dashscope.requests] == ["text"]
    assert dashscope.requests[0].messages[-1]["content"] == "What is $2+2$?"


def test_sketch_is_read_as_an_image_cropped_to_the_ink(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN strokes on the sketch pad WHEN solved THEN the reader gets the ink with a margin."""
    dashscope.script_text("$x^2$", endpoint="multimodal")
    dashscope.script_text("$\\boxed{x^2}$", endpoint="text")
    problem = window.problem
    problem.show_sketch()
    pad = problem.sketch_panel.pad
    qtbot.waitExposed(pad)
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(60, 60))
    for x in range(60, 181, 10):
        QTest.mouseMove(pad, QPoint(x, 60 + (x - 60) // 4))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(180, 90))
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "x^2"), timeout=15000)
    url = dashscope.requests[0].content_parts("image")[0]
    image = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("L")
    width, height = image.size
    assert 120 + 2 * 24 <= width <= 120 + 2 * 24 + 20  # the stroke's extent plus the margins
    assert 30 + 2 * 24 <= height <= 30 + 2 * 24 + 20
    pixels = image.load()
    border = [pixels[x, 0] for x in range(width)] + [pixels[0, y] for y in range(height)]
    assert min(border) == 255  # the margin is white
    assert image.getextrema()[0] < 80  # and there is ink inside
    assert problem.input_tabs.currentWidget() is problem.drop_area  # the solved sketch is shown


def test_corrected_transcript_is_solved_without_reading_again(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tmp_path: Any
) -> None:
    """GIVEN a misread transcript WHEN corrected and re-solved THEN the reader is not called."""
    from tests.ui.helpers import drop_file, problem_file

    dashscope.script_text("Solve $x + 1 = 8$.", endpoint="multimodal")
    dashscope.script_text("$\\boxed{7}$", endpoint="text")
    dashscope.script_text("$\\boxed{2}$", endpoint="text")
    assert drop_file(window.drop_area, problem_file(tmp_path))
    qtbot.waitUntil(lambda: shows_final(window, "7"), timeout=15000)
    editor = window.transcript_editor
    assert not editor.editor.isReadOnly()
    editor.editor.setFocus()
    editor.editor.selectAll()
    QTest.keyClicks(editor.editor, "Solve $x + 1 = 3$.")  # typed, as a user corrects it
    assert editor.is_modified()
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "2"), timeout=15000)
    assert [r.endpoint for r in dashscope.requests] == ["multimodal", "text", "text"]
    assert dashscope.requests[-1].messages[-1]["content"] == "Solve $x + 1 = 3$."


def test_sketch_pad_is_built_when_its_tab_is_first_opened(qtbot: Any) -> None:
    """GIVEN a new problem column THEN the sketch pad does not exist yet and nothing is
    pending; WHEN the Sketch tab opens THEN the pad is built and takes the keyboard."""
    from desktop_app.ui.problem.panel import ProblemPanel

    problem = ProblemPanel()
    qtbot.addWidget(problem)
    problem.show()
    qtbot.waitExposed(problem)
    assert problem._sketch_panel is None
    assert problem.pending_sketch() is None
    problem.input_tabs.setCurrentIndex(1)  # as a click on the tab does
    panel = problem._sketch_panel
    assert panel is not None
    assert panel.isVisible()
    assert problem.focusWidget() is panel.pad
    assert problem.pending_sketch() is None  # no ink yet


def test_arrow_keys_move_between_the_input_tabs(qtbot: Any) -> None:
    """GIVEN the keyboard on the tab bar WHEN Right then Left THEN Sketch, then Image again:
    opening the Sketch tab from the keyboard leaves the keyboard on the tabs."""
    from desktop_app.ui.problem.panel import ProblemPanel

    problem = ProblemPanel()
    qtbot.addWidget(problem)
    problem.show()
    problem.activateWindow()
    qtbot.waitActive(problem)
    tabs = problem.input_tabs.tabBar()
    tabs.setFocus()
    qtbot.waitUntil(tabs.hasFocus, timeout=2000)
    QTest.keyClick(tabs, Qt.Key.Key_Right)
    assert problem.input_tabs.currentIndex() == 1
    assert tabs.hasFocus()
    QTest.keyClick(tabs, Qt.Key.Key_Left)
    assert problem.input_tabs.currentIndex() == 0

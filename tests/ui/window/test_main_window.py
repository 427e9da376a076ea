"""The main window end to end: drop an image, watch transcript and typeset answer, Stop, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, KeyPrompt, run_js, wait_js
from tests.ui.helpers import drop_file, problem_file, shows_final

TRANSCRIPT = "Solve $x^2 - 5x + 6 = 0$."
ANSWER = (
    "Factor the quadratic:\n\n"
    "$$x^2 - 5x + 6 = (x-2)(x-3) = 0$$\n\n"
    "so \\(x = 2\\) or \\(x = 3\\). The roots are $\\boxed{2, 3}$.\n"
)


def answer_text(qtbot: Any, window: Any) -> str:
    return str(run_js(qtbot, window.answer_view, "document.getElementById('answer').innerText"))


def test_dropped_image_shows_transcript_and_typeset_answer(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tmp_path: Path
) -> None:
    """GIVEN the window WHEN an image file is dropped THEN transcript and typeset math appear."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    assert drop_file(window.drop_area, problem_file(tmp_path))
    qtbot.waitUntil(
        lambda: window.status_label.text() == "Final answer: 2, 3 (verified by SymPy)",
        timeout=20000,
    )
    assert window.transcript_editor.text() == TRANSCRIPT
    assert window.drop_area.has_image()
    view = window.answer_view
    math = wait_js(
        qtbot, view, "typesetIdle() && document.querySelectorAll('mjx-container').length"
    )
    assert math >= 4  # the display equation, two inline roots, the boxed answer
    assert "Factor the quadratic" in answer_text(qtbot, window)
    assert dashscope.requests[1].messages[-1]["content"] == TRANSCRIPT
    ARTIFACTS.mkdir(exist_ok=True)
    shot = window.grab()
    assert shot.save(str(ARTIFACTS / "main_window.png"))
    assert not shot.toImage().isNull()


def test_stop_halts_a_slow_stream_and_keeps_the_partial_answer(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN a slow answer WHEN Stop is pressed THEN the stream ends at once, partial text kept."""
    chunks = [f"Step {i}: nothing yet. " for i in range(100)]
    dashscope.script_text(chunks=chunks, delay=0.1, endpoint="text")
    window.question_edit.setPlainText("Count slowly.")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: "Step 2" in answer_text(qtbot, window), timeout=15000)
    assert window.stop_action.isEnabled()
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: window.status_label.text() == "Stopped.", timeout=2000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=2000)
    shown = answer_text(qtbot, window)
    assert "Step 2" in shown
    assert "Step 99" not in shown
    assert "partial answer is kept" in run_js(
        qtbot, window.answer_view, "document.getElementById('notice').innerText"
    )


def test_unusable_image_gets_one_sentence_and_no_request(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tmp_path: Path
) -> None:
    """GIVEN a corrupt file WHEN dropped THEN the status is one sentence and nothing is sent."""
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    assert drop_file(window.drop_area, bad)
    status = window.status_label
    qtbot.waitUntil(lambda: "damaged" in status.text() or "image" in status.text(), timeout=10000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=10000)
    message = window.status_label.text()
    assert message.endswith(".")
    assert "damaged" in message or "not an image" in message
    assert dashscope.requests == []


def test_invalid_key_is_a_clear_sentence(qtbot: Any, window: Any, dashscope: FakeDashScope) -> None:
    """GIVEN DashScope rejects the key THEN the window says so and no traceback appears."""
    dashscope.script_error(401, "InvalidApiKey")
    window.question_edit.setPlainText("1+1")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: "key" in window.status_label.text().lower(), timeout=10000)
    notice = wait_js(qtbot, window.answer_view, "document.getElementById('notice').innerText")
    assert "key" in notice.lower()
    assert "Traceback" not in notice


def test_missing_key_asks_then_solves(
    qtbot: Any,
    window: Any,
    dashscope: FakeDashScope,
    key_prompt: KeyPrompt,
    monkeypatch: Any,
) -> None:
    """GIVEN no key WHEN solving THEN the app asks for one and then solves with it."""
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    dashscope.script_text("$\\boxed{2}$", endpoint="text")
    window.question_edit.setPlainText("1+1")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "2"), timeout=15000)
    assert key_prompt.calls == 1
    assert dashscope.requests[-1].api_key is not None


def test_a_key_dialog_with_its_own_event_loop_still_leads_to_the_answer(
    qtbot: Any, window: Any, dashscope: FakeDashScope, monkeypatch: Any
) -> None:
    """GIVEN no key WHEN the key dialog runs its own event loop, in which the failed run's
    thread ends, THEN the question is still asked again with the new key and answered."""
    from tests.e2e.conftest import TEST_KEY

    monkeypatch.delenv("DASHSCOPE_API_KEY")
    dashscope.script_text("$\\boxed{2}$", endpoint="text")

    def modal_prompt(_parent: object) -> bool:
        qtbot.waitUntil(lambda: not window.answer_run.active, timeout=10000)  # a nested loop
        monkeypatch.setenv("DASHSCOPE_API_KEY", TEST_KEY)
        return True

    monkeypatch.setattr(window.answer_run, "_ask_api_key", modal_prompt)
    window.question_edit.setPlainText("1+1")
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "2"), timeout=15000)
    assert dashscope.requests[-1].api_key is not None


def test_pasted_image_is_solved(qtbot: Any, window: Any, dashscope: FakeDashScope) -> None:
    """GIVEN an image on the clipboard WHEN Paste THEN it is read and solved."""
    image = QImage(200, 60, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    QApplication.clipboard().setImage(image)
    dashscope.script_text("An empty box.", endpoint="multimodal")
    dashscope.script_text("Nothing to solve: $\\boxed{0}$", endpoint="text")
    window.paste_action.trigger()
    qtbot.waitUntil(lambda: shows_final(window, "0"), timeout=15000)
    assert window.transcript_editor.text() == "An empty box."
    sent = dashscope.requests[0].content_parts("image")[0]
    assert sent.startswith("data:image/png;base64,")

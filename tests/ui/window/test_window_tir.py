"""TIR in the window: consent first, code and its real output folded in the answer, checked."""

from __future__ import annotations

from typing import Any

from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, ConsentPrompt, run_js, wait_js
from tests.ui.helpers import shows_final

CODE_TURN = "Let me compute.\n```python\nprint(6 * 7)\n```\n```output\nmade up\n```\n"


def test_tir_asks_consent_runs_code_and_verifies_the_answer(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tir_consent: ConsentPrompt, store: Any
) -> None:
    """GIVEN TIR chosen WHEN solving THEN code runs in the sandbox and the answer is verified."""
    dashscope.script_text(CODE_TURN, endpoint="text")
    dashscope.script_text("So the product is $\\boxed{42}$.", endpoint="text")
    window.mode_box.setCurrentIndex(1)
    assert tir_consent.calls == 1
    assert window.state.mode == "tir"
    window.question_edit.setPlainText("What is 6 times 7?")
    window.solve_action.trigger()
    status = window.status_label
    qtbot.waitUntil(lambda: status.text().startswith("Final answer: 42"), timeout=30000)
    assert "verified by SymPy" in window.status_label.text()
    first, second = dashscope.requests
    assert first.parameters.get("stop") == ["```output"]
    assert second.messages[-1]["role"] == "assistant"
    assert second.messages[-1]["content"].endswith("```output\n42\n```\n")  # the real output
    view = window.answer_view
    wait_js(qtbot, view, "typesetIdle()")
    folded = run_js(qtbot, view, "document.querySelectorAll('details').length")
    assert folded == 2  # the code and its output, each under a summary
    final = run_js(qtbot, view, "document.getElementById('final').innerText")
    assert "Verified by SymPy" in final  # the card's words; the status bar's are lower case
    qtbot.wait(300)  # let the compositor paint the typeset page before the screenshot
    ARTIFACTS.mkdir(exist_ok=True)
    assert window.grab().save(str(ARTIFACTS / "tir_answer.png"))
    saved = store.get(store.list()[0].id).turns[0].answer
    assert "```output\n42\n```" in saved
    assert "made up" not in saved


def test_declining_consent_keeps_chain_of_thought(window: Any, tir_consent: ConsentPrompt) -> None:
    """GIVEN the user declines WHEN TIR is picked THEN the mode stays step by step."""
    tir_consent.answer = None
    window.mode_box.setCurrentIndex(1)
    assert tir_consent.calls == 1
    assert window.state.mode == "cot"


def test_dark_theme_window_and_answer_page(
    qtbot: Any, window: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN the dark theme WHEN an answer is shown THEN the window and the page are dark."""
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.theme import apply_theme
    from desktop_app.ui.window.actions import refresh_icons

    app = QApplication.instance()
    palette, style = app.palette(), app.style().name()
    try:
        window.answer_view.set_theme(apply_theme(app, "dark"))
        refresh_icons(window._actions)
        icon = window.solve_action.icon().pixmap(24, 24).toImage()
        strokes = [
            icon.pixelColor(x, y)
            for x in range(icon.width())
            for y in range(icon.height())
            if icon.pixelColor(x, y).alpha() > 200
        ]
        assert strokes
        assert min(c.lightness() for c in strokes) > 150  # light strokes on the dark toolbar
        dashscope.script_text("Dark: $e^{i\\pi} + 1 = 0$, so $\\boxed{0}$.", endpoint="text")
        window.question_edit.setPlainText("Euler?")
        window.solve_action.trigger()
        qtbot.waitUntil(lambda: shows_final(window, "0"), timeout=20000)
        wait_js(qtbot, window.answer_view, "typesetIdle()")
        background = run_js(
            qtbot, window.answer_view, "getComputedStyle(document.documentElement).backgroundColor"
        )
        assert background == "rgb(30, 30, 32)"  # the page's dark --bg
        assert window.palette().window().color().lightness() < 100
        qtbot.wait(300)
        ARTIFACTS.mkdir(exist_ok=True)
        assert window.grab().save(str(ARTIFACTS / "window_dark.png"))
    finally:
        apply_theme(app, "light")
        app.setPalette(palette)
        app.setStyle(style)

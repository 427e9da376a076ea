"""AnswerView.ready: the page has loaded and MathJax has started, so a formula typesets now."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage

from desktop_app.ui.answer import view as view_module
from desktop_app.ui.answer.page import READY_MESSAGE, AnswerPage
from desktop_app.ui.answer.server import AnswerSchemeHandler, answer_profile
from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import run_js, wait_js

INFO = QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel
ERROR = QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel
SCRIPT = "qmath://answer/answer.js"


@pytest.fixture
def fresh_view(qtbot: Any) -> Iterator[AnswerView]:
    widget = AnswerView()
    widget.resize(600, 400)
    widget.show()
    yield widget
    widget.close()
    widget.deleteLater()
    qtbot.wait(20)


def test_ready_means_mathjax_has_started(qtbot: Any, fresh_view: AnswerView) -> None:
    """GIVEN a new view WHEN it says it became ready THEN MathJax had already started (no
    typesetting waits on it) and a formula sent at that moment is typeset."""
    seen: dict[str, Any] = {}

    def on_ready() -> None:  # asked at the moment of the signal, before anything else runs
        fresh_view.page().runJavaScript(
            "typeof MathJax.typesetPromise === 'function' && typesetIdle()",
            0,
            lambda started: seen.setdefault("started", started),
        )
        fresh_view.set_markdown("Half is $\\frac{1}{2}$.")

    assert not fresh_view.ready
    with qtbot.waitSignal(fresh_view.became_ready, timeout=20000):
        fresh_view.became_ready.connect(on_ready)
    assert fresh_view.ready

    qtbot.waitUntil(lambda: "started" in seen, timeout=5000)
    assert seen["started"] is True
    count = "typesetIdle() && document.querySelectorAll('#blocks mjx-container svg').length"
    assert wait_js(qtbot, fresh_view, count) == 1


def test_becomes_ready_once(qtbot: Any, fresh_view: AnswerView) -> None:
    """GIVEN a ready view WHEN its load and start messages have all arrived THEN it said so
    once, and a later (refused) navigation does not make it say so again."""
    fired: list[bool] = []
    fresh_view.became_ready.connect(lambda: fired.append(True))
    qtbot.waitUntil(lambda: fresh_view.ready, timeout=20000)
    fresh_view.page().runJavaScript("location.href = 'qmath://answer/answer.html?again';", 0)
    qtbot.wait(300)

    assert fired == [True]
    assert run_js(qtbot, fresh_view, "typeof setTail") == "function"


@pytest.mark.parametrize(
    ("message", "level", "source"),
    [
        (READY_MESSAGE, INFO, "qmath://answer/mathjax/tex-svg.js"),  # another script
        (READY_MESSAGE, ERROR, SCRIPT),  # another level
        (f"typeset failed: {READY_MESSAGE}", INFO, SCRIPT),  # an error quoting TeX
        ("qmath:Ready", INFO, SCRIPT),
    ],
)
def test_only_the_page_scripts_ready_message_counts(
    qapp: Any, message: str, level: QWebEnginePage.JavaScriptConsoleMessageLevel, source: str
) -> None:
    """GIVEN an answer page WHEN a console message is not answer.js's own ready message
    THEN the page does not report MathJax as started; the real one does, once."""
    page = AnswerPage(answer_profile())
    started: list[bool] = []
    page.mathjax_started.connect(lambda: started.append(True))

    page.javaScriptConsoleMessage(level, message, 1, source)
    assert started == []

    page.javaScriptConsoleMessage(INFO, READY_MESSAGE, 1, SCRIPT)
    page.javaScriptConsoleMessage(INFO, READY_MESSAGE, 1, SCRIPT)
    assert started == [True]
    page.deleteLater()


def test_answers_still_show_when_mathjax_cannot_start(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """GIVEN a bundle whose MathJax files cannot be served WHEN the page has loaded THEN the
    view becomes ready after a while anyway, and a queued answer shows, its math as source."""
    real_resolve = AnswerSchemeHandler.resolve

    def without_mathjax(self: AnswerSchemeHandler, url: QUrl) -> Any:
        return None if url.path().startswith("/mathjax/") else real_resolve(self, url)

    monkeypatch.setattr(AnswerSchemeHandler, "resolve", without_mathjax)
    monkeypatch.setattr(view_module, "MATHJAX_START_TIMEOUT_MS", 300)
    widget = AnswerView()
    widget.set_markdown("Still here: $x^2$")
    try:
        with caplog.at_level(logging.ERROR, logger="desktop_app.ui.answer.view"):
            qtbot.waitUntil(lambda: widget.ready, timeout=20000)
        assert "MathJax did not start" in caplog.text
        text = wait_js(qtbot, widget, "document.getElementById('blocks').textContent")
        assert "Still here" in text
        assert run_js(qtbot, widget, "document.querySelectorAll('mjx-container').length") == 0
    finally:
        widget.close()
        widget.deleteLater()
        qtbot.wait(20)

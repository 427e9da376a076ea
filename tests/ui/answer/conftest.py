"""The answer view, shown and ready, for the answer-view tests (sized per module by VIEW_SIZE)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import wait_js


@pytest.fixture
def view(qtbot: Any, request: pytest.FixtureRequest) -> Iterator[AnswerView]:
    """An AnswerView on screen with its page loaded and MathJax idle; closed afterwards."""
    width, height = getattr(request.module, "VIEW_SIZE", (820, 900))
    widget = AnswerView()
    widget.resize(width, height)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=15000)
    wait_js(qtbot, widget, "typesetIdle()")
    yield widget
    widget.close()
    widget.deleteLater()
    qtbot.wait(20)

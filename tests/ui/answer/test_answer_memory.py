"""The answer page gives back the memory of an answer it drops (tests/bench measures it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import run_js, wait_js

# Counts the page's garbage collections, and what each was asked for.
SPY = """
(() => {
  const real = window.gc;
  window.collections = [];
  window.gc = (options) => {
    window.collections.push(JSON.stringify(options));
    return real(options);
  };
  return typeof real;
})()
"""


def long_answer(steps: int) -> str:
    return "".join(
        f"**Step {k}.** Let $a_{{{k}}} = {k}x^2 + 1$; then\n\n"
        f"$$\\sum_{{j=1}}^{{{k}}} a_j = \\frac{{{k}(n+1)}}{{2}}$$\n\n"
        for k in range(1, steps + 1)
    )


@pytest.fixture
def view(qtbot: Any) -> Iterator[AnswerView]:
    widget = AnswerView()
    widget.resize(700, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready, timeout=20000)
    yield widget
    widget.close()
    widget.deleteLater()
    qtbot.wait(20)


def test_the_page_may_collect_garbage(qtbot: Any, view: AnswerView) -> None:
    """GIVEN the app's web engine switches (tests start QtWebEngine with them too) THEN the
    answer page has a garbage collector to call."""
    assert run_js(qtbot, view, SPY) == "function"


def test_dropping_a_long_answer_collects_its_garbage(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a long typeset answer WHEN the page is cleared for the next one THEN it collects
    the dropped answer's garbage once, giving memory back to the system."""
    run_js(qtbot, view, SPY)
    view.set_markdown(long_answer(30))
    wait_js(qtbot, view, "typesetIdle() && document.querySelectorAll('mjx-container').length")
    assert run_js(qtbot, view, "window.collections.length") == 0

    view.clear()
    collections = json.loads(
        wait_js(qtbot, view, "window.collections.length && JSON.stringify(window.collections)")
    )

    assert len(collections) == 1
    assert '"flavor":"last-resort"' in collections[0]
    assert run_js(qtbot, view, "document.getElementById('blocks').children.length") == 0


def test_a_short_preview_is_not_worth_a_collection(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a few short texts, as the question preview shows while typing WHEN each replaces
    the last THEN the page never stops to collect garbage."""
    run_js(qtbot, view, SPY)
    for text in ("Solve $x^2 = 4$", "Solve $x^2 = 9$.", "Solve $x^2 = 16$ for $x$."):
        view.set_markdown(text)
        wait_js(qtbot, view, "typesetIdle() && document.querySelectorAll('mjx-container').length")
    view.clear()
    qtbot.wait(100)

    assert run_js(qtbot, view, "window.collections.length") == 0


def test_all_answer_pages_share_one_renderer_process(qtbot: Any, view: AnswerView) -> None:
    """GIVEN the answer view WHEN a second answer page opens (as the question and transcript
    previews do) THEN it runs in the same renderer process, not in one of its own."""
    preview = AnswerView()
    preview.resize(400, 120)
    preview.show()
    try:
        qtbot.waitUntil(lambda: preview.ready, timeout=20000)
        pid = view.page().renderProcessPid()
        assert pid > 0
        assert preview.page().renderProcessPid() == pid
    finally:
        preview.close()
        preview.deleteLater()
        qtbot.wait(20)

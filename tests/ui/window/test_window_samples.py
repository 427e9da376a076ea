"""Self-consistency in the window: the Samples choice, progress while they run, the vote share,
each sample folded, Stop stopping them all, and the vote shown again from history."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QComboBox, QToolBar, QWidget

from desktop_app.core.problem_state import ProblemState
from desktop_app.core.settings import Settings
from desktop_app.ui.window.samples import SampleCount, samples_box
from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, run_js, wait_js
from tests.ui.helpers import shows_final

SHOTS = ARTIFACTS / "samples"
PROBLEM = "Solve $x^2 = 2x$ for $x > 0$."
RIGHT = "Divide by $x$: so $x = 2$ and the answer is $\\boxed{2}$."
SAME = "Since $x^2 - 2x = x(x - 2) = 0$ and $x > 0$, $\\boxed{x = 2}$."
WRONG = "Guessing, $\\boxed{\\frac{1}{2}}$."


def page(qtbot: Any, window: Any, script: str) -> Any:
    return run_js(qtbot, window.answer_view, script)


def solve_with_samples(window: Any, count: int) -> None:
    box = window.samples_box
    box.setCurrentIndex(box.findData(count))
    window.question_edit.setPlainText(PROBLEM)
    window.solve_action.trigger()


def test_the_choice_sits_next_to_the_mode_and_is_remembered(qtbot: Any, window: Any) -> None:
    """GIVEN the window THEN the toolbar offers 1, 4, 8 or 16 samples right after the mode;
    choosing 8 goes to the problem state and the settings."""
    toolbar = window.findChild(QToolBar, "mainToolbar")
    widgets = [toolbar.widgetForAction(a) for a in toolbar.actions()]
    boxes = [w for w in widgets if isinstance(w, QComboBox)]
    assert [b.objectName() for b in boxes] == ["modeBox", "samplesBox"]
    assert widgets.index(boxes[1]) == widgets.index(boxes[0]) + 1
    box = window.samples_box
    assert [box.itemData(i) for i in range(box.count())] == [1, 4, 8, 16]
    assert [box.itemText(i) for i in range(box.count())] == [
        "1 sample",
        "4 samples",
        "8 samples",
        "16 samples",
    ]
    assert box.currentData() == 1
    box.setCurrentIndex(box.findData(8))
    assert window.state.samples == 8
    assert window._settings.solve.samples == 8


def test_a_saved_choice_comes_back(qtbot: Any) -> None:
    """GIVEN settings saying 16 samples WHEN the choice is built THEN it shows 16; choosing 4
    saves 4."""
    parent = QWidget()
    qtbot.addWidget(parent)
    settings, state, saved = Settings(), ProblemState(), []
    settings.solve.samples = 16
    box = samples_box()
    SampleCount(box, state, settings, saved.append, parent)
    assert (box.currentData(), state.samples) == (16, 16)
    box.setCurrentIndex(box.findData(4))
    assert (state.samples, settings.solve.samples, len(saved)) == (4, 4, 1)
    assert saved[0].solve.samples == 4


def test_progress_then_the_vote_and_each_sample(
    qtbot: Any, window: Any, dashscope: FakeDashScope, store: Any
) -> None:
    """GIVEN 4 samples finishing one after another, 3 agreeing WHEN solved THEN the window
    counts them as they finish, shows the majority's solution as the answer with "3 of 4
    samples", and each sample opens to its own typeset text; reopened from history, the vote
    and the samples are there again."""
    for delay, text in zip((0.3, 0.9, 1.5, 2.1), (RIGHT, WRONG, SAME, RIGHT), strict=True):
        dashscope.script_text(text, endpoint="text", headers_delay=delay)
    statuses: list[str] = []
    window.answer_run.status.connect(statuses.append)
    solve_with_samples(window, 4)
    shown = wait_js(
        qtbot,
        window.answer_view,
        "!document.querySelector('.samples-progress').hidden && "
        "document.querySelector('.samples-progress-text').textContent",
    )
    assert "4" in shown
    qtbot.waitUntil(lambda: "2 of 4 samples finished" in statuses, timeout=15000)
    bar = page(qtbot, window, "document.querySelector('#samples progress').value")
    assert bar >= 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(100)
    assert window.grab().save(str(SHOTS / "window_samples_progress.png"))
    qtbot.waitUntil(lambda: shows_final(window, "2") or shows_final(window, "x = 2"), timeout=20000)
    assert "Sampling 4 solutions…" in statuses
    assert [s for s in statuses if s.endswith("samples finished")] == [
        f"{k} of 4 samples finished" for k in range(1, 5)
    ]
    assert all(r.parameters["temperature"] == 0.7 for r in dashscope.requests_to("text"))

    wait_js(
        qtbot, window.answer_view, "typesetIdle() && !document.getElementById('samples').hidden"
    )
    # The answer's last paragraph stays in #tail until the run finishes, after the plot.
    answer = page(
        qtbot,
        window,
        "['blocks', 'tail'].map((id) => document.getElementById(id).innerText).join('')",
    )
    assert "Divide by" in answer or "Since" in answer  # a majority sample is the answer
    assert "Guessing" not in answer
    assert page(qtbot, window, "document.querySelector('.samples-vote-share').textContent") == (
        "3 of 4 samples"
    )
    assert page(qtbot, window, "document.querySelector('.samples-progress').hidden") is True
    assert page(qtbot, window, "document.querySelectorAll('details.sample').length") == 4
    assert page(qtbot, window, "document.querySelectorAll('details.sample[open]').length") == 0
    notes = json.loads(
        page(
            qtbot,
            window,
            "JSON.stringify(Array.from(document.querySelectorAll('.sample-note'))"
            ".map(n => n.textContent))",
        )
    )
    assert sorted(notes) == ["", "agrees", "agrees", "majority, shown above"]

    wrong = notes.index("")  # the sample that disagrees: open it
    page(qtbot, window, f"document.querySelectorAll('details.sample summary')[{wrong}].click(); 1")
    body = wait_js(
        qtbot,
        window.answer_view,
        f"typesetIdle() && document.querySelectorAll('.sample-body')[{wrong}].innerText",
    )
    assert "Guessing" in body
    typeset = (
        f"document.querySelectorAll('.sample-body')[{wrong}].querySelectorAll('mjx-container')"
    )
    assert page(qtbot, window, f"{typeset}.length") >= 1
    plot = "document.getElementById('plot')"
    drawn = f"{plot} && {plot}.dataset.state !== 'loading' && {plot}.dataset.state"
    assert wait_js(qtbot, window.answer_view, drawn, timeout=30.0) == "plot"  # x = 2 marked
    qtbot.wait(200)
    shot = window.grab()
    assert shot.save(str(SHOTS / "window_samples.png"))
    assert not shot.toImage().isNull()

    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=5000)
    conversation = store.get(store.list()[0].id)
    assert len(conversation.turns[0].samples) == 4
    window.new_conversation()
    assert page(qtbot, window, "document.getElementById('samples').hidden") is True
    window.open_conversation(conversation.id)
    wait_js(qtbot, window.answer_view, "!document.getElementById('samples').hidden")
    assert page(qtbot, window, "document.querySelector('.samples-vote-share').textContent") == (
        "3 of 4 samples"
    )
    assert page(qtbot, window, "document.querySelectorAll('details.sample').length") == 4
    assert "Divide by" in page(qtbot, window, "document.getElementById('blocks').innerText") or (
        "Since" in page(qtbot, window, "document.getElementById('blocks').innerText")
    )
    wait_js(qtbot, window.answer_view, "typesetIdle()")
    qtbot.wait(200)
    assert window.grab().save(str(SHOTS / "window_samples_reopened.png"))


def test_stop_stops_every_sample(qtbot: Any, window: Any, dashscope: FakeDashScope) -> None:
    """GIVEN 8 samples that never finish WHEN Stop is pressed THEN the run ends at once and
    says it stopped, with no partial answer claimed."""
    for _ in range(8):
        dashscope.script_stall(endpoint="text")
    solve_with_samples(window, 8)
    qtbot.waitUntil(lambda: len(dashscope.requests_to("text")) == 8, timeout=15000)
    assert window.stop_action.isEnabled()
    window.stop_action.trigger()
    qtbot.waitUntil(lambda: window.status_label.text() == "Stopped.", timeout=3000)
    qtbot.waitUntil(lambda: not window.stop_action.isEnabled(), timeout=3000)
    notice = page(qtbot, window, "document.getElementById('notice').innerText")
    assert notice == "Stopped."
    assert page(qtbot, window, "document.querySelectorAll('details.sample').length") == 0

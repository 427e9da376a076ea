"""The plot under the answer, in the real answer view: drawn by plotly.js from the plotly
package over qmath://, light and dark, and a function the user types through the page and the
checker process back onto the plot (or refused with one sentence)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.core.plots import PlotSpec, plot_for
from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import ARTIFACTS, run_js, wait_js

ANSWER = (
    "Factor the quadratic: $$x^2 - 5x + 6 = (x-2)(x-3)$$\n\n"
    "so $f(x) = 0$ exactly when $x = 2$ or $x = 3$. The roots are $\\boxed{2, 3}$."
)
PLOT = "document.getElementById('plot')"
AREA = f"{PLOT}.querySelector('.qmath-plot-area')"


VIEW_SIZE = (820, 980)  # the view fixture's size (tests/ui/answer/conftest.py)


@pytest.fixture(scope="module")
def roots() -> PlotSpec:
    spec = plot_for("Find the roots of $f(x) = x^2 - 5x + 6$.", "", "2, 3")
    assert spec is not None
    return spec


def answered(qtbot: Any, view: AnswerView, spec: PlotSpec) -> None:
    """An answer with its final answer, then its plot, as a run shows them."""
    view.set_markdown(ANSWER)
    view.show_final("2, 3", "verified by SymPy", "verified")
    view.show_plot(spec.to_json())
    done = f"{PLOT} && {PLOT}.dataset.state !== 'loading' && {PLOT}.dataset.state"
    assert wait_js(qtbot, view, done, timeout=30.0) == "plot"
    wait_js(qtbot, view, "typesetIdle()")


def drawn(qtbot: Any, view: AnswerView) -> dict[str, Any]:
    return json.loads(
        run_js(
            qtbot,
            view,
            f"""(() => {{
              const area = {AREA};
              const q = (s) => Array.from(area.querySelectorAll(s));
              return JSON.stringify({{
                traces: area.data.length,
                legend: q('.legendtext').map(t => t.textContent),
                labels: q('.scatterlayer .trace .text text').map(t => t.textContent),
                buttons: q('.modebar-btn').map(b => b.getAttribute('data-title')),
                background: getComputedStyle(area.querySelector('svg.main-svg')).backgroundColor,
                error: {PLOT}.querySelector('.qmath-plot-error').textContent,
                errorShown: !{PLOT}.querySelector('.qmath-plot-error').hidden,
              }});
            }})()""",
        )
    )


def screenshot(qtbot: Any, view: AnswerView, name: str) -> QImage:
    """Scroll the plot into view, let it paint, save the frame under test-artifacts/plots/."""
    run_js(qtbot, view, f"{PLOT}.scrollIntoView({{block: 'end'}}); 1")
    qtbot.wait(300)
    image = view.grab().toImage()
    folder = ARTIFACTS / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    assert image.save(str(folder / name))
    return image


def type_function(qtbot: Any, view: AnswerView, text: str) -> None:
    """Type into the plot's box with real key presses, then press Enter."""
    run_js(qtbot, view, f"{PLOT}.querySelector('input').focus(); 1")
    wait_js(qtbot, view, "document.activeElement && document.activeElement.tagName === 'INPUT'")
    target = view.focusProxy()
    qtbot.keyClicks(target, text)
    wait_js(qtbot, view, f"{PLOT}.querySelector('input').value === {json.dumps(text)}")
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_the_plot_appears_under_the_answer_light_and_dark(
    qtbot: Any, view: AnswerView, roots: PlotSpec
) -> None:
    """GIVEN a finished answer WHEN its plot arrives THEN it is drawn under the final answer by
    plotly.js (loaded from the plotly package on this first plot), roots labelled, with zoom,
    pan and reset; it follows the page's theme to dark and back."""
    view.set_theme("light")
    answered(qtbot, view, roots)
    order = run_js(qtbot, view, "document.getElementById('final').nextElementSibling.id")
    assert order == "plot"
    shown = drawn(qtbot, view)
    assert {"(2, 0)", "(3, 0)"} <= set(shown["labels"])
    assert "y = x^2 - 5x + 6" in shown["legend"]
    assert {"Zoom", "Pan", "Reset axes"} <= set(shown["buttons"])
    assert shown["background"] == "rgb(255, 255, 255)"
    assert run_js(qtbot, view, "typeof Plotly") == "object"
    light = screenshot(qtbot, view, "answer_plot_light.png")

    view.set_theme("dark")
    wait_js(qtbot, view, f"{PLOT}.dataset.theme === 'dark'")
    assert drawn(qtbot, view)["background"] == "rgb(30, 30, 32)"
    dark = screenshot(qtbot, view, "answer_plot_dark.png")
    middle = (light.width() // 2, light.height() - 200)
    assert light.pixelColor(*middle).lightness() > 200
    assert dark.pixelColor(*middle).lightness() < 60

    view.set_theme("light")
    wait_js(qtbot, view, f"{PLOT}.dataset.theme === 'light'")


def test_a_typed_function_joins_the_plot(qtbot: Any, view: AnswerView, roots: PlotSpec) -> None:
    """GIVEN a drawn plot WHEN the user types sin(x)/x and presses Enter THEN the page asks the
    app (no navigation), the checker process samples it, and it is drawn as one more curve; the
    page stays where it was."""
    answered(qtbot, view, roots)
    before = drawn(qtbot, view)["traces"]
    type_function(qtbot, view, "sin(x)/x")
    wait_js(qtbot, view, f"{AREA}.data.length === {before + 1}", timeout=30.0)
    shown = drawn(qtbot, view)
    assert "y = sin(x)/x" in shown["legend"]
    assert not shown["errorShown"]
    assert run_js(qtbot, view, "location.href") == "qmath://answer/answer.html"
    user = run_js(qtbot, view, f"JSON.stringify({AREA}.data.at(-1).x.slice(0, 1))")
    assert json.loads(user)[0] == pytest.approx(roots.x_range[0])  # over the window shown
    screenshot(qtbot, view, "answer_plot_user_function.png")


def point_on_screen(qtbot: Any, view: AnswerView, x: float, y: float) -> QPoint:
    """Where the data point (x, y) is drawn, in the view's coordinates."""
    script = f"""(() => {{
      const area = {AREA};
      {PLOT}.scrollIntoView({{block: 'end'}});
      const box = area.querySelector('.nsewdrag').getBoundingClientRect();
      const xa = area._fullLayout.xaxis, ya = area._fullLayout.yaxis;
      return JSON.stringify([box.left + xa.l2p({x}), box.top + ya.l2p({y})]);
    }})()"""
    left, top = json.loads(run_js(qtbot, view, script))
    qtbot.wait(200)  # scrolled and painted
    return QPoint(round(left), round(top))


def x_range(qtbot: Any, view: AnswerView) -> list[float]:
    return [
        float(v)
        for v in json.loads(run_js(qtbot, view, f"JSON.stringify({AREA}.layout.xaxis.range)"))
    ]


def test_hover_shows_coordinates_the_wheel_zooms_and_a_double_click_resets(
    qtbot: Any, view: AnswerView, roots: PlotSpec
) -> None:
    """GIVEN a drawn plot WHEN the mouse rests on the marked root (2, 0) THEN a label gives its
    coordinates; WHEN the wheel turns over the plot THEN it zooms; WHEN the plot is
    double-clicked THEN it is back to the window it was drawn with."""
    answered(qtbot, view, roots)
    target = view.focusProxy()
    start = x_range(qtbot, view)
    root = point_on_screen(qtbot, view, 2, 0)
    QTest.mouseMove(target, root)
    label = f"(() => {{ const t = {PLOT}.querySelector('.hoverlayer .hovertext');"
    label += " return t && t.textContent.includes('(2, 0)'); })()"
    assert wait_js(qtbot, view, label, timeout=10.0) is True  # not 2.000000001, not 8.9e-16

    wheel = QWheelEvent(
        QPointF(root), QPointF(target.mapToGlobal(root)), QPoint(), QPoint(0, 120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(target, wheel)
    zoomed = f"{AREA}.layout.xaxis.range[1] - {AREA}.layout.xaxis.range[0] < {start[1] - start[0]}"
    wait_js(qtbot, view, zoomed, timeout=10.0)
    assert start[0] < x_range(qtbot, view)[0] < 2 < x_range(qtbot, view)[1] < start[1]

    inside = point_on_screen(qtbot, view, 2.5, 0)
    QTest.mouseMove(target, inside)
    for _ in range(2):  # plotly counts two clicks within its double-click delay
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, inside)
    qtbot.waitUntil(lambda: x_range(qtbot, view) == pytest.approx(start), timeout=10000)
    assert x_range(qtbot, view) == pytest.approx(list(roots.x_range))


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("x +* 2", "That is not a function I can read; try something like sin(x)/x."),
        ("y > x", "Type a function or an equation, not an inequality."),
        ("__import__('os')", "That is not a function I can read; try something like sin(x)/x."),
    ],
)
def test_a_function_that_cannot_be_drawn_gets_one_sentence(
    qtbot: Any, view: AnswerView, roots: PlotSpec, typed: str, sentence: str
) -> None:
    """GIVEN a drawn plot WHEN the user types something that is not a function THEN one
    sentence says so under the box, and the plot is unchanged."""
    answered(qtbot, view, roots)
    before = drawn(qtbot, view)["traces"]
    type_function(qtbot, view, typed)
    wait_js(qtbot, view, f"!{PLOT}.querySelector('.qmath-plot-error').hidden", timeout=30.0)
    shown = drawn(qtbot, view)
    assert shown["error"] == sentence
    assert shown["traces"] == before


def test_a_new_answer_clears_the_plot(qtbot: Any, view: AnswerView, roots: PlotSpec) -> None:
    """GIVEN a plot on the page WHEN the view is cleared for the next answer THEN it is gone."""
    answered(qtbot, view, roots)
    view.clear()
    wait_js(qtbot, view, "document.getElementById('plot') === null")


def test_plotly_is_found_in_the_package_and_in_a_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the plotly package installed THEN its plotly.min.js is served, found without
    importing the package; GIVEN a PyInstaller bundle THEN the copy the bundle carries is."""
    import subprocess
    import sys

    from desktop_app.ui.answer.server import plotly_js

    installed = plotly_js()
    assert installed is not None
    assert installed.parts[-2:] == ("package_data", "plotly.min.js")
    assert installed.stat().st_size > 4_000_000
    probe = (
        "import sys; from desktop_app.ui.answer.server import plotly_js; "
        "print(plotly_js() is not None, 'plotly' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert found.stdout.split() == ["True", "False"]  # found, and the package never imported

    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert plotly_js() is None  # a bundle without it: the page shows the text summary
    bundled = tmp_path / "plotly" / "package_data" / "plotly.min.js"
    bundled.parent.mkdir(parents=True)
    bundled.write_text("/* plotly */", encoding="utf-8")
    assert plotly_js() == bundled

"""The answer page's plot module, drawn for real by QtWebEngine (offscreen) under the answer
page's own Content-Security-Policy, with the plotly.js bundle from the `plotly` package."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QUrl
from PySide6.QtGui import QImage
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestJob,
    QWebEngineUrlSchemeHandler,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from desktop_app.core.plots import PlotSpec, plot_for, sample_function
from desktop_app.core.plots.spec import series_to_json

ROOT = Path(__file__).resolve().parents[2]
ANSWER = ROOT / "resources" / "answer"
ARTIFACTS = ROOT / "test-artifacts"
PLOTLY = Path(str(files("plotly") / "package_data" / "plotly.min.js"))
SCHEME = b"qmath"  # registered before the QApplication by tests/conftest.py
_CSP = re.search(
    r'http-equiv="Content-Security-Policy" content="([^"]+)"',
    (ANSWER / "answer.html").read_text(encoding="utf-8"),
)
assert _CSP is not None
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP.group(1)}">
<script src="plot.js"></script></head>
<body style="margin:0"><div id="plot" style="width:760px"></div></body></html>"""


class _Files(QWebEngineUrlSchemeHandler):
    """Serves the test page, plot.js and plotly.min.js over qmath://answer/ (as the app will)."""

    def __init__(self, served: dict[str, tuple[bytes, bytes]]) -> None:
        super().__init__()
        self.served = served

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:
        found = self.served.get(job.requestUrl().path())
        if found is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        data, mime = found
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        job.reply(mime, buffer)


class _Page(QWebEnginePage):
    """Collects the console, so a CSP refusal or a script error fails the test."""

    def __init__(self, profile: QWebEngineProfile, parent: Any) -> None:
        super().__init__(profile, parent)
        self.console: list[str] = []

    def javaScriptConsoleMessage(self, level: Any, message: str, line: int, source: str) -> None:
        self.console.append(message)


@pytest.fixture(scope="module")
def profile(qapp: Any) -> QWebEngineProfile:
    """An off-the-record profile serving the files; it lives as long as the application, so it
    outlasts every page that uses it."""
    made = QWebEngineProfile(QCoreApplication.instance())
    handler = _Files(
        {
            "/test.html": (PAGE.encode(), b"text/html;charset=utf-8"),
            "/plot.js": ((ANSWER / "plot.js").read_bytes(), b"text/javascript;charset=utf-8"),
            "/plotly/plotly.min.js": (PLOTLY.read_bytes(), b"text/javascript;charset=utf-8"),
        }
    )
    handler.setParent(made)
    made.installUrlSchemeHandler(SCHEME, handler)
    return made


@pytest.fixture
def view(qtbot: Any, profile: QWebEngineProfile) -> Iterator[QWebEngineView]:
    widget = QWebEngineView()
    page = _Page(profile, widget)
    widget.setPage(page)
    widget.resize(800, 520)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(page.loadFinished, timeout=20000) as loaded:
        widget.load(QUrl("qmath://answer/test.html"))
    assert loaded.args == [True]
    yield widget
    refusals = [m for m in page.console if "Content Security Policy" in m or "Refused" in m]
    assert not refusals, refusals


def run_js(qtbot: Any, view: QWebEngineView, script: str) -> Any:
    box: dict[str, Any] = {}
    view.page().runJavaScript(script, 0, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=10000)
    return box["result"]


def wait_js(qtbot: Any, view: QWebEngineView, script: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := run_js(qtbot, view, script)):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        qtbot.wait(50)
    return result


def render(qtbot: Any, view: QWebEngineView, spec: PlotSpec, theme: str = "light") -> str:
    """Draw the spec; the module's own answer: "plot" or "text"."""
    run_js(
        qtbot,
        view,
        f"window.outcome = null; QmathPlot.render(document.getElementById('plot'), "
        f"{json.dumps(spec.to_json())}, {json.dumps(theme)}).then(r => window.outcome = r); 1",
    )
    return str(wait_js(qtbot, view, "window.outcome"))


def dom(qtbot: Any, view: QWebEngineView) -> dict[str, Any]:
    """What Plotly put on the page, as counts and texts."""
    return json.loads(
        run_js(
            qtbot,
            view,
            """(() => {
              const area = document.querySelector('.qmath-plot-area');
              const q = (s) => Array.from(area.querySelectorAll(s));
              return JSON.stringify({
                svg: q('svg.main-svg').length,
                lines: q('.scatterlayer .trace path.js-line')
                  .filter(p => parseFloat(p.style.strokeWidth) > 0).map(p => p.getAttribute('d')),
                fills: q('.scatterlayer .trace path.js-fill').length,
                points: q('.scatterlayer .trace .points path.point').length,
                labels: q('.scatterlayer .trace .text text').map(t => t.textContent),
                shapes: q('.shapelayer path').length,
                annotations: q('.annotation-text').map(t => t.textContent),
                title: q('.gtitle').map(t => t.textContent),
                legend: q('.legendtext').map(t => t.textContent),
                buttons: q('.modebar-btn').map(b => b.getAttribute('data-title')),
                background: getComputedStyle(area.querySelector('svg.main-svg')).backgroundColor,
                xrange: area.layout.xaxis.range,
                yrange: area.layout.yaxis.range,
                traces: area.data.length,
              });
            })()""",
        )
    )


def settle_and_grab(qtbot: Any, view: QWebEngineView, name: str) -> QImage:
    """Wait until the frame shows the plot, save it under test-artifacts/, return it."""
    ARTIFACTS.mkdir(exist_ok=True)

    def inked() -> bool:
        image = view.grab().toImage()
        colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, 380, 7)}
        return len(colours) > 8

    qtbot.waitUntil(inked, timeout=10000)
    qtbot.wait(150)
    image = view.grab().toImage()
    assert image.save(str(ARTIFACTS / name))
    return image


def test_plot_draws_curves_points_area_and_reset(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN an integral's plot spec WHEN the page renders it THEN Plotly draws the curve, the
    shaded area, the labelled bound points and the title, with zoom, pan and reset at hand; and
    after a zoom, resetting brings back the spec's window."""
    spec = plot_for("Evaluate $\\int_0^2 x^2 \\, dx$.", "", "\\frac{8}{3}")
    assert spec is not None
    assert render(qtbot, view, spec) == "plot"
    drawn = dom(qtbot, view)
    assert drawn["svg"] >= 1
    assert len(drawn["lines"]) == 1
    assert drawn["lines"][0].count("L") > 40  # the sampled parabola (Plotly simplifies it)
    assert drawn["fills"] == 1
    assert drawn["points"] == 2
    assert sorted(drawn["labels"]) == ["x = 0", "x = 2"]
    assert drawn["title"] == [spec.title]
    assert {"∫ = 2.667", "y = x^2"} <= set(drawn["legend"])
    assert {"Zoom", "Pan", "Zoom in", "Zoom out", "Reset axes"} <= set(drawn["buttons"])
    assert drawn["xrange"] == pytest.approx(list(spec.x_range))

    zoom = "{'xaxis.range': [0.5, 1], 'yaxis.range': [0, 1]}"
    run_js(qtbot, view, f"Plotly.relayout(document.querySelector('.qmath-plot-area'), {zoom}); 1")
    wait_js(qtbot, view, "document.querySelector('.qmath-plot-area').layout.xaxis.range[0] == 0.5")
    run_js(qtbot, view, "document.querySelector('[data-title=\"Reset axes\"]').click(); 1")
    wait_js(qtbot, view, "document.querySelector('.qmath-plot-area').layout.xaxis.range[0] != 0.5")
    assert dom(qtbot, view)["xrange"] == pytest.approx(list(spec.x_range))


def test_hover_shows_coordinates(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN a drawn plot WHEN the pointer rests on a marked root THEN its label and coordinates
    show in a hover box."""
    spec = plot_for("Find the roots of $f(x) = x^2 - 5x + 6$.", "", "2, 3")
    assert spec is not None
    assert render(qtbot, view, spec) == "plot"
    run_js(
        qtbot,
        view,
        """(() => { const area = document.querySelector('.qmath-plot-area');
           const points = area.data.length - 1;
           Plotly.Fx.hover(area, [{curveNumber: points, pointNumber: 0}]); return 1; })()""",
    )
    text = wait_js(qtbot, view, "document.querySelector('.hoverlayer .hovertext')?.textContent")
    first = spec.points[0]
    assert first.label in text
    assert f"({first.x:g}, {first.y:g})" in text


def test_poles_stay_broken_and_asymptotes_dashed(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN 1/(x^2 - 1) WHEN drawn THEN its line is three separate pieces (never bridged across
    x = ±1) and both asymptotes are drawn."""
    spec = plot_for("Sketch the graph of $f(x) = \\frac{1}{x^2-1}$.", "", None)
    assert spec is not None
    assert render(qtbot, view, spec) == "plot"
    drawn = dom(qtbot, view)
    assert sum(d.count("M") for d in drawn["lines"]) == 3
    assert drawn["shapes"] == 2


def test_inequality_bands_and_equal_axes(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN an inequality and a circle-and-line system WHEN drawn THEN the solution bands carry
    their interval labels, and the circle's axes keep one scale."""
    inequality = plot_for("Solve $\\frac{x-1}{x+2} \\geq 0$.", "", None)
    assert inequality is not None
    assert render(qtbot, view, inequality) == "plot"
    drawn = dom(qtbot, view)
    assert drawn["annotations"] == ["(-∞, -2)", "[1, ∞)"]
    assert drawn["shapes"] == 3  # two bands, one asymptote

    system = plot_for("Solve $x^2 + y^2 = 25$ and $y = x + 1$.", "", None)
    assert system is not None
    assert render(qtbot, view, system) == "plot"
    anchor = run_js(
        qtbot, view, "document.querySelector('.qmath-plot-area')._fullLayout.yaxis.scaleanchor"
    )
    assert anchor == "x"
    settle_and_grab(qtbot, view, "plot_circle_light.png")


def test_user_function_goes_to_the_app_and_comes_back(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN a drawn plot WHEN the user types a function THEN the page hands the text and the
    visible range to the app (an event), and the app's samples become a new curve; a refusal
    shows as one line of text."""
    spec = plot_for("Graph $y = x^2$.", "", None)
    assert spec is not None
    assert render(qtbot, view, spec) == "plot"
    run_js(
        qtbot,
        view,
        """window.asked = null;
           document.addEventListener('qmathplot:function', (e) => { window.asked = e.detail; });
           const form = document.querySelector('.qmath-plot-function');
           form.querySelector('input').value = 'sin(x)/x';
           form.requestSubmit(); 1""",
    )
    asked = wait_js(qtbot, view, "window.asked && JSON.stringify(window.asked)")
    detail = json.loads(asked)
    assert detail["text"] == "sin(x)/x"
    assert detail["xRange"] == pytest.approx(list(spec.x_range))
    assert run_js(qtbot, view, "location.href").endswith("/test.html")  # no navigation

    series = sample_function(detail["text"], tuple(detail["xRange"]))
    run_js(
        qtbot,
        view,
        f"QmathPlot.addSeries(document.getElementById('plot'), "
        f"{json.dumps(series_to_json(series), allow_nan=False)}); 1",
    )
    drawn = dom(qtbot, view)
    assert len(drawn["lines"]) == 2
    assert "y = sin(x)/x" in drawn["legend"]

    refusal = "'That is not a function I can read.'"
    run_js(qtbot, view, f"QmathPlot.showInputError(document.getElementById('plot'), {refusal}); 1")
    shown = run_js(qtbot, view, "document.querySelector('.qmath-plot-error').textContent")
    assert shown == "That is not a function I can read."


def test_light_and_dark_screenshots(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN a tangent-line plot WHEN drawn light, then switched to dark THEN the background
    follows the theme (screenshots in test-artifacts/ show both)."""
    spec = plot_for("Find the equation of the tangent line to $y = x^2$ at $x = 1$.", "", None)
    assert spec is not None
    assert render(qtbot, view, spec, "light") == "plot"
    assert dom(qtbot, view)["background"] == "rgb(255, 255, 255)"
    light = settle_and_grab(qtbot, view, "plot_light.png")

    dark_page = "document.body.style.background = '#1e1e20'; "
    run_js(
        qtbot, view, dark_page + "QmathPlot.setTheme(document.getElementById('plot'), 'dark'); 1"
    )
    wait_js(qtbot, view, "document.getElementById('plot').dataset.theme === 'dark'")
    assert dom(qtbot, view)["background"] == "rgb(30, 30, 32)"
    dark = settle_and_grab(qtbot, view, "plot_dark.png")
    assert light.pixelColor(400, 200).lightness() > 200
    assert dark.pixelColor(400, 200).lightness() < 60


def test_following_the_page_theme(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN the page in dark mode (its root has the `dark` class) WHEN a plot is drawn with no
    theme THEN it is dark."""
    spec = plot_for("Graph $y = \\sin x$.", "", None)
    assert spec is not None
    run_js(qtbot, view, "document.documentElement.classList.add('dark'); 1")
    run_js(
        qtbot,
        view,
        f"window.outcome = null; QmathPlot.render(document.getElementById('plot'), "
        f"{json.dumps(spec.to_json())}).then(r => window.outcome = r); 1",
    )
    assert wait_js(qtbot, view, "window.outcome") == "plot"
    assert dom(qtbot, view)["background"] == "rgb(30, 30, 32)"


def test_text_fallback_when_plotly_cannot_load(qtbot: Any, view: QWebEngineView) -> None:
    """GIVEN a page where the plotly bundle cannot be loaded WHEN a plot is rendered THEN a text
    summary (curves, marked points, window) is shown instead, and the page says so."""
    spec = plot_for("Find the roots of $f(x) = x^2 - 5x + 6$.", "", "2, 3")
    assert spec is not None
    run_js(qtbot, view, "QmathPlot.plotlyUrl = 'missing/plotly.min.js'; 1")
    assert render(qtbot, view, spec) == "text"
    text = run_js(qtbot, view, "document.querySelector('.qmath-plot-fallback').innerText")
    assert "y = x^2 - 5x + 6" in text
    assert "Marked: (2, 0), min (2.5, -0.25), (3, 0)" in text
    assert "x from -1 to 5" in text

"""AnswerView: streamed Markdown+LaTeX is typeset, kept, and inert however hostile it is."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWebEngineCore import QWebEnginePage

from desktop_app.ui.answer.scheme import ANSWER_URL
from desktop_app.ui.answer.server import AnswerSchemeHandler
from desktop_app.ui.answer.view import AnswerView
from tests.ui.conftest import ARTIFACTS, run_js, wait_js
from tests.ui.helpers import has_ink

ALL_DELIMITERS = (
    "# Solution\n\n"
    "Let $f(x) = x^2 + 1$ and \\(g(x) = \\sqrt{x}\\). It costs $5 and $10, not math.\n\n"
    "Compose them:\n\n$$\nf(g(x)) = x + 1\n$$\n\n"
    "and integrate \\[ \\int_0^1 x\\,dx = \\frac{1}{2} \\]\n\n"
    "\\begin{align}\na &= b + c \\\\\nd &= e\n\\end{align}\n\n"
    "Code stays code: `$x$` and\n\n```python\nprint('$y$')\n```\n\n"
    "So the answer is $\\boxed{2}$.\n"
)


def stream(qtbot: Any, view: AnswerView, text: str, size: int = 3) -> None:
    """Feed text in small deltas, letting the 30 Hz flush timer fire as it would."""
    for start in range(0, len(text), size):
        view.append_delta(text[start : start + size])
        if start % 60 == 0:
            qtbot.wait(1)
    view.flush()
    wait_js(qtbot, view, "typesetIdle()")


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server recording every path it is asked for."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], hits
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs handed to the system browser (none is really opened)."""
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toString()))
    return urls


def test_streamed_math_in_all_four_delimiters_is_typeset(qtbot: Any, view: AnswerView) -> None:
    """GIVEN an answer using $, $$, \\(, \\[ and align WHEN streamed THEN all of it is typeset."""
    stream(qtbot, view, ALL_DELIMITERS)
    view.finish()
    wait_js(qtbot, view, "typesetIdle() && !document.querySelector('#tail *')")

    state = run_js(
        qtbot,
        view,
        """JSON.stringify({
            mjx: document.querySelectorAll('#blocks mjx-container').length,
            untypeset: document.querySelectorAll('.math:not(.typeset)').length,
            errors: document.querySelectorAll('mjx-container [data-mml-node=merror]').length,
            text: document.getElementById('blocks').innerText})""",
    )
    result = json.loads(state)
    assert result["mjx"] == 6  # f, g, $$, \[, align, boxed
    assert result["untypeset"] == 0
    assert result["errors"] == 0
    assert "It costs $5 and $10, not math." in result["text"]
    assert "$x$" in result["text"]  # a code span keeps its source
    assert "print('$y$')" in result["text"]

    ARTIFACTS.mkdir(exist_ok=True)
    qtbot.waitUntil(lambda: has_ink(view.grab().toImage()), timeout=5000)  # frame composited
    assert view.grab().save(str(ARTIFACTS / "answer_view.png"))


def test_finished_blocks_are_never_rerendered(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a finished block WHEN more text streams THEN its DOM nodes are the same objects."""
    stream(qtbot, view, "First block with $x^2$.\n\nSecond block")
    run_js(
        qtbot,
        view,
        "const b = document.querySelector('#blocks .block'); b.__tag = 'kept';"
        "b.querySelector('mjx-container').__tag = 'kept-math'; true",
    )

    stream(qtbot, view, " goes on.\n\nThird $y$.\n\nFourth \\(z\\)\n\nFifth")

    assert run_js(qtbot, view, "document.querySelectorAll('#blocks .block').length") == 4
    assert run_js(qtbot, view, "document.querySelector('#blocks .block').__tag") == "kept"
    assert (
        run_js(qtbot, view, "document.querySelector('#blocks mjx-container').__tag") == "kept-math"
    )
    assert run_js(qtbot, view, "document.getElementById('tail').innerText.trim()") == "Fifth"


def test_incomplete_math_in_tail_is_shown_as_source(qtbot: Any, view: AnswerView) -> None:
    """GIVEN display math whose closing has not arrived THEN it shows as source, untypeset."""
    stream(qtbot, view, "Done $a$.\n\nNow \\[ x^2 +")

    pending = "document.querySelector('#tail .math-pending')"
    assert run_js(qtbot, view, f"{pending}.textContent") == "\\[ x^2 +"
    assert run_js(qtbot, view, "document.querySelectorAll('#tail mjx-container').length") == 0
    assert run_js(qtbot, view, "document.querySelectorAll('#blocks mjx-container').length") == 1

    stream(qtbot, view, " 1 \\]")

    assert run_js(qtbot, view, f"{pending} === null") is True
    assert run_js(qtbot, view, "document.querySelectorAll('#tail mjx-container').length") == 1


def test_hostile_output_is_inert(
    qtbot: Any, view: AnswerView, server: tuple[int, list[str]], opened: list[str]
) -> None:
    """GIVEN a model answer full of script tricks WHEN rendered and every link clicked
    THEN no script runs, nothing remote loads, and only the web link reaches the browser."""
    port, hits = server
    base = f"http://127.0.0.1:{port}"
    hostile = (
        "<script>window.__pwned=1</script>\n\n"
        '<img src=x onerror="window.__pwned=1">\n\n'
        "[x](javascript:window.__pwned=1) and <javascript:window.__pwned=1>\n\n"
        "$\\href{javascript:window.__pwned=1}{x}$ and \\(\\href{data:text/html,hi}{d}\\)\n\n"
        f"$\\style{{background-image: url({base}/style.png)}}{{s}}$ "
        '$\\class{x" onclick="window.__pwned=1}{c}$ '
        "$\\unicode[some-font; background:url(http://127.0.0.1/u)]{x41}$\n\n"
        f"$</span><img src=x onerror=window.__pwned=1>$ ![remote]({base}/image.png)\n\n"
        f"[web]({base}/link) and $\\href{{{base}/math-link}}{{m}}$\n"
    )
    stream(qtbot, view, hostile)
    view.finish()
    wait_js(qtbot, view, "typesetIdle() && !document.querySelector('#tail *')")

    assert run_js(qtbot, view, "document.querySelectorAll('#answer script').length") == 0
    assert run_js(
        qtbot,
        view,
        "Array.from(document.scripts).every(s => s.src.startsWith('qmath://answer/'))",
    )
    assert run_js(qtbot, view, "document.querySelectorAll('#answer img').length") == 0
    assert run_js(qtbot, view, "document.querySelectorAll('[href^=javascript]').length") == 0
    assert run_js(qtbot, view, "document.querySelectorAll('[href^=data]').length") == 0
    clicked = run_js(
        qtbot,
        view,
        "const links = document.querySelectorAll('#answer a');"
        "links.forEach(a => a.dispatchEvent(new MouseEvent('click', {bubbles: true})));"
        "links.length",
    )
    assert clicked == 2  # the markdown web link and the MathJax \href to it; the rest are gone
    qtbot.wait(500)

    assert run_js(qtbot, view, "typeof window.__pwned") == "undefined"
    assert hits == []
    assert sorted(opened) == [f"{base}/link", f"{base}/math-link"]
    assert view.url() == ANSWER_URL


def test_csp_blocks_remote_loads(
    qtbot: Any, view: AnswerView, server: tuple[int, list[str]]
) -> None:
    """GIVEN the page WHEN a script tries to load a remote image or fetch THEN the CSP refuses."""
    port, hits = server
    run_js(
        qtbot,
        view,
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective));"
        f"const img = new Image(); img.src = 'http://127.0.0.1:{port}/csp.png';"
        f"fetch('http://127.0.0.1:{port}/fetch').catch(() => {{}}); true",
    )

    violations = wait_js(
        qtbot, view, "window.__violations.length >= 2 && JSON.stringify(window.__violations)"
    )

    assert set(json.loads(violations)) == {"img-src", "connect-src"}
    assert hits == []


def test_navigation_is_refused(qtbot: Any, view: AnswerView, server: tuple[int, list[str]]) -> None:
    """GIVEN the loaded page WHEN anything tries to navigate away THEN it stays put."""
    port, hits = server
    page = view.page()
    for nav_type in QWebEnginePage.NavigationType:
        assert not page.acceptNavigationRequest(QUrl(f"http://127.0.0.1:{port}/"), nav_type, True)
    assert not page.acceptNavigationRequest(
        ANSWER_URL, QWebEnginePage.NavigationType.NavigationTypeReload, True
    )

    view.setUrl(QUrl(f"http://127.0.0.1:{port}/typed"))
    run_js(qtbot, view, f"location.href = 'http://127.0.0.1:{port}/scripted'; true")
    assert run_js(qtbot, view, f"window.open('http://127.0.0.1:{port}/popup') === null") is True
    qtbot.wait(500)

    assert hits == []
    assert run_js(qtbot, view, "typeof appendBlocks") == "function"
    assert view.url() == ANSWER_URL


def test_notice_is_text_only_and_clear_empties(qtbot: Any, view: AnswerView) -> None:
    """GIVEN a partial answer WHEN the connection drops THEN a plain-text notice shows."""
    view.set_markdown("Partial $x$ answer")
    view.show_notice("<b>The connection dropped</b>; partial answer kept", "warning")
    wait_js(qtbot, view, "typesetIdle() && !document.getElementById('notice').hidden")

    assert run_js(qtbot, view, "document.getElementById('notice').className") == "warning"
    assert run_js(qtbot, view, "document.querySelectorAll('#notice b').length") == 0
    assert run_js(qtbot, view, "document.querySelectorAll('#blocks mjx-container').length") == 1

    view.clear()

    wait_js(qtbot, view, "document.getElementById('answer').innerText.trim() === ''")
    assert run_js(qtbot, view, "document.getElementById('notice').hidden") is True


def test_deltas_are_coalesced_into_one_flush(qtbot: Any, view: AnswerView) -> None:
    """GIVEN many deltas arriving at once THEN the page is updated once, after ~33 ms."""
    flushes: list[int] = []
    real_flush = view.flush
    view.flush = lambda: (flushes.append(1), real_flush())  # type: ignore[method-assign]
    for word in ("Many ", "small ", "deltas ", "with ", "$x", "^2$", " in ", "them."):
        view.append_delta(word)
    assert flushes == []

    wait_js(qtbot, view, "typesetIdle() && document.querySelector('#tail mjx-container') !== null")

    assert len(flushes) == 1
    tail = run_js(qtbot, view, "document.getElementById('tail').innerText.trim()")
    assert tail.startswith("Many small deltas with")


def test_calls_before_load_are_queued(qtbot: Any) -> None:
    """GIVEN a view whose page has not loaded WHEN text arrives THEN it shows once loaded."""
    widget = AnswerView()
    widget.set_markdown("Early $e^{i\\pi}$ text")
    assert not widget.ready
    try:
        qtbot.waitUntil(lambda: widget.ready, timeout=15000)
        wait_js(qtbot, widget, "document.querySelectorAll('#blocks mjx-container').length === 1")
    finally:
        widget.close()
        widget.deleteLater()
        qtbot.wait(20)


def test_page_settings_queued_before_load_outlive_a_clear(qtbot: Any) -> None:
    """GIVEN the dark theme set before the page loaded WHEN an answer replaces the (empty)
    content before the load THEN the page still comes up dark, with the answer."""
    widget = AnswerView()
    widget.set_theme("dark")
    widget.set_markdown("Early text")  # clears first, as opening a conversation does
    try:
        qtbot.waitUntil(lambda: widget.ready, timeout=15000)
        wait_js(qtbot, widget, "document.getElementById('blocks').textContent.includes('Early')")
        assert run_js(qtbot, widget, "document.documentElement.classList.contains('dark')")
    finally:
        widget.close()
        widget.deleteLater()
        qtbot.wait(20)


@pytest.mark.parametrize(
    ("url", "served"),
    [
        ("qmath://answer/answer.html", True),
        ("qmath://answer/answer.js", True),
        ("qmath://answer/mathjax/tex-svg.js", True),
        ("qmath://answer/mathjax/input/tex/extensions/html.js", True),
        ("qmath://answer/mathjax/../answer.html", False),  # never leaves the folder asked for
        ("qmath://answer/mathjax/%2e%2e/%2e%2e/%2e%2e/__init__.py", False),
        ("qmath://answer/../../../../etc/passwd", False),
        ("qmath://answer/sub/answer.html", False),
        ("qmath://other/answer.html", False),
        ("qmath://answer/mathjax/node-main.js.map", False),
        ("qmath://answer/missing.js", False),
        ("qmath://answer/plotly/plotly.min.js", True),
        ("qmath://answer/plotly/plotly.js", False),  # only the one file of the plotly package
        ("qmath://answer/plotly/../plotly/plotly.min.js", False),
        ("qmath://answer/plotly/package_data/plotly.min.js", False),
        ("qmath://answer/plotly/__init__.py", False),
    ],
)
def test_scheme_serves_only_its_two_folders(qapp: Any, url: str, served: bool) -> None:
    """GIVEN a qmath:// URL THEN only files of the page or MathJax's es5 folder resolve, and
    plotly.min.js from the plotly package."""
    handler = AnswerSchemeHandler()
    try:
        assert (handler.resolve(QUrl(url)) is not None) is served
    finally:
        handler.deleteLater()

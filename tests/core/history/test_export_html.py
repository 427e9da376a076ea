"""Standalone HTML export: one file, math and image inline, renders with no network at all."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.history.export_html import export_html, to_html
from desktop_app.core.history.store import HistoryStore
from tests.fakes.images import png_bytes

TRANSCRIPT = "Solve $x^2 - 5x + 6 = 0$ and compute \\(\\boldsymbol{v}\\cdot\\cancel{w}\\)."
ANSWER = (
    "Factor: $$\n(x-2)(x-3) = 0\n$$\n\nso \\[ x \\in \\{2, 3\\} \\] and the answer is "
    "$\\boxed{2, 3}$. A link [here](https://example.com) and "
    "$\\href{javascript:void(document.title='pwned')}{x}$."
)


@pytest.fixture
def conversation_id(store: HistoryStore) -> str:
    conv_id = store.create_conversation(png_bytes(64, 40, "navy"), TRANSCRIPT)
    turn = store.add_turn(conv_id, "Find the roots.")
    store.update_turn(turn, answer=ANSWER, status="complete", final_answer="2, 3")
    follow = store.add_turn(conv_id, "Which is <b>larger</b>?")
    store.update_turn(follow, answer="$3 > 2$", status="complete")
    return conv_id


def exported(store: HistoryStore, conv_id: str, tmp_path: Path) -> Path:
    conversation = store.get(conv_id)
    return export_html(conversation, store.image_path(conversation), tmp_path / "out.html")


def test_export_is_one_self_contained_file(
    store: HistoryStore, conversation_id: str, tmp_path: Path
) -> None:
    """GIVEN a saved conversation WHEN exported THEN nothing is loaded from outside the file."""
    page = exported(store, conversation_id, tmp_path).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"<(img|iframe|object|embed)[^>]*\bsrc\s*=\s*[\"']?https?:", page, re.I)
    png = store.images.image_path(store.get(conversation_id).image_sha256 or "").read_bytes()
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    assert "default-src 'none'" in csp.group(1)
    assert "'unsafe-inline'" not in csp.group(1).split("script-src")[1].split(";")[0]
    assert "http" not in csp.group(1)
    # the question's HTML is text, never markup
    assert "<b>larger</b>" not in page
    assert "&lt;b&gt;larger&lt;/b&gt;" in page


def test_export_without_an_image(store: HistoryStore, tmp_path: Path) -> None:
    """GIVEN a typed problem WHEN exported THEN there is no figure and the text is there."""
    conv_id = store.create_conversation(None, "", title="Typed one")
    turn = store.add_turn(conv_id, "What is $1+1$?")
    store.update_turn(turn, answer="$\\boxed{2}$", status="complete")
    page = to_html(store.get(conv_id), None)
    assert "<figure" not in page
    assert "<title>Typed one</title>" in page
    assert "What is" in page


@pytest.fixture
def browser(qtbot: Any) -> Iterator[tuple[Any, list[str]]]:
    """A web view on a fresh off-the-record profile, and the list of URLs it requested."""
    from PySide6.QtWebEngineCore import (
        QWebEnginePage,
        QWebEngineProfile,
        QWebEngineUrlRequestInterceptor,
    )
    from PySide6.QtWebEngineWidgets import QWebEngineView

    urls: list[str] = []

    class Recorder(QWebEngineUrlRequestInterceptor):
        def interceptRequest(self, info: Any) -> None:
            urls.append(info.requestUrl().toString())

    profile = QWebEngineProfile()  # off the record: nothing written anywhere
    # owned by the profile: it must outlive every request
    profile.setUrlRequestInterceptor(Recorder(profile))
    view = QWebEngineView()
    page = QWebEnginePage(profile, view)  # owned by the view, so it goes before the profile
    view.setPage(page)
    view.resize(900, 900)
    view.show()
    yield view, urls
    # A profile must outlive its pages, or QtWebEngine may crash later: view (and page) first.
    with qtbot.waitSignal(page.destroyed, timeout=5000):
        view.close()
        view.deleteLater()
    profile.deleteLater()
    qtbot.wait(10)


def test_export_renders_offline_in_a_browser(
    qtbot: Any,
    store: HistoryStore,
    conversation_id: str,
    tmp_path: Path,
    browser: tuple[Any, list[str]],
) -> None:
    """GIVEN the exported file WHEN a browser opens it THEN MathJax typesets all the math
    and the only request made is for the file itself."""
    from PySide6.QtCore import QUrl

    from tests.ui.conftest import run_js, wait_js

    view, urls = browser
    page = view.page()
    path = exported(store, conversation_id, tmp_path)
    with qtbot.waitSignal(page.loadFinished, timeout=20000) as loaded:
        page.load(QUrl.fromLocalFile(str(path)))
    assert loaded.args == [True]
    # 2 in the transcript, 4 in the first answer, 1 final answer, 1 in the follow-up
    count = "document.querySelectorAll('mjx-container').length"
    wait_js(qtbot, view, f"{count} >= 8", timeout=20.0)
    assert run_js(qtbot, view, "document.querySelectorAll('mjx-merror').length") == 0
    assert run_js(qtbot, view, "document.querySelector('figure img').naturalWidth") == 64
    # a javascript: link that \\href made cannot run: scripts are allowed by hash only
    links = "document.querySelectorAll('[href^=\"javascript\"]')"
    assert run_js(qtbot, view, f"{links}.length") == 1
    run_js(qtbot, view, f"location.href = {links}[0].getAttribute('href'); 1")
    qtbot.wait(200)
    assert run_js(qtbot, view, "document.title") != "pwned"
    remote = [u for u in urls if not u.startswith(("file:", "data:"))]
    assert remote == []


_LOADS = re.compile(
    r"<(?:img|script|link|iframe|object|embed|source|video|audio|image|use)\b[^>]*?"
    r"\b(?:src|href|xlink:href)\s*=\s*[\"']?\s*https?:|url\(\s*[\"']?\s*https?:|@import",
    re.IGNORECASE,
)


@pytest.fixture
def plotted_id(store: HistoryStore) -> str:
    from desktop_app.core.plots import plot_for

    spec = plot_for("Find the roots of $f(x) = x^2 - 5x + 6$.", "", "2, 3")
    assert spec is not None
    conv_id = store.create_conversation(None, "Find the roots of $f(x) = x^2 - 5x + 6$.")
    turn = store.add_turn(conv_id, "")
    store.update_turn(
        turn,
        answer="$(x-2)(x-3) = 0$, so $\\boxed{2, 3}$.",
        status="complete",
        final_answer="2, 3",
        details={"plot": spec.to_json()},
    )
    return conv_id


def test_the_plot_is_inside_the_file_as_an_image(
    store: HistoryStore, plotted_id: str, tmp_path: Path
) -> None:
    """GIVEN a turn saved with its plot WHEN exported THEN the plot is an SVG picture inside the
    file, under the solution, with its points labelled; nothing in the file or in the picture
    loads from the network."""
    page = exported(store, plotted_id, tmp_path).read_text(encoding="utf-8")
    found = re.search(
        r'<figure class="plot"><img alt="([^"]+)" src="data:image/svg\+xml;'
        r'base64,([A-Za-z0-9+/=]+)"></figure>',
        page,
    )
    assert found is not None
    assert found.group(1) == "Plot of y = x^2 - 5x + 6"
    assert page.index("Solution") < found.start()
    svg = base64.b64decode(found.group(2)).decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert svg.rstrip().endswith("</svg>")
    for label in ("(2, 0)", "(3, 0)", "y = x^2 - 5x + 6"):
        assert f">{label}<" in svg  # text stays text: selectable, searchable
    assert not _LOADS.search(page)
    assert not _LOADS.search(svg)
    assert "<script" not in svg


def test_the_plot_shows_offline_in_a_browser(
    qtbot: Any,
    store: HistoryStore,
    plotted_id: str,
    tmp_path: Path,
    browser: tuple[Any, list[str]],
) -> None:
    """GIVEN the exported file WHEN a browser opens it THEN the plot picture is drawn (a
    screenshot in test-artifacts/plots/ shows it) and nothing was requested but the file."""
    from PySide6.QtCore import QUrl

    from tests.ui.conftest import ARTIFACTS, run_js, wait_js
    from tests.ui.helpers import has_ink

    view, urls = browser
    page = view.page()
    path = exported(store, plotted_id, tmp_path)
    with qtbot.waitSignal(page.loadFinished, timeout=20000) as loaded:
        page.load(QUrl.fromLocalFile(str(path)))
    assert loaded.args == [True]
    image = "document.querySelector('figure.plot img')"
    wait_js(qtbot, view, f"{image}.complete && {image}.naturalWidth > 0")
    assert run_js(qtbot, view, f"{image}.naturalWidth") == 672  # 7 in: 504 pt, 672 CSS px
    wait_js(qtbot, view, "document.querySelectorAll('mjx-container').length >= 3", timeout=20.0)
    run_js(qtbot, view, f"{image}.scrollIntoView(); 1")
    qtbot.wait(200)
    shot = view.grab().toImage()
    (ARTIFACTS / "plots").mkdir(parents=True, exist_ok=True)
    assert shot.save(str(ARTIFACTS / "plots" / "export_html.png"))
    assert has_ink(shot)
    remote = [u for u in urls if not u.startswith(("file:", "data:"))]
    assert remote == []

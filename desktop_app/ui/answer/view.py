"""AnswerView: the live, locked-down web view that shows a streamed Markdown+LaTeX answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QContextMenuEvent
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from desktop_app.ui.answer.checks import page_labels
from desktop_app.ui.answer.scheme import ANSWER_URL
from desktop_app.ui.answer.step_marks import StepPlace, StepPlaces
from desktop_app.ui.deferred import after_first_paint

if TYPE_CHECKING:
    from desktop_app.core.markdown_render import StreamingRenderer, StreamUpdate
    from desktop_app.ui.answer.plot_input import TypedFunctions

log = logging.getLogger(__name__)

PageCall = tuple[str, tuple[object, ...]]  # a function of answer.js and its arguments


def page_script(calls: list[PageCall]) -> str:
    """One script making `calls` in order, every argument as JSON (never spliced as code)."""
    import json  # not at start-up: nothing is sent before the page has loaded

    return "".join(f"{name}({', '.join(json.dumps(arg) for arg in args)});" for name, args in calls)


_SETTINGS_CALLS = (
    "setLabels",
    "setCheckLabels",
    "setPlotLabels",
    "setTheme",
)  # how the page looks, not what it shows
FLUSH_INTERVAL_MS = 33  # ~30 repaints a second: smooth to the eye, cheap for the GUI thread
# A live preview (question, transcript) typesets at most this often: MathJax is not free.
PREVIEW_DELAY_MS = 200
# Loaded but MathJax silent this long (a broken bundle): show answers anyway, math as source.
MATHJAX_START_TIMEOUT_MS = 10_000


class AnswerView(QWebEngineView):
    """Shows an answer as it streams: deltas are coalesced and sent ~30 times a second."""

    copy_final_requested = Signal()  # the page's Copy button next to the final answer
    became_ready = Signal()  # the page has loaded and MathJax has started (see `ready`)

    flush_interval_ms = FLUSH_INTERVAL_MS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer_instance: StreamingRenderer | None = None
        self._typed_functions: TypedFunctions | None = None  # made with the first plot
        self._deltas: list[str] = []
        self._timer_armed = False
        self._ready = False
        self._queued: list[PageCall] = []  # page calls held until the page has loaded
        self._places = StepPlaces()  # where checked steps go on the page
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.flush_interval_ms)
        self._timer.timeout.connect(self._on_flush_timer)
        labels = {
            "code": self.tr("Python code"),
            "output": self.tr("Output"),
            "final": self.tr("Final answer"),
            "copy": self.tr("Copy"),
        }
        self._call("setLabels", labels)  # queued until the page has loaded
        self._call("setCheckLabels", page_labels())
        plot_labels = {
            "placeholder": self.tr("Add a function, e.g. x^2 - 3"),
            "button": self.tr("Plot"),
            "plot": self.tr("Plot"),
        }
        self._call("setPlotLabels", plot_labels)
        after_first_paint(self, self._load_page)  # starting the web engine takes ~0.15 s

    def _load_page(self) -> None:
        # the page, its profile and scheme handler: imported here, after the first paint
        from desktop_app.ui.answer.page import AnswerPage
        from desktop_app.ui.answer.server import answer_profile

        page = AnswerPage(answer_profile(), self)
        page.link_clicked.connect(self._on_link_clicked)
        page.action_requested.connect(self._on_page_action)
        page.mathjax_started.connect(self._on_ready)
        page.loadFinished.connect(self._on_load_finished)
        page.setUrl(ANSWER_URL)  # first: the renderer starts while the view takes the page
        self.setPage(page)

    @property
    def ready(self) -> bool:
        """Whether the page can show an answer: loaded, MathJax started, a formula typesets
        at once (until then, page calls are queued)."""
        return self._ready

    def append_delta(self, text: str) -> None:
        """Add streamed text; it appears on the next flush (at most ~30 per second)."""
        if not text:
            return
        self._deltas.append(text)
        if not self._timer_armed:  # plain Python per token: Qt is touched once per flush
            self._timer_armed = True
            self._timer.start()

    def flush(self) -> None:
        """Render the coalesced deltas now: new finished blocks plus the tail."""
        if self._timer_armed:  # flushed early by hand; the timer must not fire again
            self._timer_armed = False
            self._timer.stop()
        if not self._deltas:
            return
        text = "".join(self._deltas)
        self._deltas.clear()
        self._places.fed(text)
        self._send(self._renderer.feed(text))

    def finish(self) -> None:
        """The stream ended: render the tail as a finished block (unclosed $ becomes text)."""
        self.flush()
        self._send(self._renderer.finish(), ended=True)

    def set_markdown(self, text: str) -> None:
        """Show a complete answer at once, replacing whatever is shown."""
        self.clear()
        self._places.fed(text)
        first, last = self._renderer.feed(text), self._renderer.finish()
        for update in (first, last):
            self._places.cut(update)
        self._places.ended()
        self._call("appendBlocks", list(first.new_blocks + last.new_blocks))

    def clear(self) -> None:
        """Drop the shown answer and anything not yet flushed."""
        self._timer_armed = False
        self._timer.stop()
        self._deltas.clear()
        self._renderer.reset()
        self._places.reset()
        if not self._ready:  # of what is queued, only the page's settings outlive a clear
            self._queued = [call for call in self._queued if call[0] in _SETTINGS_CALLS]
        if self._typed_functions is not None:
            self._typed_functions.reset()
        self._run([("clear", ()), ("clearPlot", ())])

    def show_plot(self, spec: Mapping[str, Any]) -> None:
        """Draw a plot under the answer (core.plots' `PlotSpec.to_json()`), replacing any other;
        the user can add functions to it."""
        if self._typed_functions is None:
            from desktop_app.ui.answer.plot_input import TypedFunctions

            self._typed_functions = TypedFunctions(
                lambda series: self._call("addPlotSeries", series),
                lambda sentence: self._call("showPlotError", sentence),
                self,
            )
        self._typed_functions.reset(str(spec.get("variable", "x")))
        self._call("showPlot", dict(spec))

    def show_final(self, answer: str, label: str, check: str, reason: str = "") -> None:
        """Highlight the final answer below the solution, with how it was checked (and why,
        shown when the check is clicked)."""
        from desktop_app.core.markdown_render import render_markdown

        html = render_markdown(f"$$\\boxed{{{answer}}}$$")
        self._call("setFinal", html, label, check)
        self._call("setCheckReason", reason)

    def show_step(self, start: int, end: int, verdict: str, reason: str) -> None:
        """Mark a checked step in place: `start`/`end` are offsets into the text being
        streamed (or last shown); the mark appears once that block is on the page."""
        if self._deltas and not self._places.open:
            self.flush()  # the first text of an answer: where it starts must be known
        self._places.add(StepPlace(start, end, verdict, reason))
        # While the flush timer is armed the next flush brings the mark, with its blocks.
        if not self._timer_armed and (marks := self._places.ready()):
            self._call("addStepMarks", marks)

    def show_step_summary(self, text: str, wrong: int) -> None:
        """The line above the final answer: '12 steps checked, 1 wrong' ('' hides it)."""
        self._call("setStepSummary", text, wrong)

    def show_sample_progress(self, finished: int, total: int, text: str) -> None:
        """Self-consistency: how many samples have finished, below the answer."""
        self._call("setSampleProgress", finished, total, text)

    def show_samples(self, data: dict[str, object]) -> None:
        """Self-consistency: the vote and each sample, folded (see ui/answer/samples.py)."""
        self._call("setSamples", data)

    def set_theme(self, name: str) -> None:
        """Light or dark colours for the page ("system" follows the desktop)."""
        self._call("setTheme", name)

    def show_notice(self, text: str, kind: str = "info") -> None:
        """Show a one-line notice above the answer; kind is info, warning or error."""
        self._call("setNotice", text, kind)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Stop the flush timer with the view, so nothing fires after it is gone."""
        self._timer_armed = False  # the next delta re-arms it
        self._timer.stop()
        if self._typed_functions is not None:
            self._typed_functions.shutdown()
        super().closeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt API)
        """Copy and Select All only: no reload, back, save or view-source."""
        from PySide6.QtWebEngineCore import QWebEnginePage
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        texts = {
            QWebEnginePage.WebAction.Copy: self.tr("Copy"),
            QWebEnginePage.WebAction.SelectAll: self.tr("Select all"),
        }
        for web_action, text in texts.items():
            action = self.pageAction(web_action)
            action.setText(text)  # in the UI language, whatever QtWebEngine's catalogue says
            menu.addAction(action)
        menu.exec(event.globalPos())
        menu.deleteLater()

    @property
    def _renderer(self) -> StreamingRenderer:
        # markdown-it takes ~0.1 s to import: not before the first answer, not at start-up
        if self._renderer_instance is None:
            from desktop_app.core.markdown_render import StreamingRenderer

            self._renderer_instance = StreamingRenderer()
        return self._renderer_instance

    def _send(self, update: StreamUpdate, *, ended: bool = False) -> None:
        calls: list[PageCall] = []
        if update.new_blocks:
            calls.append(("appendBlocks", (list(update.new_blocks),)))
        calls.append(("setTail", (update.tail,)))
        self._places.cut(update)
        if ended:
            self._places.ended()
        if marks := self._places.ready():  # step marks that waited for these blocks
            calls.append(("addStepMarks", (marks,)))
        self._run(calls)

    def _call(self, function: str, *args: object) -> None:
        """Call one of the page's functions with JSON arguments."""
        self._run([(function, args)])

    def _run(self, calls: list[PageCall]) -> None:
        if self._ready:
            self.page().runJavaScript(page_script(calls), 0)
        else:
            self._queued.extend(calls)

    def _on_load_finished(self, ok: bool) -> None:
        if self._ready:
            return  # a refused navigation reports a failed load; the page itself is unchanged
        if not ok:
            log.error("answer page failed to load from %s", ANSWER_URL.toString())
            return
        # MathJax's ready message usually comes with the load; should it never come, the
        # answer still shows (its math as source) rather than waiting in the queue forever.
        QTimer.singleShot(MATHJAX_START_TIMEOUT_MS, self, self._on_mathjax_silent)

    def _on_mathjax_silent(self) -> None:
        if not self._ready:
            log.error("MathJax did not start in the answer page; math is shown as source")
            self._on_ready()

    def _on_ready(self) -> None:
        if self._ready:
            return
        self._ready = True
        queued, self._queued = self._queued, []
        for call in queued:  # one script each: a call that throws does not cancel the rest
            self.page().runJavaScript(page_script([call]), 0)
        self.became_ready.emit()

    def _on_flush_timer(self) -> None:
        self._timer_armed = False  # it has fired: nothing to stop
        self.flush()

    def _on_page_action(self, action: str) -> None:
        if action == "copy-final":
            self.copy_final_requested.emit()
        elif action.startswith("plot-function/") and self._typed_functions is not None:
            self._typed_functions.request(action.removeprefix("plot-function/"))

    def _on_link_clicked(self, url: QUrl) -> None:
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(url)

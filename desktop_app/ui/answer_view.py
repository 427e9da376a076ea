"""AnswerView: the live, locked-down web view that shows a streamed Markdown+LaTeX answer."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QContextMenuEvent, QDesktopServices
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QMenu, QWidget

from desktop_app.ui.web_scheme import ANSWER_URL, answer_profile

if TYPE_CHECKING:
    from desktop_app.core.markdown_render import StreamingRenderer, StreamUpdate

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 33  # ~30 repaints a second: smooth to the eye, cheap for the GUI thread
_EXTERNAL_SCHEMES = ("http", "https", "mailto")
_ACTIONS = "/action/"
_OFF = (
    QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows,
    QWebEngineSettings.WebAttribute.JavascriptCanAccessClipboard,
    QWebEngineSettings.WebAttribute.JavascriptCanPaste,
    QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls,
    QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls,
    QWebEngineSettings.WebAttribute.LocalStorageEnabled,
    QWebEngineSettings.WebAttribute.PluginsEnabled,
    QWebEngineSettings.WebAttribute.PdfViewerEnabled,
    QWebEngineSettings.WebAttribute.AllowRunningInsecureContent,
    QWebEngineSettings.WebAttribute.AllowGeolocationOnInsecureOrigins,
    QWebEngineSettings.WebAttribute.AllowWindowActivationFromJavaScript,
    QWebEngineSettings.WebAttribute.NavigateOnDropEnabled,
    QWebEngineSettings.WebAttribute.ErrorPageEnabled,
    QWebEngineSettings.WebAttribute.DnsPrefetchEnabled,
    QWebEngineSettings.WebAttribute.HyperlinkAuditingEnabled,
    QWebEngineSettings.WebAttribute.ScreenCaptureEnabled,
    QWebEngineSettings.WebAttribute.FullScreenSupportEnabled,
    QWebEngineSettings.WebAttribute.WebGLEnabled,
    QWebEngineSettings.WebAttribute.AutoLoadIconsForPage,
    QWebEngineSettings.WebAttribute.TouchIconsEnabled,
)


class AnswerPage(QWebEnginePage):
    """A page that loads the answer page once and refuses every other navigation."""

    link_clicked = Signal(QUrl)
    action_requested = Signal(str)  # a control of the page itself, e.g. "copy-final"

    def __init__(self, profile: QWebEngineProfile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self._loaded = False
        settings = self.settings()
        for attribute in _OFF:
            settings.setAttribute(attribute, False)

    def acceptNavigationRequest(  # noqa: N802 (Qt API)
        self, url: QUrl | str, nav_type: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        """Allow the initial load only; a clicked web link is handed to the system browser."""
        url = QUrl(url)
        if not self._loaded and is_main_frame and url == ANSWER_URL:
            self._loaded = True
            return True
        if nav_type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            if url.scheme() in _EXTERNAL_SCHEMES:
                self.link_clicked.emit(url)
            elif url.scheme() == ANSWER_URL.scheme() and url.path().startswith(_ACTIONS):
                # The page's own controls link to qmath://answer/action/NAME; model output
                # cannot make such a link (the renderer only links http, https and mailto).
                self.action_requested.emit(url.path().removeprefix(_ACTIONS))
        else:
            log.warning("answer page: refused navigation to %s", url.toString())
        return False

    def createWindow(  # noqa: N802 (Qt API)
        self, window_type: QWebEnginePage.WebWindowType
    ) -> QWebEnginePage:
        """No popups, tabs or windows, ever."""
        return None  # type: ignore[return-value]  # None is how Qt is told "no window"

    def javaScriptConsoleMessage(  # noqa: N802 (Qt API)
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        """Page errors (MathJax, CSP reports) go to our log, not stderr."""
        log.debug("answer page console [%s] %s:%s %s", level.name, source, line, message)


class AnswerView(QWebEngineView):
    """Shows an answer as it streams: deltas are coalesced and sent ~30 times a second."""

    copy_final_requested = Signal()  # the page's Copy button next to the final answer

    flush_interval_ms = FLUSH_INTERVAL_MS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._renderer_instance: StreamingRenderer | None = None
        self._deltas: list[str] = []
        self._timer_armed = False
        self._ready = False
        self._scripts: list[str] = []  # runJavaScript calls held until the page has loaded
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
        self._run(f"setLabels({json.dumps(labels)})")  # queued until the page has loaded
        # Starting the web engine takes ~0.15 s: do it once the window is on screen.
        self._loader = QTimer(self)
        self._loader.setSingleShot(True)
        self._loader.timeout.connect(self._load_page)
        self._loader.start(0)

    def _load_page(self) -> None:
        page = AnswerPage(answer_profile(), self)
        page.link_clicked.connect(self._on_link_clicked)
        page.action_requested.connect(self._on_page_action)
        page.loadFinished.connect(self._on_load_finished)
        self.setPage(page)
        page.setUrl(ANSWER_URL)

    @property
    def ready(self) -> bool:
        """Whether the page has loaded (until then, page calls are queued)."""
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
        self._send(self._renderer.feed(text))

    def finish(self) -> None:
        """The stream ended: render the tail as a finished block (unclosed $ becomes text)."""
        self.flush()
        self._send(self._renderer.finish())

    def set_markdown(self, text: str) -> None:
        """Show a complete answer at once, replacing whatever is shown."""
        self.clear()
        blocks = self._renderer.feed(text).new_blocks + self._renderer.finish().new_blocks
        self._run(f"appendBlocks({json.dumps(list(blocks))})")

    def clear(self) -> None:
        """Drop the shown answer and anything not yet flushed."""
        self._timer_armed = False
        self._timer.stop()
        self._deltas.clear()
        self._renderer.reset()
        if not self._ready:
            self._scripts.clear()  # nothing queued before a clear can matter
        self._run("clear()")

    def show_final(self, answer: str, label: str, check: str) -> None:
        """Highlight the final answer below the solution, with how it was checked."""
        from desktop_app.core.markdown_render import render_markdown

        html = render_markdown(f"$$\\boxed{{{answer}}}$$")
        self._run(f"setFinal({json.dumps(html)}, {json.dumps(label)}, {json.dumps(check)})")

    def set_theme(self, name: str) -> None:
        """Light or dark colours for the page ("system" follows the desktop)."""
        self._run(f"setTheme({json.dumps(name)})")

    def show_notice(self, text: str, kind: str = "info") -> None:
        """Show a one-line notice above the answer; kind is info, warning or error."""
        self._run(f"setNotice({json.dumps(text)}, {json.dumps(kind)})")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Stop the flush timer with the view, so nothing fires after it is gone."""
        self._timer_armed = False  # the next delta re-arms it
        self._timer.stop()
        super().closeEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt API)
        """Copy and Select All only: no reload, back, save or view-source."""
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

    def _send(self, update: StreamUpdate) -> None:
        calls = []
        if update.new_blocks:
            calls.append(f"appendBlocks({json.dumps(list(update.new_blocks))});")
        calls.append(f"setTail({json.dumps(update.tail)});")
        self._run("".join(calls))

    def _run(self, script: str) -> None:
        if self._ready:
            self.page().runJavaScript(script, 0)
        else:
            self._scripts.append(script)

    def _on_load_finished(self, ok: bool) -> None:
        if self._ready:
            return  # a refused navigation reports a failed load; the page itself is unchanged
        if not ok:
            log.error("answer page failed to load from %s", ANSWER_URL.toString())
            return
        self._ready = True
        scripts, self._scripts = self._scripts, []
        for script in scripts:
            self.page().runJavaScript(script, 0)

    def _on_flush_timer(self) -> None:
        self._timer_armed = False  # it has fired: nothing to stop
        self.flush()

    def _on_page_action(self, action: str) -> None:
        if action == "copy-final":
            self.copy_final_requested.emit()

    def _on_link_clicked(self, url: QUrl) -> None:
        QDesktopServices.openUrl(url)

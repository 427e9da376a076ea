"""The answer page: loads qmath://answer/answer.html once and refuses every other navigation."""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWidgets import QWidget

from desktop_app.ui.answer.scheme import ANSWER_URL

log = logging.getLogger(__name__)

_EXTERNAL_SCHEMES = ("http", "https", "mailto")
_ACTIONS = "/action/"
# What answer.js logs once MathJax has started; only that script's message counts.
READY_MESSAGE = "qmath:ready"
_READY_SOURCE = ANSWER_URL.resolved(QUrl("answer.js")).toString()
_INFO = QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel
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
    mathjax_started = Signal()  # the page can typeset: its calls may be sent now

    def __init__(self, profile: QWebEngineProfile, parent: QWidget | None = None) -> None:
        super().__init__(profile, parent)
        self._loaded = False
        self._started = False
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
        """The page's ready message becomes `mathjax_started`; errors (MathJax, CSP reports)
        go to our log, not stderr."""
        if message == READY_MESSAGE and level == _INFO and source == _READY_SOURCE:
            if not self._started:  # once per page: it loads once
                self._started = True
                self.mathjax_started.emit()
            return
        log.debug("answer page console [%s] %s:%s %s", level.name, source, line, message)

"""The answer side of the window: the live answer, or the welcome page on a first run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStackedWidget, QWidget

from desktop_app.ui.answer.view import AnswerView
from desktop_app.ui.deferred import after_first_paint

if TYPE_CHECKING:
    from desktop_app.ui.answer.welcome import WelcomePage


class AnswerPane(QStackedWidget):
    """Shows the answer view, or the welcome page until a backend is set up."""

    setup_requested = Signal(str)  # "cloud" | "local" | "server": the welcome choice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The web engine starts (~50 ms) when a web view is first shown or hidden, so the
        # window's first frame has a plain page here; the answer view joins the stack on the
        # next turn of the event loop. Until its page has loaded it would be blank anyway.
        self._blank = QWidget()
        self._blank.setBackgroundRole(QPalette.ColorRole.Base)
        self._blank.setAutoFillBackground(True)
        self.addWidget(self._blank)
        self.answer_view = AnswerView()  # no parent until it joins: goes when the pane goes
        self.answer_view.setAccessibleName(self.tr("Solution"))
        self.destroyed.connect(self.answer_view.deleteLater)
        self._welcome: WelcomePage | None = None
        after_first_paint(self, self._add_answer_view)

    def _add_answer_view(self) -> None:
        if self.indexOf(self.answer_view) < 0:
            self.addWidget(self.answer_view)
        if self.currentWidget() is self._blank:  # unless the welcome page came first
            self.setCurrentWidget(self.answer_view)

    @property
    def welcome(self) -> WelcomePage:
        """The welcome page, built the first time it is wanted (most starts never show it)."""
        if self._welcome is None:
            from desktop_app.ui.answer.welcome import WelcomePage

            page = WelcomePage()
            page.choose_cloud.connect(lambda: self.setup_requested.emit("cloud"))
            page.choose_local.connect(lambda: self.setup_requested.emit("local"))
            page.choose_server.connect(lambda: self.setup_requested.emit("server"))
            self.addWidget(page)
            self._welcome = page
        return self._welcome

    def show_welcome(self, show: bool) -> None:
        """Put the welcome page (True) or the answer (False) in front."""
        if show:
            self.setCurrentWidget(self.welcome)
        else:
            self._add_answer_view()
            self.setCurrentWidget(self.answer_view)

    def welcome_shown(self) -> bool:
        """Whether the welcome page is in front."""
        return self._welcome is not None and self.currentWidget() is self._welcome

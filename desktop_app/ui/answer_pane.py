"""The answer side of the window: the live answer, or the welcome page on a first run."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from desktop_app.ui.answer_view import AnswerView
from desktop_app.ui.welcome import WelcomePage


class AnswerPane(QStackedWidget):
    """Shows the answer view, or the welcome page until a backend is set up."""

    setup_requested = Signal(str)  # "cloud" | "local" | "server": the welcome choice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.answer_view = AnswerView()
        self.answer_view.setAccessibleName(self.tr("Solution"))
        self.welcome = WelcomePage()
        self.welcome.choose_cloud.connect(lambda: self.setup_requested.emit("cloud"))
        self.welcome.choose_local.connect(lambda: self.setup_requested.emit("local"))
        self.welcome.choose_server.connect(lambda: self.setup_requested.emit("server"))
        self.addWidget(self.answer_view)
        self.addWidget(self.welcome)

    def show_welcome(self, show: bool) -> None:
        """Put the welcome page (True) or the answer (False) in front."""
        self.setCurrentWidget(self.welcome if show else self.answer_view)

    def welcome_shown(self) -> bool:
        """Whether the welcome page is in front."""
        return self.currentWidget() is self.welcome

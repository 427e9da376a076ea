"""The first-run page: three ways to start, shown until one backend is set up."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

translate = QCoreApplication.translate  # pyside6-lupdate extracts calls to `translate`


class WelcomePage(QWidget):
    """Explains the three ways to start; each button asks for its settings page."""

    choose_cloud = Signal()
    choose_local = Signal()
    choose_server = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setAccessibleName(translate("WelcomePage", "Welcome"))
        title = QLabel(translate("WelcomePage", "Welcome to Qwen Math"))
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            translate(
                "WelcomePage",
                "Qwen Math reads a math problem from a picture and explains the solution step "
                "by step. It needs a Qwen model to do that. Choose where the models run; you "
                "can change it later in the settings.",
            )
        )
        intro.setWordWrap(True)
        self.cloud_button = self._choice(
            translate("WelcomePage", "Use Alibaba DashScope (paste an API key)"),
            translate(
                "WelcomePage",
                "The quickest start: Qwen's own cloud service. Problems are sent to Alibaba.",
            ),
        )
        self.local_button = self._choice(
            translate("WelcomePage", "Run models on this computer (local GPU)"),
            translate(
                "WelcomePage",
                "Private and offline once downloaded; needs a GPU with about 8 GB or more.",
            ),
        )
        self.server_button = self._choice(
            translate("WelcomePage", "Use my own server (vLLM, Ollama…)"),
            translate(
                "WelcomePage",
                "Any server that speaks the OpenAI chat API, on this PC or your network.",
            ),
        )
        self.cloud_button.clicked.connect(self.choose_cloud)
        self.local_button.clicked.connect(self.choose_local)
        self.server_button.clicked.connect(self.choose_server)
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(8)
        for button in (self.cloud_button, self.local_button, self.server_button):
            column.addWidget(button)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMinimumWidth(420)  # wrapped text needs a width to lay out against
        holder.setMaximumWidth(580)
        holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(holder, 4)
        middle.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

    def _choice(self, text: str, description: str) -> QCommandLinkButton:
        button = QCommandLinkButton(text, description, self)
        button.setAccessibleName(text)
        button.setAccessibleDescription(description)
        return button

"""The question box: Enter solves, Shift+Enter adds a line; typed LaTeX is previewed live."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from desktop_app.ui.answer.view import PREVIEW_DELAY_MS, AnswerView

PREVIEW_HEIGHT = 110
PLACEHOLDER = str(  # English; translated where it is shown
    QT_TRANSLATE_NOOP(
        "QuestionBox", "Ask about the image, or type the whole problem (LaTeX welcome: $x^2$)"
    )
)


def has_math(text: str) -> bool:
    """Whether text has math delimiters or TeX commands worth previewing."""
    return "$" in text or "\\" in text


class QuestionEdit(QPlainTextEdit):
    """A plain-text editor where Enter submits and Shift+Enter starts a new line."""

    submitted = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if enter and mods == Qt.KeyboardModifier.NoModifier:
            event.accept()
            self.submitted.emit()
        elif enter and mods == Qt.KeyboardModifier.ShiftModifier:
            # Qt's own Shift+Enter inserts U+2028, which a model sees as a stray character
            self.insertPlainText("\n")
            event.accept()
        else:
            super().keyPressEvent(event)


class QuestionBox(QWidget):
    """The question editor with a collapsible, typeset preview of any math in it."""

    submitted = Signal(str)  # Enter was pressed: the text as typed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QuestionEdit()
        self.editor.setPlaceholderText(QCoreApplication.translate("QuestionBox", PLACEHOLDER))
        self.editor.setAccessibleName(self.tr("Question"))
        self.editor.setAccessibleDescription(
            self.tr("Enter solves; Shift+Enter starts a new line.")
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.editor.setMaximumHeight(96)
        self.editor.submitted.connect(lambda: self.submitted.emit(self.text()))
        self.editor.textChanged.connect(self._on_text_changed)
        self.preview_toggle = QToolButton()
        self.preview_toggle.setText(self.tr("Preview"))
        self.preview_toggle.setCheckable(True)
        self.preview_toggle.setChecked(True)
        self.preview_toggle.setAutoRaise(True)
        self.preview_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.preview_toggle.setAccessibleName(self.tr("Show the math preview"))
        self.preview_toggle.toggled.connect(self._on_toggled)
        self.preview_toggle.hide()
        self.preview: AnswerView | None = None  # made on first math: a web view is not free
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)  # a debounce: typing pauses, then MathJax runs
        self._timer.timeout.connect(self.refresh_preview)
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(2)
        self._column.addWidget(self.editor)
        self._column.addWidget(self.preview_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._on_toggled(True)

    def text(self) -> str:
        """The question as typed."""
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the question (the preview follows after the usual delay)."""
        self.editor.setPlainText(text)

    def clear(self) -> None:
        """Empty the question and hide the preview."""
        self.editor.clear()

    def preview_shown(self) -> bool:
        """Whether the typeset preview is on screen."""
        return self.preview is not None and self.preview.isVisible()

    def refresh_preview(self) -> None:
        """Typeset the current text now (normally called by the debounce timer)."""
        self._timer.stop()
        text = self.text()
        math = has_math(text)
        self.preview_toggle.setVisible(math)
        if not math:
            if self.preview is not None:
                self.preview.hide()
            return
        if self.preview is None:
            self.preview = AnswerView()
            self.preview.setAccessibleName(self.tr("Question preview"))
            self.preview.setFixedHeight(PREVIEW_HEIGHT)
            self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes past it
            self._column.addWidget(self.preview)
        self.preview.set_markdown(text)
        self.preview.setVisible(self.preview_toggle.isChecked())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """No preview timer may fire after the box is gone."""
        self._timer.stop()
        super().closeEvent(event)

    def _on_text_changed(self) -> None:
        if has_math(self.text()) or self.preview_toggle.isVisible():
            self._timer.start()  # restarts: the preview waits for a pause in typing

    def _on_toggled(self, on: bool) -> None:
        self.preview_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        if self.preview is not None:
            self.preview.setVisible(on and has_math(self.text()))

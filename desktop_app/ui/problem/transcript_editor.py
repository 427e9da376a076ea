"""The transcript editor: watch the reader stream, then correct its LaTeX and solve again."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.answer.view import PREVIEW_DELAY_MS, AnswerView

PLACEHOLDER = str(  # English; translated where it is shown
    QT_TRANSLATE_NOOP(
        "TranscriptEditor",
        "The transcription of the image appears here; correct it and press Re-solve",
    )
)


class TranscriptEditor(QWidget):
    """The reader's Markdown+LaTeX as editable source, with a side-by-side typeset preview."""

    resolve_requested = Signal(str)  # the corrected transcript, to solve without reading again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._streaming = False
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(QCoreApplication.translate("TranscriptEditor", PLACEHOLDER))
        self.editor.setAccessibleName(self.tr("Transcript"))
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._on_text_changed)
        self.preview_toggle = QToolButton()
        self.preview_toggle.setText(self.tr("Preview"))
        self.preview_toggle.setCheckable(True)
        self.preview_toggle.setAutoRaise(True)
        self.preview_toggle.setAccessibleName(self.tr("Show the typeset transcript"))
        self.preview_toggle.setToolTip(self.tr("Show the transcript typeset beside its source"))
        self.preview_toggle.toggled.connect(self._on_toggled)
        self.resolve_button = QPushButton(self.tr("Re-solve"))
        self.resolve_button.setAccessibleName(self.tr("Solve the corrected transcript"))
        self.resolve_button.setToolTip(
            self.tr("Solve this transcript again without re-reading the image")
        )
        self.resolve_button.clicked.connect(self._on_resolve)
        self.preview: AnswerView | None = None  # made when first shown: a web view is not free
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        title = QLabel(self.tr("Transcript"))
        title.setBuddy(self.editor)
        self._title = title
        self.editor.document().modificationChanged.connect(self._sync_title)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.preview_toggle)
        header.addWidget(self.resolve_button)
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self._splitter.setChildrenCollapsible(False)
        self._splitter.addWidget(self.editor)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addLayout(header)
        column.addWidget(self._splitter, 1)
        self._update_button()

    # -- API -------------------------------------------------------------------------------

    def text(self) -> str:
        """The transcript as it stands, corrections included."""
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the transcript; it counts as unmodified."""
        self.editor.setPlainText(text)
        self.editor.document().setModified(False)
        self._sync_title()  # setPlainText("") on an empty document reports a change it undoes

    def clear(self) -> None:
        """Empty the transcript (a new run starts)."""
        self.set_text("")

    def append_text(self, delta: str) -> None:
        """Add streamed reader output at the end, keeping the view at the bottom if it was."""
        bar = self.editor.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 4
        cursor = QTextCursor(self.editor.document())  # not the user's cursor: it stays put
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(delta)
        self.editor.document().setModified(False)  # the reader's words are not a correction
        if at_bottom:
            bar.setValue(bar.maximum())

    def is_modified(self) -> bool:
        """Whether the user has edited the transcript since it was set or streamed."""
        return self.editor.document().isModified()

    def is_streaming(self) -> bool:
        """Whether the reader is still writing (the text is read-only meanwhile)."""
        return self._streaming

    def set_streaming(self, streaming: bool) -> None:
        """Lock the text while the reader streams; unlock it, unmodified, when it ends."""
        self._streaming = streaming
        self.editor.setReadOnly(streaming)
        if not streaming:
            self.editor.document().setModified(False)
            self.refresh_preview()
        self._update_button()

    def preview_shown(self) -> bool:
        """Whether the typeset preview is on screen."""
        return self.preview is not None and self.preview.isVisible()

    def refresh_preview(self) -> None:
        """Typeset the current text now (normally called by the throttle timer)."""
        self._timer.stop()
        if self.preview_shown():
            assert self.preview is not None
            self.preview.set_markdown(self.text())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """No preview timer may fire after the editor is gone."""
        self._timer.stop()
        super().closeEvent(event)

    # -- slots -----------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        self._update_button()
        if self.preview_shown() and not self._timer.isActive():
            self._timer.start()  # a throttle, not a debounce: a steady stream still updates

    def _on_toggled(self, on: bool) -> None:
        if on and self.preview is None:
            self.preview = AnswerView()
            self.preview.setAccessibleName(self.tr("Typeset transcript"))
            self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self._splitter.addWidget(self.preview)
            half = max(1, self._splitter.width() // 2)
            self._splitter.setSizes([half, half])
        if self.preview is not None:
            self.preview.setVisible(on)
        if on:
            self.refresh_preview()

    def _on_resolve(self) -> None:
        text = self.text()
        if text.strip() and not self._streaming:
            self.resolve_requested.emit(text)

    def _sync_title(self) -> None:
        edited = self.editor.document().isModified()
        self._title.setText(self.tr("Transcript (edited)") if edited else self.tr("Transcript"))

    def _update_button(self) -> None:
        # isEmpty, not text(): this runs per streamed delta and must not copy the document
        empty = self.editor.document().isEmpty()
        self.resolve_button.setEnabled(not self._streaming and not empty)

"""The problem column: an image or a sketch, the question, and the editable transcript."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.drop_area import DropArea
from desktop_app.ui.question_box import QuestionBox
from desktop_app.ui.sketch_panel import SketchPanel
from desktop_app.ui.transcript_editor import TranscriptEditor


class ProblemPanel(QWidget):
    """Everything about the problem; the window decides what to solve from it."""

    image_chosen = Signal(bytes, str)  # a dropped file or a finished sketch, and its name
    question_submitted = Signal()  # Enter in the question box
    resolve_requested = Signal(str)  # the corrected transcript

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drop_area = DropArea()
        self.sketch_panel = SketchPanel()
        self.input_tabs = QTabWidget()
        self.input_tabs.addTab(self.drop_area, self.tr("Image"))
        self.input_tabs.addTab(self.sketch_panel, self.tr("Sketch"))
        self.input_tabs.setAccessibleName(self.tr("Problem input"))
        self.question_box = QuestionBox()
        self.transcript_editor = TranscriptEditor()
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.input_tabs, 3)
        column.addWidget(self.question_box)
        column.addWidget(self.transcript_editor, 2)
        self.drop_area.image_dropped.connect(self.image_chosen)
        self.sketch_panel.solve_requested.connect(lambda png: self.image_chosen.emit(png, "sketch"))
        self.question_box.submitted.connect(lambda _text: self.question_submitted.emit())
        self.transcript_editor.resolve_requested.connect(self.resolve_requested)

    def question(self) -> str:
        """The question as typed."""
        return self.question_box.text()

    def pending_sketch(self) -> bytes | None:
        """The sketch as PNG when the Sketch tab is in front and holds ink."""
        if self.input_tabs.currentWidget() is not self.sketch_panel:
            return None
        return self.sketch_panel.to_png()

    def show_image(self, png: bytes) -> None:
        """Show the image being solved (a solved sketch too) on the Image tab."""
        self.drop_area.show_png(png)
        self.input_tabs.setCurrentWidget(self.drop_area)

    def clear_image(self) -> None:
        """Back to the drop hint."""
        self.drop_area.clear_image()

"""The problem column: an image or a sketch, the question, and the editable transcript."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from desktop_app.ui.problem.drop_area import DropArea
from desktop_app.ui.problem.question_box import QuestionBox
from desktop_app.ui.problem.transcript_editor import TranscriptEditor

if TYPE_CHECKING:
    from desktop_app.ui.problem.image_loader import ImageLoader, ImageSource
    from desktop_app.ui.sketch.panel import SketchPanel

SKETCH_TAB = 1


class ProblemPanel(QWidget):
    """Everything about the problem; the window decides what to solve from it."""

    image_chosen = Signal(bytes, str)  # an image read and shown (dropped, pasted, opened,
    # snipped or sketched), and a name for the log
    image_failed = Signal(str)  # why a chosen file cannot be used, in one sentence
    question_submitted = Signal()  # Enter in the question box
    resolve_requested = Signal(str)  # the corrected transcript

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drop_area = DropArea()
        self._loader: ImageLoader | None = None  # made by the first image
        self._sketch_panel: SketchPanel | None = None
        self._sketch_page = QWidget()  # the pad moves in when the tab is first opened
        QVBoxLayout(self._sketch_page).setContentsMargins(0, 0, 0, 0)
        self.input_tabs = QTabWidget()
        self.input_tabs.addTab(self.drop_area, self.tr("Image"))
        self.input_tabs.addTab(self._sketch_page, self.tr("Sketch"))
        self.input_tabs.currentChanged.connect(self._on_tab_changed)
        self.input_tabs.setAccessibleName(self.tr("Problem input"))
        self.question_box = QuestionBox()
        self.transcript_editor = TranscriptEditor()
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 8, 8, 8)
        column.addWidget(self.input_tabs, 3)
        column.addWidget(self.question_box)
        column.addWidget(self.transcript_editor, 2)
        self.drop_area.dropped.connect(self.load)
        self.question_box.submitted.connect(lambda _text: self.question_submitted.emit())
        self.transcript_editor.resolve_requested.connect(self.resolve_requested)

    @property
    def sketch_panel(self) -> SketchPanel:
        """The sketch pad with its tools, built on first use (it is not needed at start-up)."""
        if self._sketch_panel is None:
            from desktop_app.ui.sketch.panel import SketchPanel

            panel = SketchPanel()
            panel.solve_requested.connect(lambda png: self.load(png, "sketch"))
            layout = self._sketch_page.layout()
            assert layout is not None
            layout.addWidget(panel)
            panel.show()  # now, not on the next turn: the tab may be in front already
            self._sketch_panel = panel
        return self._sketch_panel

    def load(self, source: ImageSource, name: str = "") -> None:
        """Take a new problem image: read off the GUI thread, shown here, then `image_chosen`."""
        self.loader.load(source, name)

    @property
    def loader(self) -> ImageLoader:
        """Reads each new image off the GUI thread (made on first use, not at start-up)."""
        if self._loader is None:
            from desktop_app.ui.problem.image_loader import ImageLoader

            self._loader = ImageLoader(self)
            self._loader.loaded.connect(self._on_loaded)
            self._loader.failed.connect(self.image_failed)
        return self._loader

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Wait for an image still being read; True when none is."""
        return self._loader is None or self._loader.shutdown(timeout)

    @Slot(bytes, QImage, str)
    def _on_loaded(self, data: bytes, shown: QImage, name: str) -> None:
        self.drop_area.show_image(shown)
        self.input_tabs.setCurrentWidget(self.drop_area)
        self.image_chosen.emit(data, name)

    def show_sketch(self) -> None:
        """Bring the Sketch tab to the front."""
        self.input_tabs.setCurrentIndex(SKETCH_TAB)

    def _on_tab_changed(self, index: int) -> None:
        if index == SKETCH_TAB:
            pad = self.sketch_panel.pad
            if not self.input_tabs.tabBar().hasFocus():  # arrow keys keep moving between tabs
                pad.setFocus()  # so P, E and Ctrl+Z reach the pad at once

    def question(self) -> str:
        """The question as typed."""
        return self.question_box.text()

    def pending_sketch(self) -> bytes | None:
        """The sketch as PNG when the Sketch tab is in front and holds ink."""
        if self.input_tabs.currentIndex() != SKETCH_TAB or self._sketch_panel is None:
            return None
        return self.sketch_panel.to_png()

    def show_image(self, png: bytes) -> None:
        """Show the image being solved (a solved sketch too) on the Image tab."""
        self.drop_area.show_png(png)
        self.input_tabs.setCurrentWidget(self.drop_area)

    def clear_image(self) -> None:
        """Back to the drop hint."""
        self.drop_area.clear_image()

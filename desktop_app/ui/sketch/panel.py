"""The sketch pad with its tools: Pen, Eraser, Undo, Redo, Clear, width, and Solve."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.sketch.pad import SketchPad


class SketchPanel(QWidget):
    """The pad with its tools: Pen, Eraser, Undo, Redo, Clear, width, and Solve."""

    solve_requested = Signal(bytes)  # the cropped PNG of the drawing

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pad = SketchPad()
        group = QActionGroup(self)
        self.pen_action = self._action(self.tr("Pen"), "P", lambda: self.pad.set_eraser(False))
        self.eraser_action = self._action(self.tr("Eraser"), "E", lambda: self.pad.set_eraser(True))
        for action in (self.pen_action, self.eraser_action):
            action.setCheckable(True)
            group.addAction(action)
        self.pen_action.setChecked(True)
        redo_keys = {QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Shift+Z")}
        self.undo_action = self._action(
            self.tr("Undo"), QKeySequence.StandardKey.Undo, self.pad.undo
        )
        self.redo_action = self._action(self.tr("Redo"), sorted(redo_keys, key=str), self.pad.redo)
        self.clear_action = self._action(self.tr("Clear"), None, self.pad.clear)
        self.width_slider = QSlider(Qt.Orientation.Horizontal)
        self.width_slider.setRange(1, 16)
        self.width_slider.setValue(round(self.pad.pen_width()))
        self.width_slider.setFixedWidth(80)
        self.width_slider.setAccessibleName(self.tr("Stroke width"))
        self.width_slider.setToolTip(self.tr("Stroke width"))
        self.width_slider.valueChanged.connect(self.pad.set_pen_width)
        self.solve_button = QPushButton(self.tr("Solve Sketch"))
        self.solve_button.setAccessibleName(self.tr("Solve the sketch"))
        self.solve_button.clicked.connect(self._on_solve)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for tool in (self.pen_action, self.eraser_action, None, self.undo_action,
                     self.redo_action, self.clear_action, None):  # fmt: skip
            row.addWidget(self._button(tool)) if tool else row.addSpacing(10)
        row.addWidget(QLabel(self.tr("Width")))
        row.addWidget(self.width_slider)
        row.addStretch(1)
        # Solve sits under the pad: one short tool row keeps the problem column narrow.
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addStretch(1)
        bottom.addWidget(self.solve_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.pad, 1)
        column.addLayout(bottom)
        self.pad.changed.connect(self._on_changed)
        self._on_changed()

    def to_png(self, margin: int = 24) -> bytes | None:
        """The drawing as a cropped PNG; None when blank."""
        return self.pad.to_png(margin)

    def _action(
        self,
        text: str,
        keys: str | QKeySequence.StandardKey | list[QKeySequence] | None,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            shortcuts = keys if isinstance(keys, list) else [QKeySequence(keys)]
            action.setShortcuts(shortcuts)
            # only while the sketch has focus: Ctrl+Z elsewhere belongs to the text boxes
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shown = shortcuts[0].toString(QKeySequence.SequenceFormat.NativeText)
            action.setToolTip(f"{text} ({shown})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setAccessibleName(action.text())
        return button

    def _on_changed(self) -> None:
        ink = self.pad.has_ink()
        self.undo_action.setEnabled(self.pad.can_undo())
        self.redo_action.setEnabled(self.pad.can_redo())
        self.clear_action.setEnabled(ink)
        self.solve_button.setEnabled(ink)

    def _on_solve(self) -> None:
        png = self.pad.to_png()
        if png is not None:
            self.solve_requested.emit(png)

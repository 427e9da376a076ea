"""Small helpers the settings pages share: accessible names, result lines, rows, combos."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

translate = QCoreApplication.translate  # pyside6-lupdate extracts calls to `translate`

ERROR_STYLE = "color: #d0342c;"
OK_STYLE = "color: #2e7d32;"
JOIN_S = 3.0  # how long closing the dialog waits for a check or download to notice Cancel


def labelled(widget: QWidget, name: str) -> QWidget:
    """Give a control its accessible name and return it."""
    widget.setAccessibleName(name)
    return widget


def show_result(label: QLabel, text: str, ok: bool | None) -> None:
    """Show a check's outcome: green when fine, red when not, plain when neither."""
    label.setText(text)
    label.setStyleSheet("" if ok is None else OK_STYLE if ok else ERROR_STYLE)
    label.setVisible(bool(text))


def natural(widget: QWidget) -> QHBoxLayout:
    """A row keeping `widget` at its natural width, on the left (buttons in forms)."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def combo(*items: tuple[str, object]) -> QComboBox:
    """A combo box offering each (text, data) item."""
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    return box


def select_data(box: QComboBox, value: object) -> None:
    """Select the item whose data is `value`, else the first."""
    box.setCurrentIndex(max(0, box.findData(value)))

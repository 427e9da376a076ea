"""Helpers shared by the UI tests: screenshot ink, a problem image to drop, shown web widgets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget

from tests.fakes.images import png_bytes

W = TypeVar("W", bound=QWidget)


def has_ink(image: QImage) -> bool:
    """Whether a screenshot shows anything dark (text or math), sampling a grid."""
    return any(
        image.pixelColor(x, y).lightness() < 100
        for x in range(0, image.width(), 3)
        for y in range(0, image.height(), 3)
    )


def shows_final(window: Any, answer: str) -> bool:
    """Whether the status bar shows this final answer, with or without how it was checked."""
    text = str(window.status_label.text())
    return text == f"Final answer: {answer}" or text.startswith(f"Final answer: {answer} (")


def problem_file(tmp_path: Path) -> Path:
    path = tmp_path / "quadratic.png"
    path.write_bytes(png_bytes(320, 80, text="x^2 - 5x + 6 = 0", at=(10, 30)))
    return path


def drop_file(widget: Any, path: Path) -> bool:
    """Drag a file over `widget` and drop it, as a file manager would; True if accepted."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    pos = QPointF(20, 20)
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


@contextmanager
def shown_web_widget(qtbot: Any, widget: W, width: int, height: int) -> Iterator[W]:
    """Show a widget with a debounced web preview; then close it, check its timer stopped,
    and delete it, so the web page goes before its profile: no warning at exit."""
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()
    assert not widget._timer.isActive()  # type: ignore[attr-defined]
    widget.deleteLater()
    qtbot.wait(20)

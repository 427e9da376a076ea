"""The image well: shows the problem's image and accepts dropped files and images."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# English; hint() gives it in the UI language
HINT = str(
    QT_TRANSLATE_NOOP(
        "DropArea", "Drop, paste (Ctrl+V) or open (Ctrl+O) an image of a math problem"
    )
)


def hint() -> str:
    """The drop hint in the UI language."""
    return QCoreApplication.translate("DropArea", HINT)


class DropArea(QLabel):
    """Shows the current image scaled to fit; emits `dropped` with what was dropped (a file's
    path or an image), unread: the problem panel reads it off the GUI thread."""

    dropped = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(hint(), parent)
        self.setAcceptDrops(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setObjectName("dropArea")
        self.setAccessibleName(self.tr("Problem image"))
        self._pixmap: QPixmap | None = None

    def show_png(self, png: bytes) -> None:
        """Display the image as the reader sees it (normalised PNG)."""
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self._show(pixmap)

    def show_image(self, image: QImage) -> None:
        """Display an image decoded off the GUI thread (a null one clears the well)."""
        if image.isNull():
            self.clear_image()
            return
        self._show(QPixmap.fromImage(image))

    def _show(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._rescale()

    def clear_image(self) -> None:
        """Back to the hint."""
        self._pixmap = None
        self.setPixmap(QPixmap())
        self.setText(hint())

    def has_image(self) -> bool:
        """Whether an image is shown."""
        return self._pixmap is not None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        from desktop_app.ui.problem.image_loader import image_source

        source = image_source(event.mimeData())
        if source is not None:
            event.acceptProposedAction()
            self.dropped.emit(source)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None or self._pixmap.isNull():
            return
        self.setPixmap(
            self._pixmap.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

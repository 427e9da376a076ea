"""The image well: shows the problem's image and accepts dropped files and images."""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMimeData,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# English; hint() gives it in the UI language
HINT = QT_TRANSLATE_NOOP(
    "DropArea", "Drop, paste (Ctrl+V) or open (Ctrl+O) an image of a math problem"
)


def hint() -> str:
    """The drop hint in the UI language."""
    return QCoreApplication.translate("DropArea", HINT)


def image_bytes_from_mime(mime: QMimeData) -> tuple[bytes, str] | None:
    """(bytes, a name for messages) from a drop or the clipboard; None if it holds no image."""
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            try:
                with open(path, "rb") as handle:
                    return handle.read(), path
            except OSError:
                return b"", path  # the pipeline turns unreadable input into a clear sentence
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return qimage_to_png(image), "pasted image"
    return None


def qimage_to_png(image: QImage) -> bytes:
    """Encode a QImage as PNG bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class DropArea(QLabel):
    """Shows the current image scaled to fit; emits `image_dropped` with the dropped bytes."""

    image_dropped = Signal(bytes, str)

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
        """Display the (normalised) image."""
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
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
        found = image_bytes_from_mime(event.mimeData())
        if found is not None:
            event.acceptProposedAction()
            self.image_dropped.emit(*found)

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

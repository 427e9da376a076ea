"""Every problem image enters the same way: read once, bounded, off the GUI thread.

A dropped or opened file is read by `core.images.read_image_file` (the function the command
line uses: the size is checked before a byte is read, at most the cap is read), an image from
the clipboard is encoded as PNG, and a snip or a sketch arrives as PNG bytes already. The
worker also decodes a preview, so the image shows where it was dropped as soon as it is read.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMimeData,
    QObject,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QImageReader, QImageWriter

from desktop_app.ui.workers import Worker, failure_sentence, start_worker

# A file path (dropped or opened), an image Qt decoded (pasted), or PNG bytes (snip, sketch).
ImageSource = str | QImage | bytes
PREVIEW_SIDE = 2048  # the preview's longest side: sharp in the well, cheap to decode
PASTED = "pasted image"


def image_source(mime: QMimeData) -> ImageSource | None:
    """What a drop or the clipboard offers: a local file's path, an image, or None."""
    for url in mime.urls():
        if url.isLocalFile():
            return url.toLocalFile()
    if mime.hasImage():
        image = mime.imageData()
        if isinstance(image, QImage) and not image.isNull():
            return image
    return None


def qimage_to_png(image: QImage) -> bytes:
    """Encode a QImage as PNG bytes, transparency kept (the reader's copy puts it on white)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    QImageWriter(buffer, QByteArray(b"png")).write(image)
    buffer.close()
    return bytes(data.data())


def preview(data: bytes, longest: int = PREVIEW_SIDE) -> QImage:
    """The image decoded at most `longest` pixels on its longest side; null if Qt cannot read it."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # EXIF orientation, as the reader's copy will have it
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > longest:
        reader.setScaledSize(
            size.scaled(QSize(longest, longest), Qt.AspectRatioMode.KeepAspectRatio)
        )
    image = reader.read()
    buffer.close()
    return image


def load_image(source: ImageSource, cancel: threading.Event) -> tuple[bytes, QImage] | None:
    """The image's bytes and a preview (runs on a worker); None when cancelled meanwhile."""
    if isinstance(source, str):
        from desktop_app.core.images import read_image_file  # with Pillow: on first use

        data = read_image_file(source)
    elif isinstance(source, QImage):
        data = qimage_to_png(source)
    else:
        data = source
    if cancel.is_set():
        return None
    return data, preview(data)


class ImageLoader(QObject):
    """Loads one image at a time; a newer one replaces one still loading."""

    loaded = Signal(bytes, QImage, str)  # the image's bytes, a preview, a name for the log
    failed = Signal(str)  # one sentence: why the file cannot be used

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: Worker | None = None
        self._name = ""

    def load(self, source: ImageSource, name: str = "") -> None:
        """Read `source` off the GUI thread; `loaded` or `failed` tells how it went."""
        if self._worker is not None:
            self._worker.cancel()
        self._name = name or (source if isinstance(source, str) else PASTED)
        self._worker = start_worker(
            lambda cancel: load_image(source, cancel),
            "image-read",
            returned=self._on_returned,
            errored=self._on_errored,
        )

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Wait for an image still loading; True when none is."""
        return self._worker is None or self._worker.wait(timeout)

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        if self.sender() is not self._worker:
            return  # a newer image was chosen meanwhile
        self._worker = None
        if isinstance(result, tuple):
            data, shown = result
            self.loaded.emit(data, shown, self._name)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        if self.sender() is not self._worker:
            return
        self._worker = None
        fallback = self.tr("The image could not be read; details are in the log.")
        self.failed.emit(failure_sentence(exc, fallback))

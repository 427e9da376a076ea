"""PNG encoding shared by the overlay, `--region` and the benchmark baseline."""

from __future__ import annotations

import io

from PIL import Image
from PySide6.QtGui import QImage

# Level 1: the pipeline normalises (re-encodes) images anyway, so spend no time squeezing.
COMPRESS_LEVEL = 1


def png_from_bgrx(data: bytes | bytearray, width: int, height: int, stride: int) -> bytes:
    """PNG (RGB) of a 32-bit BGRX/BGRA buffer, as mss and little-endian QImage RGB32 lay it out."""
    image = Image.frombuffer("RGB", (width, height), data, "raw", "BGRX", stride, 1)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()


def png_from_qimage(image: QImage) -> bytes:
    """PNG (RGB) of a QImage, pixel for pixel."""
    if image.format() != QImage.Format.Format_RGB32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    bits = image.constBits()
    return png_from_bgrx(bytes(bits), image.width(), image.height(), image.bytesPerLine())

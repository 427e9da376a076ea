"""PNG encoding shared by the overlay, `--region` and the benchmark baseline."""

from __future__ import annotations

import io
import re

from PIL import Image
from PySide6.QtGui import QImage

# Level 1: the pipeline normalises (re-encodes) images anyway, so spend no time squeezing.
COMPRESS_LEVEL = 1
_PARTIAL = re.compile(rb"[\x01-\xfe]")


def png_from_bgrx(data: bytes | bytearray, width: int, height: int, stride: int) -> bytes:
    """PNG (RGB) of a 32-bit BGRX/BGRA buffer, as mss and little-endian QImage RGB32 lay it out."""
    image = Image.frombuffer("RGB", (width, height), data, "raw", "BGRX", stride, 1)
    return _encode(image)


def png_from_qimage(image: QImage) -> bytes:
    """PNG of a QImage, pixel for pixel: RGB, or RGBA where a premultiplied image is not opaque."""
    if image.format() == QImage.Format.Format_ARGB32_Premultiplied:
        return _png_from_premultiplied(image)
    if image.format() != QImage.Format.Format_RGB32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    bits = image.constBits()
    return png_from_bgrx(bytes(bits), image.width(), image.height(), image.bytesPerLine())


def _png_from_premultiplied(image: QImage) -> bytes:
    """RGB when every pixel is opaque, else RGBA un-premultiplied the way grim writes its PNGs.

    Matching grim's rounding keeps a snip across outputs byte for byte equal to `grim -g`.
    """
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    pixels = bytearray(image.constBits())  # BGRA, premultiplied
    alpha = bytes(pixels[3::4]) if stride == width * 4 else b""
    if not alpha:  # padded rows: rare, take the slow but simple way
        packed = b"".join(pixels[row * stride : row * stride + width * 4] for row in range(height))
        pixels, stride, alpha = bytearray(packed), width * 4, bytes(packed[3::4])
    if alpha.count(255) == len(alpha):
        return png_from_bgrx(pixels, width, height, stride)
    # few pixels are partly covered (an output's edge scaled up); fully clear ones stay 0
    for match in _PARTIAL.finditer(alpha):
        at = match.start() * 4
        inverse = (0xFF << 16) // pixels[at + 3]
        for channel in range(at, at + 3):
            scaled = pixels[channel] * inverse
            pixels[channel] = 0xFF if scaled > (0xFF << 16) else scaled >> 16
    return _encode(Image.frombuffer("RGBA", (width, height), pixels, "raw", "BGRA", stride, 1))


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()

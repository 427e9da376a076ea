"""Small PNG pictures for tests: a plain colour, optionally framed and with a line of text."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def png_bytes(
    width: int,
    height: int,
    color: str = "white",
    *,
    text: str = "",
    at: tuple[int, int] = (10, 20),
    ink: str = "black",
    border: str | None = None,
) -> bytes:
    """A `width` x `height` PNG filled with `color`; with `border`, a 4-pixel frame of that
    colour round the edge; with `text`, that text drawn at `at` in `ink` (PIL's default font).
    The same arguments always give the same bytes."""
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    if border is not None:
        draw.rectangle((0, 0, width - 1, height - 1), outline=border, width=4)
    if text:
        draw.text(at, text, fill=ink)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()

"""Safe decoding and normalisation of user images into RGB PNGs for the vision model."""

from __future__ import annotations

import io
import math
import os
import stat
from dataclasses import dataclass
from typing import BinaryIO, cast

from PIL import Image, ImageOps, UnidentifiedImageError

from desktop_app.core.errors import ImageError

# Qwen-VL works on 28x28 pixel patches; its processor accepts at most 1280 of them by default,
# so anything larger is downscaled by the model anyway - better done once, here, with LANCZOS.
PATCH = 28
DEFAULT_PIXEL_BUDGET = 1280 * PATCH * PATCH
DEFAULT_MAX_BYTES = 50 * 2**20
# Hard cap on the header's width*height, checked before decoding. Kept below Pillow's own
# 89.5 MP warning threshold so ordinary use never warns, and far below its 179 MP error.
MAX_SOURCE_PIXELS = 80_000_000
# Qwen-VL's smart_resize refuses aspect ratios above 200.
MAX_ASPECT_RATIO = 200
WHITE = (255, 255, 255)
PNG_COMPRESS_LEVEL = 1  # the PNG is made once per request and shipped locally: speed wins

# Only formats with real magic numbers and no external helpers (EPS would run Ghostscript).
_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP", "AVIF", "PPM")
_FORMAT_NAMES = "PNG, JPEG, GIF, BMP, TIFF, WebP"
# PNG, JPEG, GIF, TIFF: a file starting so is a damaged image rather than "not an image".
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\0", b"MM\0*")
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")


@dataclass(frozen=True)
class NormalisedImage:
    """An image ready for the vision model: RGB PNG bytes plus its size and origin."""

    png: bytes
    width: int
    height: int
    source_format: str


def normalise_image(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_PIXEL_BUDGET,
) -> NormalisedImage:
    """Decode untrusted image bytes safely and return an RGB PNG within the pixel budget."""
    if max_pixels < PATCH * PATCH:
        raise ValueError(f"max_pixels must be at least {PATCH * PATCH}")
    if not data:
        raise ImageError("The image is empty (0 bytes).")
    if len(data) > max_bytes:
        raise _too_many_bytes(max_bytes)
    try:
        with _open(data) as img:
            source_format = img.format or "unknown"
            target = _check_size(img.size, max_pixels)
            if target != img.size:
                # JPEG can decode straight at 1/2, 1/4 or 1/8 scale: less memory and time.
                img.draft(None, target)
            img.load()  # force a full decode so truncation and corruption surface now
            rgb = _to_rgb(_apply_orientation(img))
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own check runs inside Image.open, before ours: above 179 MP, or always when
        # someone lowered Image.MAX_IMAGE_PIXELS (the warning counts where warnings are errors).
        raise ImageError(
            "The image is too large to open safely "
            f"(the limit is {MAX_SOURCE_PIXELS // 1_000_000} megapixels)."
        ) from exc
    except Exception as exc:  # untrusted input: every decoder failure means "damaged"
        if "truncated" in str(exc):
            raise ImageError("The image file is incomplete, as if it was cut short.") from exc
        raise ImageError("The image is damaged and cannot be decoded.") from exc
    rgb = _pad(_downscale(rgb, max_pixels))
    buffer = io.BytesIO()
    rgb.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return NormalisedImage(buffer.getvalue(), rgb.width, rgb.height, source_format)


def load_image_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_PIXEL_BUDGET,
) -> NormalisedImage:
    """Read an image file and normalise it; file problems become one-sentence ImageErrors."""
    data = read_image_file(path, max_bytes=max_bytes)
    return normalise_image(data, max_bytes=max_bytes, max_pixels=max_pixels)


def read_image_file(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a dropped, pasted, opened or named image file, read at most once and bounded.

    A regular file's size is checked before any byte is read (a 3 GB sparse file is refused at
    once); anything else (a device, a pipe, a file still growing) is read up to one byte past
    the cap. Every failure is one ImageError sentence naming the file.
    """
    name = _shown_name(path)
    is_pipe = False
    try:
        with _open_without_waiting(path) as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ImageError(f'"{name}" is a folder, not an image file.')
            if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
                raise _too_many_bytes(max_bytes)
            is_pipe = stat.S_ISFIFO(info.st_mode)
            data = read_capped(handle, max_bytes)
    except ImageError:
        raise
    except FileNotFoundError as exc:
        raise ImageError(f'The image file "{name}" does not exist.') from exc
    except IsADirectoryError as exc:
        raise ImageError(f'"{name}" is a folder, not an image file.') from exc
    except PermissionError as exc:
        raise ImageError(f'Qwen Math is not allowed to read "{name}".') from exc
    except OSError as exc:
        reason = f" ({exc.strerror})" if exc.strerror else ""
        raise ImageError(f'The image file "{name}" could not be read{reason}.') from exc
    if not data and is_pipe:
        raise ImageError(f'Nothing was written to the pipe "{name}".')
    if not data:
        raise ImageError(f'The image file "{name}" is empty (0 bytes).')
    return data


def _open_without_waiting(path: str | os.PathLike[str]) -> BinaryIO:
    """Open for reading; a named pipe with no writer does not block the open (it reads as
    empty), while one with a writer, as `<(...)` gives, is read as the data comes."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # reads wait for a writer's data again
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_image_stream(stream: BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Image bytes from a pipe (standard input), read up to one byte past the cap."""
    try:
        data = read_capped(stream, max_bytes)
    except OSError as exc:
        raise ImageError(f"The image could not be read from standard input ({exc}).") from exc
    if not data:
        raise ImageError("No image bytes arrived on standard input.")
    return data


def read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read until end of stream; ImageError as soon as more than `max_bytes` arrived."""
    chunks: list[bytes] = []
    total = 0
    while chunk := stream.read(min(2**20, max_bytes + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise _too_many_bytes(max_bytes)
    return b"".join(chunks)


def _shown_name(path: str | os.PathLike[str]) -> str:
    """The file's name for a one-line sentence: no folders, no control characters."""
    shown = os.path.basename(os.fspath(path)) or os.fspath(path)
    return "".join(c if c.isprintable() else "?" for c in shown)


def _open(data: bytes) -> Image.Image:
    Image.init()  # registers plugins once; the allow-list must name only registered formats
    formats = [f for f in _FORMATS if f in Image.OPEN]
    try:
        return Image.open(io.BytesIO(data), formats=formats)
    except UnidentifiedImageError as exc:
        if data.startswith(_SIGNATURES):  # a known format whose header Pillow rejected
            raise ImageError("The image is damaged and cannot be decoded.") from exc
        raise ImageError(
            f"This file is not an image Qwen Math can read ({_FORMAT_NAMES} are supported)."
        ) from exc


def _check_size(size: tuple[int, int], max_pixels: int) -> tuple[int, int]:
    """Refuse bombs and slivers from the header alone; return the downscaled target size."""
    width, height = size
    if width < 1 or height < 1:
        raise ImageError("The image has no pixels.")
    if width * height > MAX_SOURCE_PIXELS:
        raise ImageError(
            f"The image is too large to open safely ({width} x {height} pixels; "
            f"the limit is {MAX_SOURCE_PIXELS // 1_000_000} megapixels)."
        )
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageError(
            f"The image is too long and thin to read ({width} x {height} pixels; "
            f"the most Qwen Math accepts is {MAX_ASPECT_RATIO}:1)."
        )
    return _target_size(width, height, max_pixels)


def _target_size(width: int, height: int, max_pixels: int) -> tuple[int, int]:
    if width * height > max_pixels:  # never upscale: it adds no detail, only tokens
        scale = math.sqrt(max_pixels / (width * height))
        width, height = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
    # A side under one patch is padded up to PATCH later; count that padding in the budget.
    longest = max_pixels // PATCH
    if height < PATCH and width > longest:
        width, height = longest, max(1, height * longest // width)
    elif width < PATCH and height > longest:
        width, height = max(1, width * longest // height), longest
    return width, height


def _apply_orientation(img: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # malformed EXIF must not lose an otherwise good image
        return img


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode in _SIXTEEN_BIT or img.mode in ("I", "F"):
        img = _to_8bit(img)
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        # Transparent areas are usually "paper": composite on white, as a viewer shows them.
        background = Image.new("RGBA", rgba.size, (*WHITE, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    try:
        return img.convert("RGB")
    except ValueError as exc:
        raise ImageError(
            f"The image uses a colour format ({img.mode}) that Qwen Math cannot convert."
        ) from exc


def _to_8bit(img: Image.Image) -> Image.Image:
    """Scale 16-bit, 32-bit and float greyscale to 8 bits; plain conversion would clip."""
    sixteen_bit = img.mode in _SIXTEEN_BIT
    img = img.convert("F")
    low, high = cast("tuple[float, float]", img.getextrema())  # one band: (min, max)
    if sixteen_bit or (low >= 0 and 255 < high <= 65535):
        scale, offset = 255 / 65535, 0.0
    elif low >= 0 and high <= 1:
        scale, offset = 255.0, 0.0  # float images are conventionally 0..1
    elif low >= 0 and high <= 255:
        scale, offset = 1.0, 0.0
    else:
        span = max(high - low, 1e-12)  # unknown range: stretch what is there
        scale, offset = 255 / span, -low * 255 / span
    scaled = img.point(lambda v: v * scale + offset + 0.5)  # +0.5 rounds instead of flooring
    return scaled.convert("L")  # 16-bit transparency keys are in 16-bit units: not carried


def _downscale(img: Image.Image, max_pixels: int) -> Image.Image:
    target = _target_size(img.width, img.height, max_pixels)
    if target == img.size:
        return img
    return img.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _pad(img: Image.Image) -> Image.Image:
    """Pad sides shorter than one patch with white; the vision model rejects them."""
    if img.width >= PATCH and img.height >= PATCH:
        return img
    canvas = Image.new("RGB", (max(img.width, PATCH), max(img.height, PATCH)), WHITE)
    canvas.paste(img, ((canvas.width - img.width) // 2, (canvas.height - img.height) // 2))
    return canvas


def _too_many_bytes(max_bytes: int) -> ImageError:
    if max_bytes >= 2**20:
        limit = f"{max_bytes / 2**20:g} MB"
    else:
        limit = f"{max_bytes / 2**10:g} KB" if max_bytes >= 2**10 else f"{max_bytes} bytes"
    return ImageError(f"The image is larger than {limit}, the most Qwen Math accepts.")

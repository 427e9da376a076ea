"""Tests for core/images.py: every image is built here, in memory, so nothing is committed."""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageFile

from desktop_app.core.backends.base import png_data_url
from desktop_app.core.errors import ImageError
from desktop_app.core.images import (
    DEFAULT_PIXEL_BUDGET,
    PATCH,
    NormalisedImage,
    normalise_image,
)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


# --- corpus builders ---------------------------------------------------------------------------


def _save(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def _noise(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Incompressible pixels, so a cut file is cut inside the pixel data."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header claims a huge image: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def _png_with_garbage_idat() -> bytes:
    png = _save(_noise((32, 32)), "PNG")
    start = png.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", png[start : start + 4])
    garbage = random.Random(1).randbytes(length)  # valid CRC, invalid zlib stream
    return png[:start] + _chunk(b"IDAT", garbage) + png[start + 12 + length :]


def _png_with_broken_crc() -> bytes:
    png = bytearray(_save(Image.new("RGB", (16, 16), RED), "PNG"))
    png[29] ^= 0xFF  # last byte of IHDR's CRC
    return bytes(png)


def _jpeg_exif_rotated() -> bytes:
    """60x40 white, red top-left corner, EXIF orientation 6 (display rotated 90 deg clockwise)."""
    img = Image.new("RGB", (60, 40), WHITE)
    img.paste(RED, (0, 0, 12, 12))
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(img, "JPEG", quality=95, exif=exif.tobytes())


def _half_transparent(mode: str, opaque: tuple[int, ...]) -> bytes:
    """Left half fully transparent (with black colour underneath), right half opaque."""
    img = Image.new(mode, (40, 30), (0,) * len(opaque))
    img.paste(opaque, (20, 0, 40, 30))
    return _save(img, "PNG")


def _palette_with_transparency() -> bytes:
    img = Image.new("P", (40, 30), 0)
    img.putpalette([0, 0, 0, *BLUE] + [0] * (254 * 3))
    img.paste(1, (20, 0, 40, 30))
    return _save(img, "PNG", transparency=0)


def _one_bit() -> bytes:
    img = Image.new("1", (40, 30), 1)
    img.paste(0, (20, 0, 40, 30))
    return _save(img, "PNG")


def _frames(fmt: str, **params: object) -> bytes:
    frames = [Image.new("RGB", (32, 32), colour) for colour in (RED, GREEN, BLUE)]
    return _save(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **params)


def _solid(
    mode: str,
    colour: float | tuple[int, ...],
    fmt: str,
    size: tuple[int, int] = (40, 30),
    **params: object,
) -> Callable[[], bytes]:
    """A builder for a one-colour image, so the corpus table stays one row per kind."""
    return lambda: _save(Image.new(mode, size, colour), fmt, **params)


MID_GREY = (128, 128, 128)
# kind: (bytes, expected source format, expected (width, height), {(x, y): expected colour})
GOOD = [
    pytest.param(_solid("RGB", RED, "PNG", (64, 48)), "PNG", (64, 48), {(5, 5): RED}, id="png-rgb"),
    pytest.param(
        _solid("RGB", BLUE, "JPEG", (64, 48)), "JPEG", (64, 48), {(5, 5): BLUE}, id="jpeg"
    ),
    pytest.param(
        _jpeg_exif_rotated, "JPEG", (40, 60), {(34, 5): RED, (5, 5): WHITE}, id="jpeg-exif-6"
    ),
    pytest.param(
        lambda: _half_transparent("RGBA", (*BLUE, 255)),
        "PNG",
        (40, 30),
        {(5, 5): WHITE, (30, 5): BLUE},
        id="rgba",
    ),
    pytest.param(
        lambda: _half_transparent("LA", (0, 255)),
        "PNG",
        (40, 30),
        {(5, 5): WHITE, (30, 5): BLACK},
        id="la",
    ),
    pytest.param(
        _palette_with_transparency,
        "PNG",
        (40, 30),
        {(5, 5): WHITE, (30, 5): BLUE},
        id="palette-transparent",
    ),
    pytest.param(
        _solid("CMYK", (0, 255, 255, 0), "JPEG"), "JPEG", (40, 30), {(5, 5): RED}, id="cmyk-jpeg"
    ),
    pytest.param(
        _solid("I;16", 32768, "PNG"), "PNG", (40, 30), {(5, 5): MID_GREY}, id="png-16-bit-grey"
    ),
    pytest.param(
        _solid("I;16", 200, "PNG"), "PNG", (40, 30), {(5, 5): BLACK}, id="png-16-bit-dark"
    ),
    pytest.param(_one_bit, "PNG", (40, 30), {(5, 5): WHITE, (30, 5): BLACK}, id="one-bit"),
    pytest.param(_solid("F", 0.5, "TIFF"), "TIFF", (40, 30), {(5, 5): MID_GREY}, id="float-tiff"),
    pytest.param(
        _solid("L", 200, "PNG"), "PNG", (40, 30), {(5, 5): (200, 200, 200)}, id="greyscale"
    ),
    pytest.param(lambda: _frames("GIF"), "GIF", (32, 32), {(5, 5): RED}, id="gif-animated"),
    pytest.param(
        lambda: _frames("WEBP", lossless=True), "WEBP", (32, 32), {(5, 5): RED}, id="webp-animated"
    ),
    pytest.param(lambda: _frames("PNG"), "PNG", (32, 32), {(5, 5): RED}, id="apng"),
    pytest.param(_solid("RGB", GREEN, "BMP"), "BMP", (40, 30), {(5, 5): GREEN}, id="bmp"),
    pytest.param(_solid("RGB", GREEN, "TIFF"), "TIFF", (40, 30), {(5, 5): GREEN}, id="tiff"),
    pytest.param(
        _solid("RGB", GREEN, "WEBP", lossless=True), "WEBP", (40, 30), {(5, 5): GREEN}, id="webp"
    ),
    pytest.param(_solid("RGB", GREEN, "PPM"), "PPM", (40, 30), {(5, 5): GREEN}, id="ppm"),
    pytest.param(
        _solid("RGB", RED, "PNG", (5, 5)),
        "PNG",
        (PATCH, PATCH),
        {(14, 14): RED, (0, 0): WHITE},
        id="tiny-5x5-padded",
    ),
    pytest.param(
        _solid("RGB", RED, "PNG", (150, 2)),
        "PNG",
        (150, PATCH),
        {(75, 14): RED, (75, 0): WHITE},
        id="thin-150x2-padded",
    ),
]


def _assert_valid_output(
    result: NormalisedImage, budget: int = DEFAULT_PIXEL_BUDGET
) -> Image.Image:
    with Image.open(io.BytesIO(result.png)) as decoded:
        decoded.load()
        assert decoded.format == "PNG"
        assert decoded.mode == "RGB"
        assert decoded.size == (result.width, result.height)
        assert result.width * result.height <= budget
        assert min(result.width, result.height) >= PATCH or max(result.width, result.height) < PATCH
        return decoded.copy()


def _pixel(img: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = img.getpixel(xy)
    assert isinstance(value, tuple)
    return tuple(int(v) for v in value)


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# --- good images --------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "source_format", "size", "pixels"), GOOD)
def test_given_a_readable_image_when_normalised_then_an_rgb_png_with_the_right_pixels(
    build: Callable[[], bytes],
    source_format: str,
    size: tuple[int, int],
    pixels: dict[tuple[int, int], tuple[int, ...]],
) -> None:
    result = normalise_image(build())

    decoded = _assert_valid_output(result)
    assert result.source_format == source_format
    assert (result.width, result.height) == size
    for xy, colour in pixels.items():
        actual = _pixel(decoded, xy)
        assert _close(actual, colour), f"pixel {xy} is {actual}, expected ~{colour}"


@pytest.mark.parametrize(
    ("fmt", "size"), [("PNG", (2000, 1500)), ("JPEG", (4000, 1000)), ("JPEG", (900, 3000))]
)
def test_given_an_image_above_the_budget_when_normalised_then_downscaled_keeping_aspect(
    fmt: str, size: tuple[int, int]
) -> None:
    img = Image.new("RGB", size, BLUE)
    img.paste(RED, (0, 0, size[0] // 2, size[1]))

    result = normalise_image(_save(img, fmt))

    decoded = _assert_valid_output(result)
    assert result.width * result.height > 0.98 * DEFAULT_PIXEL_BUDGET  # no needless shrinking
    assert abs(result.width / result.height - size[0] / size[1]) < 0.01
    assert _close(_pixel(decoded, (2, result.height // 2)), RED)
    assert _close(_pixel(decoded, (result.width - 3, result.height // 2)), BLUE)


def test_given_a_sliver_and_a_small_budget_when_normalised_then_padding_fits_the_budget() -> None:
    result = normalise_image(
        _save(Image.new("RGB", (1800, 10), RED), "PNG"), max_pixels=100 * PATCH
    )

    _assert_valid_output(result, budget=100 * PATCH)
    assert (result.width, result.height) == (100, PATCH)


def test_given_an_image_below_the_budget_when_normalised_then_never_upscaled() -> None:
    result = normalise_image(_save(Image.new("RGB", (300, 200), RED), "PNG"))

    assert (result.width, result.height) == (300, 200)


def test_given_png_bytes_when_made_a_data_url_then_it_round_trips() -> None:
    png = normalise_image(_save(Image.new("RGB", (30, 30), RED), "PNG")).png

    url = png_data_url(png)

    assert url.startswith("data:image/png;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as img:
        assert img.size == (30, 30)


def test_given_any_input_when_normalised_then_pillow_globals_are_untouched() -> None:
    before = (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)

    normalise_image(_save(Image.new("RGB", (40, 30), RED), "PNG"))
    with pytest.raises(ImageError):
        normalise_image(_png_claiming(30_000, 30_000))

    assert before == (Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES)


# --- bad images --------------------------------------------------------------------------------


def _truncated(data: bytes) -> bytes:
    return data[: len(data) * 6 // 10]


BAD = [
    pytest.param(lambda: b"", {}, "empty", id="empty"),
    pytest.param(lambda: random.Random(7).randbytes(4096), {}, "not an image", id="random-bytes"),
    pytest.param(lambda: b"Solve x^2 - 4 = 0 for x.\n" * 20, {}, "not an image", id="text-file"),
    pytest.param(
        lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 9 9\n",
        {},
        "not an image",
        id="eps-never-run",
    ),
    pytest.param(
        lambda: _truncated(_save(_noise((64, 64)), "PNG")), {}, "cut short", id="truncated-png"
    ),
    pytest.param(
        lambda: _truncated(_save(_noise((64, 64)), "JPEG")), {}, "cut short", id="truncated-jpeg"
    ),
    pytest.param(_png_with_garbage_idat, {}, "damaged", id="png-garbage-idat"),
    pytest.param(_png_with_broken_crc, {}, "damaged", id="png-broken-crc"),
    pytest.param(
        lambda: _png_claiming(30_000, 30_000), {}, "too large to open safely", id="bomb-30000x30000"
    ),
    pytest.param(
        lambda: _png_claiming(10_000, 8_001), {}, "too large to open safely", id="bomb-10000x8001"
    ),
    pytest.param(
        lambda: _save(_noise((64, 64)), "PNG"),
        {"max_bytes": 1000},
        "larger than 1000 bytes",
        id="too-many-bytes",
    ),
    pytest.param(
        lambda: b"\x89PNG" + bytes(2**20),
        {"max_bytes": 2**20},
        "larger than 1 MB",
        id="too-many-megabytes",
    ),
    pytest.param(_solid("RGB", RED, "PNG", (2000, 5)), {}, "long and thin", id="aspect-400-to-1"),
]


def _assert_one_sentence(error: ImageError, fragment: str) -> None:
    message = str(error)
    assert error.exit_code == 3
    assert message.endswith(".")
    assert "\n" not in message
    assert "Traceback" not in message
    assert message[0].isupper() or message[0] == '"'
    assert fragment in message


@pytest.mark.parametrize(("build", "options", "fragment"), BAD)
def test_given_an_unusable_image_when_normalised_then_one_clear_sentence(
    build: Callable[[], bytes], options: dict[str, int], fragment: str
) -> None:
    with pytest.raises(ImageError) as caught:
        normalise_image(build(), **options)

    _assert_one_sentence(caught.value, fragment)


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_given_pillow_limit_lowered_and_warnings_as_errors_when_normalised_then_image_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An app run with -W error sees Pillow's bomb warning as an exception: still one sentence."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    with pytest.raises(ImageError) as caught:
        normalise_image(_save(Image.new("RGB", (12, 12), RED), "PNG"))

    _assert_one_sentence(caught.value, "too large to open safely")

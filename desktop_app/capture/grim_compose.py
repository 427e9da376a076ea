"""A logical rectangle of frozen Wayland outputs, composed exactly as `grim -g` composes it.

grim captures every output the rectangle touches at that output's native size, then paints
them with pixman into one image at the greatest scale among them (bilinear where an output
is scaled up; plain copies where it is not). We keep the outputs' frozen images and run the
same pixman calls on them, in the same order, so a snip of a frozen desktop is byte for byte
what grim would have returned at the moment of the freeze: native pixels inside one output,
grim's own resampling across outputs of different scales (docs/adr/014).

pixman is the library grim and wlroots draw with, so it is on every system where grim is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QImage

# pixman.h: PIXMAN_FORMAT(bpp, type, a, r, g, b), type ARGB = 2
A8R8G8B8 = (32 << 24) | (2 << 16) | (8 << 12) | (8 << 8) | (8 << 4) | 8
X8R8G8B8 = (32 << 24) | (2 << 16) | (0 << 12) | (8 << 8) | (8 << 4) | 8
FILTER_BILINEAR = 4
OP_SRC, OP_OVER = 1, 3
FIXED_ONE = 1 << 16


class _FTransform(ctypes.Structure):
    _fields_ = [("m", (ctypes.c_double * 3) * 3)]


class _Transform(ctypes.Structure):
    _fields_ = [("matrix", (ctypes.c_int32 * 3) * 3)]


class _Vector(ctypes.Structure):
    _fields_ = [("vector", ctypes.c_int32 * 3)]


class PixmanMissing(OSError):
    """The pixman library cannot be loaded."""


@dataclass(frozen=True)
class Tile:
    """One output's frozen pixels (RGB32, native size) and its logical rectangle."""

    logical: QRect
    image: QImage

    @property
    def scale(self) -> float:
        """Native pixels per logical pixel, as grim guesses it (width over logical width)."""
        return self.image.width() / max(1, self.logical.width())


@cache
def _pixman() -> Any:
    name = ctypes.util.find_library("pixman-1")
    if name is None:
        raise PixmanMissing("the pixman library (which grim draws with) is not installed")
    lib = ctypes.CDLL(name)
    ptr, f_ptr = ctypes.c_void_p, ctypes.POINTER(_FTransform)
    lib.pixman_image_create_bits.restype = ptr
    lib.pixman_image_create_bits.argtypes = [
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ptr,
        ctypes.c_int,
    ]
    lib.pixman_image_unref.argtypes = [ptr]
    lib.pixman_image_set_transform.argtypes = [ptr, ctypes.POINTER(_Transform)]
    lib.pixman_image_set_filter.argtypes = [ptr, ctypes.c_int, ptr, ctypes.c_int]
    lib.pixman_image_composite32.argtypes = [ctypes.c_int, ptr, ptr, ptr, *[ctypes.c_int32] * 8]
    lib.pixman_f_transform_init_identity.argtypes = [f_ptr]
    for name in ("translate", "scale", "rotate"):
        function = getattr(lib, f"pixman_f_transform_{name}")
        function.argtypes = [f_ptr, f_ptr, ctypes.c_double, ctypes.c_double]
    lib.pixman_f_transform_invert.argtypes = [f_ptr, f_ptr]
    lib.pixman_transform_from_pixman_f_transform.argtypes = [ctypes.POINTER(_Transform), f_ptr]
    lib.pixman_transform_point.argtypes = [ctypes.POINTER(_Transform), ctypes.POINTER(_Vector)]
    return lib


def _address(image: QImage) -> int:
    return ctypes.addressof(ctypes.c_char.from_buffer(image.bits()))


def _intersects(a: QRect, b: QRect) -> bool:
    """grim's intersect_box: a shared area, not a shared edge."""
    return a.intersects(b)


def compose(outputs: Sequence[Tile], region: QRect) -> QImage:
    """`region` (logical) composed from `outputs` as `grim -g` does; premultiplied ARGB32.

    `outputs` are in the order the compositor announced them (grim paints them in reverse);
    pixels of `region` on no output stay transparent, as in grim's image.
    """
    touched = [item for item in outputs if _intersects(region, item.logical)]
    scale = max([1.0, *(item.scale for item in touched)])
    width, height = int(region.width() * scale), int(region.height() * scale)
    result = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    result.fill(0)
    lib = _pixman()
    common = lib.pixman_image_create_bits(
        A8R8G8B8, width, height, _address(result), result.bytesPerLine()
    )
    try:
        for item in reversed(touched):
            overlapping = any(
                other is not item and _intersects(item.logical, other.logical) for other in outputs
            )
            _paint(lib, common, item, region, scale, overlapping)
    finally:
        lib.pixman_image_unref(common)
    return result


def _paint(
    lib: Any, common: int, item: Tile, region: QRect, scale: float, overlapping: bool
) -> None:
    """grim's render() loop body for one output (normal transform, not flipped)."""
    source = item.image
    if source.format() != QImage.Format.Format_RGB32:
        source = source.convertToFormat(QImage.Format.Format_RGB32)
    raw_w, raw_h = source.width(), source.height()
    logical = item.logical
    image = lib.pixman_image_create_bits(
        X8R8G8B8, raw_w, raw_h, _address(source), source.bytesPerLine()
    )
    try:
        out2com = _FTransform()
        lib.pixman_f_transform_init_identity(ctypes.byref(out2com))
        steps: list[tuple[str, float, float]] = [
            ("translate", -raw_w / 2, -raw_h / 2),
            ("scale", logical.width() / raw_w, logical.height() / raw_h),
            ("rotate", 1.0, 0.0),
            ("scale", 1.0, 1.0),
            ("translate", logical.width() / 2, logical.height() / 2),
            ("translate", logical.x() - region.x(), logical.y() - region.y()),
            ("scale", scale, scale),
        ]
        for name, a, b in steps:
            getattr(lib, f"pixman_f_transform_{name}")(ctypes.byref(out2com), None, a, b)
        x, y, w, h, aligned = _composite_region(lib, out2com, raw_w, raw_h)
        lib.pixman_f_transform_translate(ctypes.byref(out2com), None, float(-x), float(-y))
        com2out, fixed = _FTransform(), _Transform()
        lib.pixman_f_transform_invert(ctypes.byref(com2out), ctypes.byref(out2com))
        lib.pixman_transform_from_pixman_f_transform(ctypes.byref(fixed), ctypes.byref(com2out))
        lib.pixman_image_set_transform(image, ctypes.byref(fixed))
        # every output is drawn at or above its own scale, so grim's bilinear branch applies
        lib.pixman_image_set_filter(image, FILTER_BILINEAR, None, 0)
        op = OP_SRC if aligned and not overlapping else OP_OVER
        lib.pixman_image_composite32(op, image, None, common, 0, 0, 0, 0, x, y, w, h)
    finally:
        lib.pixman_image_unref(image)


def _composite_region(
    lib: Any, out2com: _FTransform, width: int, height: int
) -> tuple[int, int, int, int, bool]:
    """grim's compute_composite_region: the output's bounding box in the common image."""
    fixed = _Transform()
    lib.pixman_transform_from_pixman_f_transform(ctypes.byref(fixed), ctypes.byref(out2com))
    xs, ys = [], []
    for cx, cy in ((0, 0), (width, 0), (0, height), (width, height)):
        corner = _Vector()
        corner.vector[0], corner.vector[1], corner.vector[2] = (
            cx * FIXED_ONE,
            cy * FIXED_ONE,
            FIXED_ONE,
        )
        lib.pixman_transform_point(ctypes.byref(fixed), ctypes.byref(corner))
        xs.append(corner.vector[0])
        ys.append(corner.vector[1])
    edges = (min(xs), max(xs), min(ys), max(ys))
    aligned = all(edge % FIXED_ONE == 0 for edge in edges)
    x1, y1 = math.floor(edges[0] / FIXED_ONE), math.floor(edges[2] / FIXED_ONE)
    x2, y2 = math.ceil(edges[1] / FIXED_ONE), math.ceil(edges[3] / FIXED_ONE)
    return x1, y1, x2 - x1, y2 - y1, aligned

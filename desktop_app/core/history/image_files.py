"""Content-addressed problem images and their thumbnails: `<data>/images/ab/<sha256>.png`."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

THUMB_MAX_PX = 96
# A file this young may belong to a conversation another process is creating right now
# (the image is written before its row), so orphan cleanup leaves it for next time.
ORPHAN_GRACE_S = 3600.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ImageFiles:
    """The image and thumbnail folders under one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.images_dir = data_dir / "images"
        self.thumbs_dir = data_dir / "thumbs"

    def image_path(self, sha256: str) -> Path:
        """Where the image with this hash lives (whether or not it exists)."""
        return _sharded(self.images_dir, sha256)

    def thumb_path(self, sha256: str) -> Path:
        """Where the thumbnail of the image with this hash lives (whether or not it exists)."""
        return _sharded(self.thumbs_dir, sha256)

    def save(self, png: bytes) -> str:
        """Store `png` (once per content) with its thumbnail; returns its sha256."""
        import hashlib  # ~3 ms to import: with the first image, not at start-up

        sha256 = hashlib.sha256(png).hexdigest()
        path = self.image_path(sha256)
        if not path.exists():
            _write_atomically(path, png)
        if not self.thumb_path(sha256).exists():
            self.make_thumbnail(sha256, png)
        return sha256

    def make_thumbnail(self, sha256: str, png: bytes | None = None) -> Path | None:
        """Write the thumbnail for `sha256`; None (logged) when the image cannot be decoded."""
        from PIL import Image, UnidentifiedImageError

        try:
            data = png if png is not None else self.image_path(sha256).read_bytes()
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((THUMB_MAX_PX, THUMB_MAX_PX))
                buffer = io.BytesIO()
                image.save(buffer, "PNG", optimize=True)
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            # A missing thumbnail only costs the sidebar a picture; never fail a save for it.
            log.warning("No thumbnail for image %s: %s", sha256, exc)
            return None
        path = self.thumb_path(sha256)
        _write_atomically(path, buffer.getvalue())
        return path

    def remove(self, sha256: str) -> None:
        """Delete the image and its thumbnail, if present."""
        for path in (self.image_path(sha256), self.thumb_path(sha256)):
            path.unlink(missing_ok=True)

    def stored_hashes(self) -> Iterator[tuple[str, Path]]:
        """Every (sha256, file) under the image and thumbnail folders, temp files included."""
        for root in (self.images_dir, self.thumbs_dir):
            if root.is_dir():
                for path in root.glob("*/*"):
                    yield path.name.lstrip(".").split(".")[0], path


class ImageOwner(Protocol):
    """What remove_orphans needs of the history store (which imports this module)."""

    images: ImageFiles

    def image_hashes(self) -> set[str]:
        """The hashes of every image a conversation references."""
        ...


def remove_orphans(store: ImageOwner, grace_s: float = ORPHAN_GRACE_S) -> int:
    """Delete image and thumbnail files no conversation references; returns how many."""
    referenced = store.image_hashes()
    cutoff = time.time() - grace_s
    removed = 0
    for sha256, path in list(store.images.stored_hashes()):
        is_temp = path.name.startswith(".")
        if not is_temp and sha256 in referenced:
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime > cutoff:
                continue
            path.unlink()
            removed += 1
    return removed


def _sharded(root: Path, sha256: str) -> Path:
    if not _SHA256.match(sha256):
        # The hash becomes a path: anything else could climb out of the folder.
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return root / sha256[:2] / f"{sha256}.png"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder, fsync, rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk; Windows cannot open folders.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Content-addressed image files, thumbnails, and cleaning up files nothing references."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.history.image_files import THUMB_MAX_PX, ImageFiles, remove_orphans
from desktop_app.core.history.store import HistoryStore
from tests.fakes.images import png_bytes


def test_image_is_stored_under_its_hash(store: HistoryStore, tmp_path: Path) -> None:
    """GIVEN a PNG WHEN a conversation is created THEN the file is images/ab/<sha256>.png."""
    png = png_bytes(320, 200)
    conversation = store.get(store.create_conversation(png, "t"))
    sha256 = hashlib.sha256(png).hexdigest()
    assert conversation.image_sha256 == sha256
    path = tmp_path / "images" / sha256[:2] / f"{sha256}.png"
    assert store.image_path(conversation) == path
    assert path.read_bytes() == png
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_thumbnail_fits_in_96_px_keeping_aspect(store: HistoryStore, tmp_path: Path) -> None:
    """GIVEN a wide image WHEN saved THEN a PNG thumbnail at most 96 px with the same aspect."""
    png = png_bytes(400, 100)
    sha256 = store.get(store.create_conversation(png, "t")).image_sha256
    assert sha256 is not None
    with Image.open(store.images.thumb_path(sha256)) as thumb:
        assert thumb.format == "PNG"
        assert thumb.size == (THUMB_MAX_PX, 24)


def test_same_image_is_stored_once(store: HistoryStore, tmp_path: Path) -> None:
    """GIVEN the same PNG twice WHEN saved THEN one file, shared by both conversations."""
    png = png_bytes(320, 200)
    first = store.create_conversation(png, "a")
    second = store.create_conversation(png, "b")
    assert store.get(first).image_sha256 == store.get(second).image_sha256
    assert len(list((tmp_path / "images").glob("*/*.png"))) == 1


def test_delete_keeps_a_shared_image_until_its_last_user_goes(
    store: HistoryStore, tmp_path: Path
) -> None:
    """GIVEN two conversations sharing an image WHEN deleted one by one THEN the file goes last."""
    png = png_bytes(320, 200)
    first = store.create_conversation(png, "a")
    second = store.create_conversation(png, "b")
    path = store.image_path(store.get(first))
    assert path is not None
    thumb = store.images.thumb_path(path.stem)
    store.delete(first)
    assert path.exists()
    assert thumb.exists()
    store.delete(second)
    assert not path.exists()
    assert not thumb.exists()


def test_remove_orphans_deletes_only_unreferenced_files(store: HistoryStore) -> None:
    """GIVEN a referenced image, a stray image and a stale temp file WHEN cleaned THEN only the
    stray ones go."""
    kept = store.get(store.create_conversation(png_bytes(320, 200, "red"), "kept")).image_sha256
    assert kept is not None
    stray = store.images.save(png_bytes(320, 200, "blue"))  # as if the process died before the row
    temp = store.images.image_path(stray).with_name(f".{stray}.abc123.tmp")
    temp.write_bytes(b"half")
    assert remove_orphans(store, grace_s=0) == 3  # stray image, its thumbnail, the temp file
    assert store.images.image_path(kept).exists()
    assert store.images.thumb_path(kept).exists()
    assert not store.images.image_path(stray).exists()
    assert not store.images.thumb_path(stray).exists()
    assert not temp.exists()


def test_remove_orphans_spares_young_files(store: HistoryStore) -> None:
    """GIVEN a just-written unreferenced image (another process mid-create) WHEN cleaned THEN it
    stays until it is older than the grace period."""
    stray = store.images.save(png_bytes(320, 200, "green"))
    assert remove_orphans(store) == 0
    old = 1_000_000_000
    os.utime(store.images.image_path(stray), (old, old))
    assert remove_orphans(store) == 1
    assert not store.images.image_path(stray).exists()


def test_undecodable_image_is_kept_without_thumbnail(tmp_path: Path) -> None:
    """GIVEN bytes Pillow cannot read WHEN saved THEN the file is kept and no thumbnail made."""
    images = ImageFiles(tmp_path)
    sha256 = images.save(b"\x89PNG but not really")
    assert images.image_path(sha256).exists()
    assert not images.thumb_path(sha256).exists()


@pytest.mark.parametrize("bad", ["../../etc/passwd", "AB" * 32, "a" * 63])
def test_paths_only_from_real_hashes(tmp_path: Path, bad: str) -> None:
    """GIVEN something that is not a sha256 WHEN used as one THEN ValueError, no path."""
    with pytest.raises(ValueError, match="sha256"):
        ImageFiles(tmp_path).image_path(bad)


def test_thumbnail_can_be_remade_from_the_image(tmp_path: Path) -> None:
    """GIVEN a lost thumbnail WHEN remade THEN it is rebuilt from the stored image."""
    images = ImageFiles(tmp_path)
    sha256 = images.save(png_bytes(50, 50))
    images.thumb_path(sha256).unlink()
    path = images.make_thumbnail(sha256)
    assert path is not None
    with Image.open(io.BytesIO(path.read_bytes())) as thumb:
        assert thumb.size == (50, 50)

"""Reading image files and streams for core/images.py: once, bounded, one sentence when not."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core import images
from desktop_app.core.errors import ImageError
from desktop_app.core.images import load_image_file, read_image_file, read_image_stream
from tests.core.test_images import GREEN, _assert_one_sentence, _assert_valid_output, _noise, _save


def test_given_an_image_file_when_loaded_then_it_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "problem.jpg"
    path.write_bytes(_save(Image.new("RGB", (50, 40), GREEN), "JPEG"))

    result = load_image_file(path)

    _assert_valid_output(result)
    assert (result.source_format, result.width, result.height) == ("JPEG", 50, 40)


def test_given_a_missing_file_when_loaded_then_the_sentence_names_it(tmp_path: Path) -> None:
    with pytest.raises(ImageError) as caught:
        load_image_file(tmp_path / "nowhere.png")

    _assert_one_sentence(caught.value, '"nowhere.png" does not exist')


def test_given_a_directory_when_loaded_then_the_sentence_names_it(tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()

    with pytest.raises(ImageError) as caught:
        load_image_file(folder)

    _assert_one_sentence(caught.value, '"shots" is a folder')


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (PermissionError(13, "Permission denied"), 'not allowed to read "secret.png"'),
        (OSError(5, "Input/output error"), '"secret.png" could not be read'),
    ],
)
def test_given_an_unreadable_file_when_loaded_then_the_sentence_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, fragment: str
) -> None:
    """Simulated, because chmod 000 does not stop root (CI containers often run as root);
    tests/e2e/test_cli_bounded_input.py reads a real unreadable file as nobody."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr(images, "_open_without_waiting", refuse)

    with pytest.raises(ImageError) as caught:
        load_image_file(tmp_path / "secret.png")

    _assert_one_sentence(caught.value, fragment)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_given_an_endless_file_when_loaded_then_reading_stops_at_the_cap() -> None:
    with pytest.raises(ImageError) as caught:
        load_image_file("/dev/zero", max_bytes=4096)

    _assert_one_sentence(caught.value, "larger than 4 KB")


def test_given_a_file_over_the_byte_cap_when_loaded_then_refused_without_reading_it_all(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_save(_noise((64, 64)), "PNG"))

    with pytest.raises(ImageError) as caught:
        load_image_file(path, max_bytes=2048)

    _assert_one_sentence(caught.value, "larger than 2 KB")


def test_given_a_file_when_read_then_its_bytes_come_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "problem.png"
    data = _save(_noise((20, 20)), "PNG")
    path.write_bytes(data)

    assert read_image_file(path) == data


def test_given_an_empty_file_when_read_then_the_sentence_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")

    with pytest.raises(ImageError) as caught:
        read_image_file(path)

    _assert_one_sentence(caught.value, '"empty.png" is empty (0 bytes)')


def test_given_a_stream_when_read_then_bytes_up_to_the_cap_are_taken() -> None:
    assert read_image_stream(io.BytesIO(b"12345678"), max_bytes=8) == b"12345678"

    with pytest.raises(ImageError) as too_long:
        read_image_stream(io.BytesIO(b"123456789"), max_bytes=8)
    _assert_one_sentence(too_long.value, "larger than 8 bytes")

    with pytest.raises(ImageError) as empty:
        read_image_stream(io.BytesIO(b""))
    _assert_one_sentence(empty.value, "No image bytes arrived on standard input")

"""Every problem image enters one way: read once, bounded, off the GUI thread, shown at once."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from desktop_app.core import images
from desktop_app.ui.problem.image_loader import ImageLoader, preview, qimage_to_png
from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.helpers import drop_file, problem_file, shows_final

TRANSCRIPT = "Solve $x^2 - 5x + 6 = 0$."


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread of every read_image_file call (the function the command line uses too)."""
    threads: list[str] = []
    real = images.read_image_file

    def counted(path: Any, **options: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return real(path, **options)

    monkeypatch.setattr(images, "read_image_file", counted)
    return threads


def test_a_dropped_file_is_read_once_off_the_gui_thread_and_shown_at_once(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tmp_path: Path, reads: list[str]
) -> None:
    """GIVEN a slow reader WHEN an image file is dropped THEN the drop returns at once, the
    file is read once on a worker, the image shows before the reader has answered, and those
    bytes are what the problem is solved from."""
    dashscope.script_text(chunks=[TRANSCRIPT], delay=1.0, endpoint="multimodal")
    dashscope.script_text("$\\boxed{2, 3}$", endpoint="text")
    path = problem_file(tmp_path)
    start = time.perf_counter()
    assert drop_file(window.drop_area, path)
    assert time.perf_counter() - start < 0.1  # the drop handler reads nothing itself
    qtbot.waitUntil(window.drop_area.has_image, timeout=5000)
    assert window.transcript_editor.text() == ""  # the reader has not answered yet
    assert window.state.image == path.read_bytes()
    qtbot.waitUntil(lambda: shows_final(window, "2, 3"), timeout=20000)
    assert reads == ["image-read"]


@pytest.fixture
def sparse_file(tmp_path: Path) -> Path:
    """A 3 GB file that takes no disk space: reading it whole would freeze any window."""
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.truncate(3 * 2**30)
    return path


def test_unusable_files_get_one_sentence_and_nothing_is_sent(
    qtbot: Any, window: Any, dashscope: FakeDashScope, tmp_path: Path, sparse_file: Path
) -> None:
    """GIVEN a folder, a 3 GB file and a file that is gone WHEN each is dropped THEN the status
    bar says why in one sentence (never "0 bytes"), at once, and no request is sent."""
    folder = tmp_path / "scans"
    folder.mkdir()
    gone = tmp_path / "gone.png"
    expected = {
        folder: '"scans" is a folder, not an image file.',
        sparse_file: "The image is larger than 50 MB, the most Qwen Math accepts.",
        gone: 'The image file "gone.png" does not exist.',
    }
    for path, sentence in expected.items():
        start = time.perf_counter()
        assert drop_file(window.drop_area, path)
        qtbot.waitUntil(lambda s=sentence: window.status_label.text() == s, timeout=5000)
        assert time.perf_counter() - start < 2
        assert "0 bytes" not in window.status_label.text()
    assert dashscope.requests == []
    assert not window.stop_action.isEnabled()


def test_a_newer_image_replaces_one_still_loading(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a file whose read is slow WHEN another image comes meanwhile THEN only the newer
    one is loaded."""
    slow = tmp_path / "slow.png"
    slow.write_bytes(b"slow")
    release = threading.Event()
    real = images.read_image_file

    def read(path: Any, **options: Any) -> bytes:
        if Path(path) == slow:
            release.wait(5)
        return real(path, **options)

    monkeypatch.setattr(images, "read_image_file", read)
    loader = ImageLoader()
    loaded: list[str] = []
    loader.loaded.connect(lambda _data, _shown, name: loaded.append(name))
    loader.load(str(slow))
    newer = problem_file(tmp_path)
    with qtbot.waitSignal(loader.loaded, timeout=5000):
        loader.load(str(newer))
    release.set()
    qtbot.wait(200)
    assert loaded == [str(newer)]
    assert loader.shutdown(5)


def test_pasted_images_keep_transparency_and_big_ones_preview_small(qapp: Any) -> None:
    """GIVEN a pasted image with transparent parts THEN its PNG keeps them (the reader's copy
    puts them on white); GIVEN a large image THEN its preview is at most 2048 px wide."""
    image = QImage(40, 20, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    image.setPixelColor(5, 5, QColor("black"))
    decoded = Image.open(io.BytesIO(qimage_to_png(image)))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0))[3] == 0
    assert decoded.getpixel((5, 5)) == (0, 0, 0, 255)
    wide = QImage(5000, 100, QImage.Format.Format_RGB32)
    wide.fill(Qt.GlobalColor.white)
    shown = preview(qimage_to_png(wide))
    assert (shown.width(), shown.height()) == (2048, 40)
    assert preview(b"not an image").isNull()

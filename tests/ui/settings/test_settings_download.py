"""The Local page's model download (ui/settings/model_download.py): progress, cancel, errors,
closing."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from desktop_app.core.errors import Cancelled, ConfigError
from desktop_app.core.settings import Settings
from desktop_app.ui.settings import dialog as settings_dialog
from desktop_app.ui.settings import form, local_page
from desktop_app.ui.settings.dialog import SettingsDialog

READER_ID, SOLVER_ID = Settings().local.reader_model, Settings().local.solver_model
OFFLINE = (
    f"Cannot download {SOLVER_ID}: Hugging Face Hub access is switched off (HF_HUB_OFFLINE=1) "
    "or unreachable, and the model is not in the local cache."
)


class FakeHub:
    """Stands in for huggingface_hub: a cache, and a download that reports steps and can stop."""

    TOTAL = 3 * 1024**3  # past the 32-bit range a progress bar holds

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cached: dict[str, Path] = {}
        self.steps, self.step_s, self.error = 10, 0.02, ""
        self.stopped_at: float | None = None

    def find_cached(self, repo_id: str) -> Path | None:
        return self.cached.get(repo_id)

    def download(
        self,
        repo_id: str,
        *,
        progress: Callable[[int, int], None],
        cancel: threading.Event,
    ) -> Path:
        for step in range(1, self.steps + 1):
            if cancel.wait(self.step_s):
                self.stopped_at = time.monotonic()
                raise Cancelled()
            progress(self.TOTAL * step // self.steps, self.TOTAL)
        if self.error:
            raise ConfigError(self.error)
        self.cached[repo_id] = folder = self.model_folder(repo_id)
        return folder

    def model_folder(self, repo_id: str) -> Path:
        """A usable snapshot folder: a Qwen2-VL reader or a Qwen2 solver."""
        folder = self.root / repo_id.replace("/", "--")
        folder.mkdir(parents=True)
        reader = "-VL-" in repo_id
        config = {"model_type": "qwen2_vl" if reader else "qwen2"}
        (folder / "config.json").write_text(json.dumps(config))
        (folder / "model.safetensors").write_bytes(b"")
        (folder / "tokenizer.json").write_text("{}")
        if reader:
            (folder / "preprocessor_config.json").write_text("{}")
        return folder


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    """The dialogs made after this build their Local page on the fake hub."""
    fake = FakeHub(tmp_path / "hub")
    page = functools.partial(
        local_page.LocalModelsPage, download=fake.download, find_cached=fake.find_cached
    )
    monkeypatch.setattr(settings_dialog, "LocalModelsPage", page)
    return fake


def offered(dialog: SettingsDialog, stage: str) -> bool:
    return not dialog.local_page.fetchers[stage].download_button.isHidden()


def test_download_shows_progress_then_the_model(make_dialog: Any, qtbot: Any, hub: FakeHub) -> None:
    """GIVEN an uncached solver id WHEN Download THEN bytes/total reach 100% and it validates."""
    hub.cached[READER_ID] = hub.model_folder(READER_ID)
    dialog = make_dialog()
    page = dialog.local_page
    qtbot.waitUntil(lambda: offered(dialog, "solver"), timeout=5000)
    qtbot.waitUntil(lambda: "GB on disk" in page.infos["reader"].text(), timeout=5000)
    assert not offered(dialog, "reader")  # cached: shown like a folder, nothing to download
    fetcher = page.fetchers["solver"]
    seen: list[tuple[int, str]] = []
    fetcher.bar.valueChanged.connect(lambda value: seen.append((value, fetcher.bar.text())))
    fetcher.download_button.click()
    assert not fetcher.progress_row.isHidden()  # returned at once: it runs elsewhere
    assert page.edits["solver"].isReadOnly()
    assert not offered(dialog, "solver")
    ticks: list[int] = []
    qtbot.waitUntil(
        lambda: ticks.append(1) or "GB on disk" in page.infos["solver"].text(), timeout=5000
    )
    assert len(ticks) > 3  # the event loop kept turning during the download
    assert seen[-1] == (fetcher.bar.maximum(), "3.0 GB of 3.0 GB (100%)")
    assert page.infos["solver"].text().startswith("qwen2: ")
    assert page.infos["solver"].styleSheet() == form.OK_STYLE
    assert fetcher.progress_row.isHidden()
    assert not page.edits["solver"].isReadOnly()
    assert not offered(dialog, "solver")
    assert dialog.ok_button.isEnabled()
    assert dialog.result_settings().local.solver_model == SOLVER_ID  # the id, now in the cache


def test_cancel_stops_the_download_promptly(make_dialog: Any, qtbot: Any, hub: FakeHub) -> None:
    """GIVEN a long download WHEN Cancel THEN it stops within a step and says it was cancelled."""
    hub.steps, hub.step_s = 500, 0.05
    dialog = make_dialog()
    page = dialog.local_page
    fetcher = page.fetchers["solver"]
    qtbot.waitUntil(lambda: offered(dialog, "solver"), timeout=5000)
    fetcher.download_button.click()
    qtbot.waitUntil(lambda: fetcher.bar.value() > 0, timeout=5000)
    clicked = time.monotonic()
    fetcher.cancel_button.click()
    qtbot.waitUntil(lambda: page.infos["solver"].text() == "Download cancelled.", timeout=2000)
    assert time.monotonic() - clicked < 1.0
    assert hub.stopped_at is not None
    assert hub.stopped_at - clicked < 0.5
    assert not any(t.name == "settings-check" for t in threading.enumerate())
    assert offered(dialog, "solver")  # it can be tried again
    assert fetcher.progress_row.isHidden()
    assert SOLVER_ID not in hub.cached


def test_download_error_shows_inline(make_dialog: Any, qtbot: Any, hub: FakeHub) -> None:
    """GIVEN no way to reach the hub WHEN Download THEN its one sentence shows under the field."""
    hub.error = OFFLINE
    dialog = make_dialog()
    page = dialog.local_page
    qtbot.waitUntil(lambda: offered(dialog, "solver"), timeout=5000)
    page.fetchers["solver"].download_button.click()
    qtbot.waitUntil(lambda: page.infos["solver"].text() == OFFLINE, timeout=5000)
    assert page.infos["solver"].styleSheet() == form.ERROR_STYLE
    assert offered(dialog, "solver")
    assert page.fetchers["solver"].progress_row.isHidden()


def test_download_is_offered_for_uncached_ids_only(
    make_dialog: Any, qtbot: Any, hub: FakeHub, tmp_path: Path
) -> None:
    """GIVEN a folder, a cached id, an uncached id THEN only the last gets a Download button."""
    hub.cached[SOLVER_ID] = hub.model_folder(SOLVER_ID)
    dialog = make_dialog()
    page = dialog.local_page
    qtbot.waitUntil(lambda: offered(dialog, "reader"), timeout=5000)
    qtbot.waitUntil(lambda: "GB on disk" in page.infos["solver"].text(), timeout=5000)
    assert not offered(dialog, "solver")
    page.edits["reader"].setText(str(hub.model_folder("Qwen/Qwen2-VL-7B-Instruct")))
    assert not offered(dialog, "reader")
    assert "GB on disk" in page.infos["reader"].text()
    page.edits["reader"].setText(str(tmp_path / "missing"))
    assert not offered(dialog, "reader")
    page.edits["reader"].setText("Qwen/Qwen2.5-VL-7B-Instruct")
    qtbot.waitUntil(lambda: offered(dialog, "reader"), timeout=5000)


@pytest.mark.parametrize("closing", ["reject", "delete"])
def test_closing_stops_the_download(
    make_dialog: Any, qtbot: Any, hub: FakeHub, closing: str
) -> None:
    """GIVEN a download WHEN the dialog closes or is deleted THEN its thread is stopped and gone."""
    hub.steps, hub.step_s = 500, 0.05
    dialog = make_dialog()
    fetcher = dialog.local_page.fetchers["solver"]
    qtbot.waitUntil(lambda: offered(dialog, "solver"), timeout=5000)
    fetcher.download_button.click()
    qtbot.waitUntil(lambda: fetcher.bar.value() > 0, timeout=5000)
    if closing == "reject":
        dialog.reject()
    else:
        dialog.close()  # never shown, so no finished signal: deletion must stop it
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(dialog)
    assert hub.stopped_at is not None
    assert not any(t.name == "settings-check" for t in threading.enumerate())
    qtbot.wait(50)  # any report still queued is dropped, never delivered to deleted widgets

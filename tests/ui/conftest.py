"""GUI fixtures: the main window wired to a fake DashScope, the settings dialog with a fake
keyring, and page-script helpers."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from desktop_app.core.settings import Settings
from tests.e2e.conftest import TEST_KEY
from tests.fakes.dashscope_server import FakeDashScope
from tests.threads import wait_threads_gone

if TYPE_CHECKING:
    from desktop_app.ui.settings.dialog import SettingsDialog

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def run_js(qtbot: Any, view: Any, script: str) -> Any:
    """Run a script in a web view's page and wait for its result."""
    box: dict[str, Any] = {}
    view.page().runJavaScript(script, 0, lambda result: box.setdefault("result", result))
    qtbot.waitUntil(lambda: "result" in box, timeout=5000)
    return box["result"]


def wait_js(qtbot: Any, view: Any, script: str, timeout: float = 15.0) -> Any:
    """Poll a page script until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while not (result := run_js(qtbot, view, script)):
        assert time.monotonic() < deadline, f"timed out waiting for: {script}"
        qtbot.wait(25)
    return result


@pytest.fixture(autouse=True)
def no_worker_left_running() -> Iterator[None]:
    """Every UI test ends with no background worker still running (ui/workers.py's registry):
    whatever a test starts, it stops and joins, as the window and dialogs do when closed."""
    yield
    from desktop_app.ui.workers import running_workers

    left = wait_threads_gone(running_workers)
    assert not left, f"background work left running: {[w.name for w in left]}"


@pytest.fixture
def dashscope(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeDashScope]:
    """A fake DashScope the app reaches through the SDK's own base-URL variable."""
    with FakeDashScope(api_key=TEST_KEY, chunk_size=5) as server:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", server.base_url)
        monkeypatch.setenv("DASHSCOPE_API_KEY", TEST_KEY)
        monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        yield server


class KeyPrompt:
    """Stands in for the key dialog: records calls and 'enters' a key."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: str | None) -> None:
        self.calls = 0
        self._monkeypatch, self._answer = monkeypatch, answer

    def __call__(self, parent: object) -> bool:
        self.calls += 1
        if self._answer is None:
            return False
        self._monkeypatch.setenv("DASHSCOPE_API_KEY", self._answer)
        return True


@pytest.fixture
def key_prompt(monkeypatch: pytest.MonkeyPatch) -> KeyPrompt:
    return KeyPrompt(monkeypatch, TEST_KEY)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A history store in the test's own folder."""
    from desktop_app.core.history.store import HistoryStore

    history = HistoryStore(tmp_path / "history.sqlite3")
    yield history
    history.close()


class ConsentPrompt:
    """Stands in for the TIR consent dialog: records calls and gives a fixed answer."""

    def __init__(self) -> None:
        self.calls = 0
        self.answer: str | None = "once"

    def __call__(self, parent: object) -> str | None:
        self.calls += 1
        return self.answer


@pytest.fixture
def tir_consent() -> ConsentPrompt:
    return ConsentPrompt()


@pytest.fixture
def window(
    qtbot: Any,
    dashscope: FakeDashScope,
    key_prompt: KeyPrompt,
    store: Any,
    tir_consent: ConsentPrompt,
) -> Iterator[Any]:
    """The real main window, shown, its answer page loaded; no thread outlives it."""
    from desktop_app.core.backends.registry import build_backends
    from desktop_app.ui.window.main_window import MainWindow

    settings = Settings()
    threads_before = set(threading.enumerate())
    win = MainWindow(
        lambda on_retry, on_warning: build_backends(
            settings, on_retry=on_retry, on_warning=on_warning
        ),
        key_prompt,
        store,
        settings=settings,
        ask_tir_consent=tir_consent,  # type: ignore[arg-type]
    )
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.answer_view.ready, timeout=20000)
    yield win
    assert win.shutdown(5.0), "a pipeline thread outlived the window"
    win.close()
    qtbot.wait(50)
    leftover = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not [t for t in leftover if t.name == "pipeline"], leftover


class KeyStore:
    """Stands in for the keyring."""

    def __init__(self, key: str | None = None) -> None:
        self.key, self.stored = key, []

    def get(self) -> str | None:
        return self.key

    def store(self, key: str) -> None:
        self.stored.append(key)
        self.key = key


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore()


@pytest.fixture
def make_dialog(
    qtbot: Any, keys: KeyStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Callable[..., SettingsDialog]]:
    """A dialog factory with a fake keyring and GPU; no check thread may outlive a test."""
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / "home"))
    from desktop_app.ui.settings.dialog import SettingsDialog

    made: list[SettingsDialog] = []

    def make(settings: Settings | None = None, **overrides: Any) -> SettingsDialog:
        options: dict[str, Any] = {
            "get_key": keys.get,
            "store_key": keys.store,
            "detect_vram": lambda: 24.0,
            "confirm_tir": lambda parent: True,
        }
        options.update(overrides)
        dialog = SettingsDialog(settings or Settings(), **options)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.shutdown()
        if shiboken6.isValid(dialog):
            dialog.close()  # deletes it (WA_DeleteOnClose), here on the GUI thread
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(d) for d in made)
    made.clear()
    gc.collect()  # never leave Qt objects for a worker thread's garbage collection
    left = [t for t in threading.enumerate() if t.name == "settings-check" and t.is_alive()]
    assert not left, left

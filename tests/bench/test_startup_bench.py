"""Start-up: our window shown and interactive vs a bare PySide6 window with an empty web view."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]

BASELINE = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from PySide6.QtWidgets import QApplication
    app = QApplication(sys.argv[:1])
    view = QWebEngineView()
    view.resize(1100, 720)
    view.show()
    QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
    app.exec()
    """
)

OURS = textwrap.dedent(
    """
    import sys
    from desktop_app import app as composition

    make = composition.create_main_window

    def probed(*args):
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        window = make(*args)
        def ready():
            heavy = sorted(m for m in ("torch", "transformers", "dashscope") if m in sys.modules)
            shown = "shown" if window.isVisible() else "hidden"
            print("READY", shown, ",".join(heavy), flush=True)
            poll.start(5)
        def page_loaded():
            if window.answer_view.ready:  # MathJax has started: the first answer can stream
                print("PAGE", flush=True)
                QApplication.instance().quit()
        poll = QTimer(window)
        poll.timeout.connect(page_loaded)
        show = window.show
        def show_then_ready():  # as in the baseline: queued after what showing queues
            show()
            QTimer.singleShot(0, ready)
        window.show = show_then_ready
        return window

    composition.create_main_window = probed
    composition.run_gui()
    """
)


def time_to_ready(script: str, env: dict[str, str]) -> tuple[float, str, float | None]:
    """Seconds from spawning the process to its READY line, that line, and seconds to PAGE."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    ready: tuple[float, str] | None = None
    for line in proc.stdout:
        if line.startswith("READY"):
            ready = time.perf_counter() - start, line.strip()
        elif line.startswith("PAGE"):
            page = time.perf_counter() - start
            assert ready is not None
            proc.wait(timeout=30)
            return ready[0], ready[1], page
    proc.wait(timeout=30)
    if ready is None:
        raise AssertionError(f"process exited ({proc.returncode}) without becoming ready")
    return ready[0], ready[1], None


def test_startup_ratio_against_bare_webengine_window(tmp_path: Path) -> None:
    """Start-up to a shown window is at most 1.3x a bare window holding an empty web view."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "QWEN_MATH_HOME": str(tmp_path / "home"),
        # As on a user's machine, both programs run from bytecode caches written by the
        # warm-up runs (a machine with PYTHONDONTWRITEBYTECODE=1 compiles every module on
        # every start); the caches go to a temporary folder, not into the source tree.
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
    }
    env.pop("DASHSCOPE_API_KEY", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(2):  # warm the OS file cache and write the bytecode caches for both
        time_to_ready(BASELINE, env)
        time_to_ready(OURS, env)
    baseline: list[float] = []
    ours: list[float] = []
    pages: list[float] = []
    for _ in range(11):  # interleaved so machine noise hits both alike
        baseline.append(time_to_ready(BASELINE, env)[0])
        elapsed, line, page = time_to_ready(OURS, env)
        assert line == "READY shown", f"window hidden or heavy modules imported: {line}"
        assert page is not None, "the answer page never loaded"
        ours.append(elapsed)
        pages.append(page)
    bare, mine = statistics.median(baseline), statistics.median(ours)
    ratio = mine / bare
    print(
        f"\nstart-up: ours {mine * 1000:.0f} ms, bare web view {bare * 1000:.0f} ms, "
        f"ratio {ratio:.2f} (<= 1.3); answer page loaded at "
        f"{statistics.median(pages) * 1000:.0f} ms ({statistics.median(pages) / bare:.2f}x)"
    )
    assert ratio <= 1.3

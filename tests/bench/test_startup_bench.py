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
            print("READY", ",".join(heavy), flush=True)
            QApplication.instance().quit()
        QTimer.singleShot(0, ready)
        return window

    composition.create_main_window = probed
    composition.run_gui()
    """
)


def time_to_ready(script: str, env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawning the process to its READY line, and that line."""
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
    for line in proc.stdout:
        if line.startswith("READY"):
            elapsed = time.perf_counter() - start
            proc.wait(timeout=30)
            return elapsed, line.strip()
    proc.wait(timeout=30)
    raise AssertionError(f"process exited ({proc.returncode}) without becoming ready")


def test_startup_ratio_against_bare_webengine_window(tmp_path: Path) -> None:
    """Start-up to a shown window is at most 1.3x a bare window holding an empty web view."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "QWEN_MATH_HOME": str(tmp_path),
    }
    env.pop("DASHSCOPE_API_KEY", None)
    time_to_ready(BASELINE, env)  # warm the OS file cache for both
    time_to_ready(OURS, env)
    baseline: list[float] = []
    ours: list[float] = []
    for _ in range(5):  # interleaved so machine noise hits both alike
        baseline.append(time_to_ready(BASELINE, env)[0])
        elapsed, line = time_to_ready(OURS, env)
        ours.append(elapsed)
        assert line == "READY", f"heavy modules imported at start-up: {line}"
    ratio = statistics.median(ours) / statistics.median(baseline)
    print(
        f"\nstart-up: ours {statistics.median(ours) * 1000:.0f} ms, "
        f"bare web view {statistics.median(baseline) * 1000:.0f} ms, ratio {ratio:.2f} (<= 1.3)"
    )
    assert ratio <= 1.3

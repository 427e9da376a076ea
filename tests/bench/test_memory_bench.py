"""Memory over a session: resident memory after 50 solves in one window vs after the first,
for the app's process, the web engine's renderer and the answer checker, each apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.bench.process_memory import TreeMemory
from tests.e2e.conftest import TEST_KEY
from tests.fakes.dashscope_server import FakeDashScope

pytestmark = [
    pytest.mark.bench,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

ROOT = Path(__file__).resolve().parents[2]
SOLVES = 50
SAMPLES = (1, 10, 25, 50)
LIMIT = 1.2


def problem(i: int) -> str:
    """The i-th problem, as a student would type it or the reader would transcribe it."""
    return f"Solve $x^2 - {i + 5}x + {6 * i} = 0$ and check the roots (problem {i})."


def answer(i: int) -> str:
    """A realistic solution of ~4 KB: steps with inline and display math in all four
    delimiters, an aligned derivation, a table and a boxed final answer; every one differs."""
    parts = [f"## Problem {i}\n\nWe solve $x^2 - {i + 5}x + {6 * i} = 0$ step by step.\n\n"]
    for step in range(1, 9):
        parts.append(
            f"**Step {step}.** Let $a_{{{step}}} = {step * i}x^2 + {step + i}$ and "
            f"\\(b_{{{step}}} = \\sqrt{{{step} + {i}y}}\\). Then\n\n"
            f"$$\n\\sum_{{k=1}}^{{{step + i}}} a_k = \\frac{{{step}(n+{i})}}{{2}}"
            f" + \\int_0^{{{i}}} x^{{{step}}}\\,dx\n$$\n\n"
            f"and \\[ b_{{{step}}}^2 - a_{{{step}}} = {i}y - {step * i}x^2 - {step} \\]\n\n"
        )
    parts.append("| $n$ | $n^2$ |\n|---|---|\n")
    parts.extend(f"| {n} | ${n * n + i}$ |\n" for n in range(1, 6))
    parts.append(
        f"\n\\begin{{align}}\nu &= {i} + v \\\\\nw &= u^{{{i % 7 + 2}}}\n\\end{{align}}\n\n"
        f"So the answer is $\\boxed{{{i}}}$.\n"
    )
    return "".join(parts)


# The app as a user starts it (run_gui: its switches, settings, history, window); once the
# answer page is ready it solves SOLVES problems one after another, every third a picture
# (the first one too: most sessions start with a snip), each a new problem, waiting for each
# answer to be typeset. After each sample count it lets the app settle (a second) and prints
# its memory as JSON.
DRIVER = textwrap.dedent(
    r"""
    import gc, json, sys, time, traceback
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from desktop_app import app as composition
    from tests.bench.process_memory import TreeMemory
    from tests.bench.test_memory_bench import SAMPLES, SOLVES, problem
    from tests.fakes.images import png_bytes

    make = composition.create_main_window

    def drive(window):
        app = QApplication.instance()
        view = window.answer_view
        finished = []
        window.answer_run.finished.connect(finished.append)

        def wait(done, timeout=120.0):
            deadline = time.monotonic() + timeout
            while not done():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"solve {i}: {window.status_label.text()}")
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
                time.sleep(0.002)

        def page(script):
            box = []
            view.page().runJavaScript(script, 0, box.append)
            wait(lambda: box)
            return box[0]

        for i in range(1, SOLVES + 1):
            count = len(finished)
            if i % 3 == 1:
                picture = png_bytes(640, 200, text=problem(i)[:60], border="gray")
                window.load_image(picture, f"problem-{i}.png")
            else:
                window.new_conversation()
                window.question_edit.setPlainText(problem(i))
                window.solve_action.trigger()
            wait(lambda: len(finished) > count)
            wait(lambda: page("typesetIdle()"))
            if window.status_label.text() != f"Final answer: {i}":
                raise AssertionError(f"solve {i} ended with: {window.status_label.text()}")
            if i in SAMPLES:
                settle = time.monotonic() + 1.0
                while time.monotonic() < settle:
                    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
                    time.sleep(0.01)
                gc.collect()
                formulas = page("document.querySelectorAll('mjx-container').length")
                memory = TreeMemory.of_this_process()
                sample = {"solves": i, "formulas": formulas, "memory": memory.as_dict()}
                print("SAMPLE", json.dumps(sample))
                sys.stdout.flush()

    def probed(*args):
        window = make(*args)

        def start():
            try:
                drive(window)
                QApplication.instance().exit(0)
            except BaseException:
                traceback.print_exc(file=sys.stdout)
                sys.stdout.flush()
                QApplication.instance().exit(1)

        window.answer_view.became_ready.connect(lambda: QTimer.singleShot(0, start))
        return window

    composition.create_main_window = probed
    sys.exit(composition.run_gui())
    """
)


@pytest.mark.timeout(900)
def test_memory_stays_flat_over_fifty_solves(tmp_path: Path) -> None:
    """After 50 solves (every third from a picture) the resident memory of the app, of the web
    engine's renderer, of the answer checker and of all of them together is each at most 1.2x
    what it was after the first solve."""
    with FakeDashScope(api_key=TEST_KEY, chunk_size=40) as server:
        for i in range(1, SOLVES + 1):  # consumed in order, one per request to each endpoint
            server.script_text(answer(i), endpoint="text")
            if i % 3 == 1:
                server.script_text(problem(i), endpoint="multimodal")
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",  # the app adds its own
            "QWEN_MATH_HOME": str(tmp_path / "home"),
            "DASHSCOPE_API_KEY": TEST_KEY,
            "DASHSCOPE_HTTP_BASE_URL": server.base_url,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=840,
        )
    samples = [
        json.loads(line.split(" ", 1)[1])
        for line in proc.stdout.splitlines()
        if line.startswith("SAMPLE ")
    ]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [s["solves"] for s in samples] == list(SAMPLES)
    assert all(s["formulas"] >= 40 for s in samples)  # each answer really was typeset
    first, last = TreeMemory(**samples[0]["memory"]), TreeMemory(**samples[-1]["memory"])
    print(f"\nresident memory over {SOLVES} solves (MB):")
    for sample in samples:
        print(f"  after {sample['solves']:>2}: {TreeMemory(**sample['memory']).summary()}")
    ratios = {
        "app": last.app / first.app,
        "renderer": last.renderers / first.renderers,
        "checker": last.others / first.others,
        "whole tree": last.total / first.total,
    }
    print(
        f"after {SOLVES} / after 1: "
        + ", ".join(f"{name} {ratio:.2f}" for name, ratio in ratios.items())
        + f" (each <= {LIMIT})"
    )
    assert first.renderers > 0
    assert first.others > 0
    assert all(ratio <= LIMIT for ratio in ratios.values()), ratios

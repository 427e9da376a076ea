"""The window with other backends and exports: a lab vLLM profile, and saving a conversation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.settings import ServerProfile, Settings
from tests.fakes.openai_server import FakeOpenAI
from tests.ui.helpers import shows_final

MODEL = "Qwen/Qwen2.5-Math-72B-Instruct"


@pytest.fixture
def lab_window(qtbot: Any, store: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The window with its solver on a fake vLLM server profile ("Lab vLLM")."""
    from desktop_app.core.backends.registry import build_backends
    from desktop_app.ui.window.main_window import MainWindow

    with FakeOpenAI(models=[MODEL], chunk_size=5) as server:
        settings = Settings()
        settings.servers.append(
            ServerProfile(name="Lab vLLM", base_url=server.base_url, solver_model=MODEL)
        )
        settings.backends.solver = "openai:Lab vLLM"
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        monkeypatch.setenv("DASHSCOPE_API_KEY", "unused")  # no welcome page
        window = MainWindow(
            lambda on_retry, on_warning: build_backends(
                settings, on_retry=on_retry, on_warning=on_warning
            ),
            lambda parent: False,
            store,
            settings=settings,
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.answer_view.ready, timeout=20000)
        window.server = server
        yield window
        assert window.shutdown(5.0)
        window.close()
    assert not [t for t in threading.enumerate() if t.name == "pipeline" and t.is_alive()]


def test_a_server_profile_solves_from_the_window(qtbot: Any, lab_window: Any) -> None:
    """GIVEN the solver on a vLLM profile WHEN a question is solved THEN that server answers."""
    lab_window.server.script_text("By vLLM: $\\boxed{12}$")
    lab_window.question_edit.setPlainText("What is 3 times 4?")
    lab_window.solve_action.trigger()
    qtbot.waitUntil(lambda: shows_final(lab_window, "12"), timeout=20000)
    request = lab_window.server.chat_requests()[-1]
    assert request.body["model"] == MODEL
    assert request.body["stream"] is True
    assert request.body["messages"][-1]["content"] == "What is 3 times 4?"


def test_export_writes_markdown_and_a_standalone_page(
    qtbot: Any, lab_window: Any, tmp_path: Path
) -> None:
    """GIVEN a solved problem WHEN exported THEN Markdown and an offline HTML page are written."""
    lab_window.server.script_text("Half of $\\frac{1}{2}$ is $\\boxed{\\frac{1}{4}}$")
    lab_window.question_edit.setPlainText("Halve one half.")
    lab_window.solve_action.trigger()
    qtbot.waitUntil(lambda: "Final answer" in lab_window.status_label.text(), timeout=20000)
    qtbot.waitUntil(lambda: not lab_window.stop_action.isEnabled(), timeout=5000)
    out = tmp_path / "out"
    out.mkdir()
    markdown, page = out / "half.md", out / "half.html"
    assert exported(qtbot, lab_window, markdown) == f"Exported to {markdown}."
    assert list(out.iterdir()) == [markdown]  # no image, no plot: the .md alone
    assert "\\boxed{\\frac{1}{4}}" in markdown.read_text(encoding="utf-8")
    assert exported(qtbot, lab_window, page) == f"Exported to {page}."
    html = page.read_text(encoding="utf-8")
    assert "Halve one half." in html
    assert "<script src=" not in html


def exported(qtbot: Any, window: Any, target: Path) -> str:
    """The status line once the window's export to `target` has ended (the file is written on
    a worker; the window answers meanwhile)."""
    window.export_conversation(target)

    def ended() -> bool:
        text = window.status_label.text()
        return text == f"Exported to {target}." or text.startswith("The export failed")

    qtbot.waitUntil(ended, timeout=30000)
    return str(window.status_label.text())


def test_an_export_that_cannot_be_written_says_why(
    qtbot: Any, lab_window: Any, tmp_path: Path
) -> None:
    """GIVEN a solved problem WHEN exported into a folder that does not exist THEN the status
    line says the export failed and why, and nothing is written."""
    lab_window.server.script_text("$\\boxed{2}$")
    lab_window.question_edit.setPlainText("1 + 1")
    lab_window.solve_action.trigger()
    qtbot.waitUntil(lambda: "Final answer" in lab_window.status_label.text(), timeout=20000)
    qtbot.waitUntil(lambda: not lab_window.stop_action.isEnabled(), timeout=5000)
    status = exported(qtbot, lab_window, tmp_path / "missing" / "x.md")
    assert status == "The export failed: No such file or directory."
    assert not (tmp_path / "missing").exists()


def test_first_run_greets_then_the_answer_view_returns(
    qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN no key, no local models, no server THEN the welcome page; with a key, the answer."""
    monkeypatch.delenv("DASHSCOPE_API_KEY")
    window.setup.check_in_background()
    qtbot.waitUntil(window.answer_pane.welcome_shown, timeout=5000)
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-now-set")
    window.setup.check_in_background()
    qtbot.waitUntil(lambda: not window.answer_pane.welcome_shown(), timeout=5000)


def test_the_copy_button_beside_the_final_answer_copies_it(qtbot: Any, lab_window: Any) -> None:
    """GIVEN a final answer on the page WHEN its Copy button is clicked THEN it is copied."""
    from PySide6.QtWidgets import QApplication

    from tests.ui.conftest import run_js, wait_js

    QApplication.clipboard().setText("")
    lab_window.server.script_text("So $\\boxed{\\frac{3}{4}}$")
    lab_window.question_edit.setPlainText("Three quarters?")
    lab_window.solve_action.trigger()
    qtbot.waitUntil(lambda: "Final answer" in lab_window.status_label.text(), timeout=20000)
    view = lab_window.answer_view
    wait_js(qtbot, view, "!!document.querySelector('#final a.final-copy')")
    run_js(qtbot, view, "document.querySelector('#final a.final-copy').click(); true")
    qtbot.waitUntil(lambda: QApplication.clipboard().text() == "\\frac{3}{4}", timeout=5000)
    assert run_js(qtbot, view, "location.pathname") == "/answer.html"  # the page stayed


def test_unload_local_models_empties_the_model_cache(window: Any) -> None:
    """GIVEN a model kept warm WHEN Unload Local Models THEN the cache is empty."""
    from desktop_app.core.backends.local import loading

    key = ("tiny", "cpu", "solver")
    with loading._CACHE_LOCK:
        loading._CACHE[key] = object()  # type: ignore[index]
    window.unload_action.trigger()
    assert key not in loading.cached_keys()
    assert window.status_label.text() == "Local models unloaded."


def test_a_backend_warning_is_shown_above_the_answer(
    qtbot: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a backend that warns (e.g. no GPU) WHEN solving THEN the page shows the warning."""
    from desktop_app.core.backends.registry import build_backends
    from desktop_app.ui.window.main_window import MainWindow
    from tests.ui.conftest import run_js

    warning = "No GPU is available, so the local models run on the CPU: answers will be slow."
    with FakeOpenAI(models=[MODEL]) as server:
        settings = Settings()
        settings.servers.append(ServerProfile(name="Lab", base_url=server.base_url))
        settings.backends.solver = "openai:Lab"
        monkeypatch.setenv("DASHSCOPE_API_KEY", "unused")

        def factory(on_retry: Any, on_warning: Any) -> Any:
            on_warning(warning)
            return build_backends(settings, on_retry=on_retry, solver_model=MODEL)

        window = MainWindow(factory, lambda parent: False, store, settings=settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.answer_view.ready, timeout=20000)
        server.script_text("$\\boxed{1}$")
        window.question_edit.setPlainText("One?")
        window.solve_action.trigger()
        qtbot.waitUntil(lambda: shows_final(window, "1"), timeout=20000)
        notice = run_js(qtbot, window.answer_view, "document.getElementById('notice').innerText")
        assert notice == warning
        assert window.shutdown(5.0)
        window.close()

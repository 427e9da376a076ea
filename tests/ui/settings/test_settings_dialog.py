"""The settings dialog: edits a copy, keeps keys out of files, validates, tests off-thread."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from desktop_app.core.backends.local.catalogue import recommend_pair
from desktop_app.core.settings import ServerProfile, Settings, load_settings, save_settings
from desktop_app.ui.theme import apply_theme
from tests.e2e.conftest import TEST_KEY
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.openai_server import FakeOpenAI
from tests.ui.conftest import ARTIFACTS, KeyStore

KEY = "sk-settings-canary-91b2"


def test_edits_come_back_in_a_new_settings_object(make_dialog: Any) -> None:
    """GIVEN a dialog WHEN region, theme, language and retention change THEN result has them."""
    original = Settings()
    dialog = make_dialog(original)
    dialog.dashscope_page.region_box.setCurrentIndex(1)
    general = dialog.general_page
    general.theme_box.setCurrentIndex(general.theme_box.findData("dark"))
    general.language_box.setCurrentIndex(general.language_box.findData("zh_CN"))
    general.retention_box.setCurrentIndex(general.retention_box.findData(90))
    dialog.accept()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(dialog)  # closed dialogs delete themselves on this thread
    result = dialog.result_settings()  # and still answer
    assert result.cloud.region == "international"
    assert (result.ui.theme, result.ui.language) == ("dark", "zh_CN")
    assert result.history.retention_days == 90
    assert original == Settings()  # the input is not mutated
    assert result is not dialog.result_settings()


def test_key_goes_to_the_keyring_only(make_dialog: Any, keys: KeyStore, tmp_path: Path) -> None:
    """GIVEN a typed key WHEN OK THEN store_key gets it, and neither settings nor TOML hold it."""
    dialog = make_dialog()
    assert dialog.dashscope_page.key_edit.echoMode().name == "Password"
    dialog.dashscope_page.key_edit.setText(KEY)
    dialog.ok_button.click()
    assert keys.stored == [KEY]
    result = dialog.result_settings()
    assert KEY not in repr(dataclasses.asdict(result))
    path = tmp_path / "settings.toml"
    save_settings(result, path)
    assert KEY not in path.read_text()


def test_untouched_key_is_not_stored(make_dialog: Any, keys: KeyStore) -> None:
    """GIVEN a saved key and an empty field WHEN OK THEN nothing is written to the keyring."""
    keys.key = KEY
    dialog = make_dialog()
    assert "saved" in dialog.dashscope_page.key_edit.placeholderText()
    assert dialog.dashscope_page.key_edit.text() == ""  # the saved key is never shown
    dialog.ok_button.click()
    assert keys.stored == []


def server_settings(url: str = "http://127.0.0.1:9/v1") -> Settings:
    return Settings(servers=[ServerProfile("Lab", url, solver_model="m")])


@pytest.mark.parametrize(
    ("field", "text", "fragment"),
    [
        ("url_edit", "localhost:8000", "must look like http://host:8000/v1"),
        ("url_edit", "ftp://box/v1", "must look like http://host:8000/v1"),
        ("name_edit", "", "needs a name"),
        ("name_edit", "Other", "Two servers are called “Other”"),
        ("env_edit", "sk-abc123", "not the key itself"),
    ],
)
def test_invalid_profile_disables_ok(
    make_dialog: Any, field: str, text: str, fragment: str
) -> None:
    """GIVEN a bad URL, name or key variable THEN an inline sentence shows and OK is disabled."""
    settings = server_settings()
    settings.servers.append(ServerProfile("Other", "http://other/v1"))
    dialog = make_dialog(settings)
    dialog.show_page("servers")
    page = dialog.servers_page
    page.list.setCurrentRow(0)
    assert dialog.ok_button.isEnabled()
    edit = getattr(page, field)
    edit.clear()
    edit.textEdited.emit("")
    edit.setText(text)
    edit.textEdited.emit(text)
    assert not dialog.ok_button.isEnabled()
    assert fragment in page.problem_label.text()
    assert dialog.problem_label.text() == ""  # shown once, next to the field
    dialog.show_page("general")
    assert fragment in dialog.problem_label.text()  # and below every other page
    dialog.accept()
    assert dialog.result() == 0  # OK refused while a problem is shown


def test_rename_and_remove_follow_the_stage_choice(make_dialog: Any) -> None:
    """GIVEN a stage on a server WHEN renamed, then removed THEN the choice follows it."""
    settings = server_settings()
    settings.backends.solver = "openai:Lab"
    dialog = make_dialog(settings)
    page = dialog.servers_page
    page.name_edit.setText("GPU box")
    page.name_edit.textEdited.emit("GPU box")
    assert dialog.result_settings().backends.solver == "openai:GPU box"
    assert dialog.backends_page.boxes["solver"].currentText() == "Server: GPU box"
    page.remove_current()
    assert dialog.result_settings().backends.solver == "cloud"
    assert dialog.result_settings().servers == []


def test_server_test_lists_models_without_freezing(make_dialog: Any, qtbot: Any) -> None:
    """GIVEN a slow fake server WHEN tested THEN the GUI stays live and lists its models."""
    with FakeOpenAI(models=["qwen2-math:7b", "qwen2.5vl:7b"], latency=0.4) as server:
        dialog = make_dialog(server_settings(server.base_url))
        page = dialog.servers_page
        page.test_button.click()
        assert not page.test_button.isEnabled()  # returned at once: the call runs elsewhere
        assert page.result_label.text() == "Connecting…"
        ticks: list[int] = []
        qtbot.waitUntil(lambda: ticks.append(1) or page.models_list.count() == 2, timeout=5000)
        assert len(ticks) > 3  # the event loop kept turning while the server was slow
        shown = [page.models_list.item(i).text() for i in range(2)]
        assert shown == ["qwen2-math:7b", "qwen2.5vl:7b"]
        assert "Connected" in page.result_label.text()
        assert page.solver_box.findText("qwen2.5vl:7b") >= 0
        assert page.test_button.isEnabled()


def test_server_test_shows_the_error_sentence(
    make_dialog: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a profile whose key variable is unset WHEN tested THEN its sentence is shown."""
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    settings = server_settings()
    settings.servers[0].api_key_env = "NO_SUCH_KEY_VAR"
    dialog = make_dialog(settings)
    dialog.servers_page.test_button.click()
    qtbot.waitUntil(lambda: dialog.servers_page.test_button.isEnabled(), timeout=5000)
    assert "NO_SUCH_KEY_VAR environment variable, which is not set" in (
        dialog.servers_page.result_label.text()
    )


def test_dashscope_test_ok_and_wrong_key(
    make_dialog: Any, qtbot: Any, dashscope: FakeDashScope
) -> None:
    """GIVEN the fake DashScope WHEN tested with the saved key, then a bad one THEN OK, then why."""
    dialog = make_dialog(get_key=lambda: TEST_KEY)
    page = dialog.dashscope_page
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=15000)
    assert page.result_label.text() == "OK: qwen2.5-math-72b-instruct answered."
    request = dashscope.requests[-1]
    assert request.model == "qwen2.5-math-72b-instruct"
    assert request.api_key == TEST_KEY
    page.key_edit.setText("sk-wrong")
    page.test_button.click()
    qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=15000)
    assert page.result_label.text() == (
        "DashScope rejected the API key: check it in the app or in DASHSCOPE_API_KEY."
    )
    assert "sk-wrong" not in page.result_label.text()


def test_empty_local_folder_shows_why_inline(make_dialog: Any, tmp_path: Path) -> None:
    """GIVEN an empty folder as the solver WHEN typed THEN the reason shows and OK is disabled."""
    folder = tmp_path / "empty"
    folder.mkdir()
    dialog = make_dialog()
    page = dialog.local_page
    page.edits["solver"].setText(str(folder))
    assert "is not a usable model: no config.json" in page.infos["solver"].text()
    assert not dialog.ok_button.isEnabled()
    page.edits["solver"].setText("Qwen/Qwen2.5-Math-7B-Instruct")
    assert "GPU memory" in page.infos["solver"].text()
    assert dialog.ok_button.isEnabled()


def test_gpu_recommendation_is_found_off_the_gui_thread(make_dialog: Any, qtbot: Any) -> None:
    """GIVEN a 24 GB GPU WHEN the Local page opens THEN the best pair is offered and usable."""
    dialog = make_dialog()
    dialog.show_page("local")
    page = dialog.local_page
    qtbot.waitUntil(page.use_pair.isEnabled, timeout=5000)
    assert "24 GB" in page.gpu_label.text()
    page.use_pair.click()
    local = dialog.result_settings().local
    assert (local.reader_model, local.solver_model) == recommend_pair(24.0)
    assert local.solver_model == "Qwen/Qwen2.5-Math-7B-Instruct"


@pytest.mark.parametrize(("confirmed", "mode"), [(True, "tir"), (False, "cot")])
def test_tir_needs_confirmation(make_dialog: Any, confirmed: bool, mode: str) -> None:
    """GIVEN no consent WHEN TIR is chosen THEN it sticks only after the confirmation."""
    asked: list[object] = []
    dialog = make_dialog(confirm_tir=lambda parent: asked.append(parent) or confirmed)
    box = dialog.general_page.mode_box
    box.setCurrentIndex(box.findData("tir"))
    result = dialog.result_settings()
    assert len(asked) == 1
    assert (result.solve.mode, result.solve.tir_consent) == (mode, confirmed)


@pytest.mark.parametrize(("button", "allowed"), [("Always Allow", True), ("Cancel", False)])
def test_the_settings_ask_in_the_one_consent_dialog_without_allow_once(
    qtbot: Any, button: str, allowed: bool
) -> None:
    """GIVEN the General page's consent WHEN it asks THEN it is the window's TIR dialog, with no
    "Allow Once" (a setting is for good): Always Allow consents, Cancel does not."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

    from desktop_app.ui.settings.general_page import confirm_tir

    shown: list[list[str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        shown.append([b.text().replace("&", "") for b in box.buttons()])
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()

    parent = QWidget()
    qtbot.addWidget(parent)
    QTimer.singleShot(0, answer)
    assert confirm_tir(parent) is allowed
    assert "Always Allow" in shown[0]
    assert "Allow Once" not in shown[0]


@pytest.mark.parametrize(
    ("choice", "page", "stage"),
    [
        ("cloud", "dashscope", "cloud"),
        ("local", "local", "local"),
        ("server", "servers", "openai:Lab vLLM"),
    ],
)
def test_first_run_choice_opens_its_page(
    make_dialog: Any, choice: str, page: str, stage: str
) -> None:
    """GIVEN a welcome-page choice THEN its page is in front and both stages use it."""
    dialog = make_dialog()
    dialog.prepare_first_run(choice)
    assert dialog.tabs.currentWidget() is getattr(dialog, f"{page}_page")
    backends = dialog.result_settings().backends
    assert (backends.reader, backends.solver) == (stage, stage)
    assert dialog.ok_button.isEnabled()


def test_saved_result_loads_back(make_dialog: Any, tmp_path: Path) -> None:
    """GIVEN edits WHEN saved THEN the TOML parses back to the same settings."""
    dialog = make_dialog(server_settings())
    dialog.prepare_first_run("server")
    dialog.general_page.theme_box.setCurrentIndex(2)
    path = tmp_path / "s.toml"
    save_settings(dialog.result_settings(), path)
    assert load_settings(path) == dialog.result_settings()


def test_screenshots(make_dialog: Any, qtbot: Any) -> None:
    """Save a picture of every page for review."""
    settings = server_settings("http://gpu-box:8000/v1")
    settings.servers[0].reader_model = "Qwen/Qwen2.5-VL-7B-Instruct"
    settings.servers[0].api_key_env = "VLLM_API_KEY"
    dialog = make_dialog(settings)
    dialog.show()
    qtbot.waitExposed(dialog)
    ARTIFACTS.mkdir(exist_ok=True)
    for index, name in enumerate(("backends", "dashscope", "local", "servers", "general")):
        dialog.show_page(name)
        if name == "local":
            qtbot.waitUntil(dialog.local_page.use_pair.isEnabled, timeout=5000)
        qtbot.wait(30)
        assert dialog.grab().save(str(ARTIFACTS / f"settings_{index + 1}_{name}.png"))
    dialog.show_page("servers")
    dialog.servers_page.url_edit.setText("gpu-box:8000")
    dialog.servers_page.url_edit.textEdited.emit("gpu-box:8000")
    app = QApplication.instance()
    apply_theme(app, "dark")
    try:
        qtbot.wait(30)
        assert dialog.grab().save(str(ARTIFACTS / "settings_6_dark_invalid.png"))
    finally:
        apply_theme(app, "light")

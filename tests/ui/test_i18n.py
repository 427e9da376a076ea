"""Translations: the catalogue is complete and current, and the window runs in Chinese."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

from desktop_app.ui import i18n
from tests.fakes.dashscope_server import FakeDashScope
from tests.ui.conftest import ARTIFACTS, run_js, wait_js

ROOT = Path(__file__).resolve().parents[2]
UI_DIR = ROOT / "desktop_app" / "ui"
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("zh_CN",)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
MNEMONIC = re.compile(r"&(?!&)\S")

Key = tuple[str, str, str]  # context, source, disambiguation ("" for none)

QUESTION = "已知 $2x + 3 = 7$，求 $x$ 的值。"
ANSWER = "两边同时减去 3，得 $2x = 4$，所以 $x = 2$。\n\n$\\boxed{2}$"


def qt_tool(name: str) -> str:
    """A PySide6 tool (pyside6-lupdate, pyside6-lrelease) from this environment."""
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.is_file() else shutil.which(name)
    assert found, f"{name} not found (it ships with PySide6)"
    return found


def messages(ts: Path) -> dict[Key, tuple[str, str | None]]:
    """Every message of a .ts file: key -> (translation, its type attribute)."""
    result = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            result[key] = (translation.text or "", translation.get("type"))
    return result


def fresh_catalogue(tmp_path: Path, language: str) -> Path:
    """What pyside6-lupdate extracts from the UI code now, as a new .ts."""
    ts = tmp_path / f"fresh_{language}.ts"
    sources = sorted(str(path) for path in UI_DIR.rglob("*.py"))
    subprocess.run(
        [qt_tool("pyside6-lupdate"), *sources, "-ts", str(ts), "-no-obsolete"],
        check=True,
        capture_output=True,
    )
    return ts


@pytest.fixture
def chinese(qapp: Any) -> Iterator[str]:
    """The zh_CN translators installed for one test, removed after it: other tests stay English."""
    language = i18n.install_translator(qapp, "zh_CN")
    yield language
    i18n.remove_translator(qapp)
    assert QCoreApplication.translate("MainWindow", "&Solve") == "&Solve"


@pytest.fixture
def zh_window(chinese: str, window: Any) -> Any:
    """The main window built after the Chinese translators were installed."""
    return window


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    """GIVEN the committed .ts WHEN read THEN every message is translated, placeholders kept."""
    found = messages(TRANSLATIONS / f"qwen_math_{language}.ts")
    assert found
    nameless = [key for key in found if not key[0]]
    # lupdate reads tr("Ctx", "Text") (an alias of translate) as source "Ctx", comment "Text"
    assert not nameless, f'no context (call translate("Ctx", ...) by that name): {nameless}'
    unfinished = [key for key, (text, kind) in found.items() if kind or not text.strip()]
    assert not unfinished, f"untranslated or obsolete: {unfinished}"
    for key, (text, _kind) in found.items():
        source = key[1]
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), key
        assert len(MNEMONIC.findall(text)) == len(MNEMONIC.findall(source)), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_covers_every_ui_string(tmp_path: Path, language: str) -> None:
    """GIVEN the UI code WHEN lupdate extracts it afresh THEN the committed .ts has the same set.

    A new string needs packaging/update_translations.sh and a translation.
    """
    committed = set(messages(TRANSLATIONS / f"qwen_math_{language}.ts"))
    fresh = set(messages(fresh_catalogue(tmp_path, language)))
    assert sorted(fresh - committed) == [], "strings missing from the catalogue"
    assert sorted(committed - fresh) == [], "strings no longer in the code"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_current(tmp_path: Path, language: str) -> None:
    """GIVEN the .ts WHEN compared with the committed .qm THEN it holds exactly its messages."""
    ts = TRANSLATIONS / f"qwen_math_{language}.ts"
    committed = QTranslator()
    assert committed.load(str(TRANSLATIONS / f"qwen_math_{language}.qm"))
    stale = []
    for (context, source, comment), (text, kind) in messages(ts).items():
        if kind is None and committed.translate(context, source, comment or None) != text:
            stale.append((context, source))
    assert not stale, "the .qm is out of date: run packaging/update_translations.sh"
    fresh = tmp_path / "fresh.qm"
    subprocess.run(
        [qt_tool("pyside6-lrelease"), str(ts), "-qm", str(fresh)], check=True, capture_output=True
    )
    # and nothing else: the committed .qm is what this .ts compiles to
    assert fresh.read_bytes() == (TRANSLATIONS / f"qwen_math_{language}.qm").read_bytes()


def test_language_resolution() -> None:
    """GIVEN a setting WHEN resolved THEN Simplified Chinese locales get zh_CN, others English."""
    assert i18n.resolve_language("zh_CN") == "zh_CN"
    assert i18n.resolve_language("zh-Hans-SG") == "zh_CN"
    assert i18n.resolve_language("zh_TW") == "en"
    assert i18n.resolve_language("en_GB") == "en"
    assert i18n.resolve_language("de") == "en"
    assert i18n.resolve_language("system") in i18n.LANGUAGES
    assert i18n.plain_text("求解(&S)") == "求解"
    assert i18n.plain_text("Copy &Final Answer") == "Copy Final Answer"


def test_english_installs_nothing(qapp: Any) -> None:
    """GIVEN "en" WHEN installed THEN no translator is added and texts stay English."""
    assert i18n.install_translator(qapp, "en") == "en"
    assert not qapp.findChildren(QTranslator, "qwen_math_translator")
    assert i18n.current_language() == "en"


def test_window_actions_in_chinese(zh_window: Any, chinese: str) -> None:
    """GIVEN the zh_CN translator WHEN the window is built THEN actions and menus are Chinese."""
    window = zh_window
    assert chinese == "zh_CN"
    assert i18n.current_language() == "zh_CN"
    assert window.solve_action.text() == "求解(&S)"
    assert window.solve_action.toolTip() == "求解"
    assert window.solve_action.iconText() == "求解"  # the toolbar shows no "(S)"
    assert window.snip_action.text() == "截图框选(&N)"
    assert window.paste_action.text() == "粘贴图片(&P)"
    assert window.new_action.text() == "新题目(&N)"
    assert window.copy_answer_action.text() == "复制最终答案(&F)"
    assert window.regenerate_action.text() == "重新生成(&R)"
    assert window.stop_action.text() == "停止(&T)"
    assert [window.mode_box.itemText(i) for i in range(2)] == ["逐步推理", "用 Python 推理 (TIR)"]
    assert [window.samples_box.itemText(i) for i in range(4)] == [
        "采样 1 次",
        "采样 4 次",
        "采样 8 次",
        "采样 16 次",
    ]
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["文件(&F)", "解答(&A)", "历史记录(&S)", "帮助(&H)"]
    tabs = window.problem.input_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["图片", "草图"]
    assert window.status_label.text() == "就绪"
    assert window.transcript_editor.resolve_button.text() == "重新求解"
    assert window.history_sidebar is not None
    assert window.history_sidebar.empty_label.text() == "还没有保存的题目。"
    # Qt's own catalogue: standard buttons are translated too
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_chinese_problem_end_to_end(qtbot: Any, zh_window: Any, dashscope: FakeDashScope) -> None:
    """GIVEN a Chinese question WHEN solved THEN it reaches the solver unchanged; Chinese shows."""
    window = zh_window
    dashscope.script_text(ANSWER, endpoint="text")
    window.question_edit.setPlainText(QUESTION)
    window.solve_action.trigger()
    qtbot.waitUntil(lambda: window.status_label.text() == "最终答案：2", timeout=20000)
    request = dashscope.requests_to("text")[-1]
    assert request.messages[-1]["role"] == "user"
    assert request.messages[-1]["content"] == QUESTION
    view = window.answer_view
    wait_js(qtbot, view, "typesetIdle() && document.querySelectorAll('mjx-container').length")
    shown = str(run_js(qtbot, view, "document.getElementById('answer').innerText"))
    assert "两边同时减去 3" in shown
    assert "未验证" in str(run_js(qtbot, view, "document.body.innerText"))
    if window.history_sidebar is not None:
        qtbot.waitUntil(lambda: window.history_sidebar.model.rowCount() == 1, timeout=5000)
    qtbot.wait(200)  # let the web view composite its frame before the grab
    ARTIFACTS.mkdir(exist_ok=True)
    shot = window.grab()
    assert shot.save(str(ARTIFACTS / "window_zh_CN.png"))
    assert not shot.toImage().isNull()


def test_history_labels_in_chinese(chinese: str) -> None:
    """GIVEN zh_CN WHEN the sidebar labels days and dates THEN they read as Chinese."""
    from datetime import datetime

    from desktop_app.ui.history.delegate import time_label
    from desktop_app.ui.history.model import group_label

    stamp = datetime(2024, 5, 13, 9, 5).timestamp()
    now = datetime(2024, 5, 20, 12, 0).timestamp()
    assert [group_label(g) for g in ("Today", "Yesterday", "Older")] == ["今天", "昨天", "更早"]
    assert time_label(stamp, "Today", now) == "09:05"
    assert time_label(stamp, "Earlier this week", now) == "周一 09:05"
    assert time_label(stamp, "Earlier this month", now) == "5月13日"
    assert time_label(stamp, "Older", now + 400 * 86400) == "2024年5月13日"

"""The first-run page: shown only when nothing is set up; each way to start is a signal."""

from __future__ import annotations

from typing import Any

import pytest

from desktop_app.core.settings import ServerProfile, Settings, needs_welcome
from desktop_app.ui.answer.welcome import WelcomePage
from tests.ui.conftest import ARTIFACTS


def configured(kind: str) -> Settings:
    settings = Settings()
    if kind == "server":
        settings.servers.append(ServerProfile("Lab", "http://gpu:8000/v1"))
    elif kind == "local stage":
        settings.backends.solver = "local"
    elif kind == "local folder":
        settings.local.solver_model = "/models/qwen-math"
    elif kind == "openai env":
        settings.backends.reader = "openai"
    return settings


@pytest.mark.parametrize(
    ("kind", "key", "expected"),
    [
        ("nothing", False, True),
        ("nothing", True, False),
        ("server", False, False),
        ("local stage", False, False),
        ("local folder", False, False),
        ("openai env", False, False),
    ],
)
def test_needs_welcome_only_when_nothing_is_set_up(kind: str, key: bool, expected: bool) -> None:
    """GIVEN what is configured THEN the welcome page shows only when nothing is."""
    assert needs_welcome(configured(kind), api_key_present=key) is expected


def test_each_button_emits_its_signal(qtbot: Any) -> None:
    """GIVEN the welcome page WHEN each way to start is clicked THEN its own signal fires."""
    page = WelcomePage()
    qtbot.addWidget(page)
    for button, signal in (
        (page.cloud_button, page.choose_cloud),
        (page.local_button, page.choose_local),
        (page.server_button, page.choose_server),
    ):
        with qtbot.waitSignal(signal, timeout=1000):
            button.click()
    names = [b.accessibleName() for b in (page.cloud_button, page.local_button, page.server_button)]
    assert names == [
        "Use Alibaba DashScope (paste an API key)",
        "Run models on this computer (local GPU)",
        "Use my own server (vLLM, Ollama…)",
    ]


def test_screenshot(qtbot: Any) -> None:
    """Save a picture of the welcome page for review."""
    page = WelcomePage()
    qtbot.addWidget(page)
    page.resize(860, 600)
    page.show()
    qtbot.waitExposed(page)
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.grab().save(str(ARTIFACTS / "welcome.png"))


def test_welcome_decided_before_the_answer_view_joins_stays_in_front(qtbot: Any) -> None:
    """GIVEN a fresh pane WHEN the welcome page is asked for before the answer view has
    joined THEN it stays in front; asking for the answer then shows the answer view."""
    from desktop_app.ui.answer.pane import AnswerPane

    pane = AnswerPane()
    qtbot.addWidget(pane)
    assert type(pane.currentWidget()).__name__ == "QWidget"  # the plain first-frame page
    pane.show_welcome(True)
    pane.show()
    qtbot.waitUntil(lambda: pane.indexOf(pane.answer_view) >= 0, timeout=2000)
    assert pane.welcome_shown()
    pane.show_welcome(False)
    assert pane.currentWidget() is pane.answer_view
    assert not pane.welcome_shown()

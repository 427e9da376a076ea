"""Which capture strategy runs where: a table of sessions and installed tools."""

from __future__ import annotations

import logging

import pytest

from desktop_app.capture import chooser
from desktop_app.capture.base import CaptureError, DesktopImage, Session
from desktop_app.capture.xdg_portal import file_from_uri, request_path


def session(
    platform: str = "linux",
    kind: str = "",
    desktop: str = "",
    tools: tuple[str, ...] = (),
    display: bool = True,
    wayland: bool = False,
) -> Session:
    return Session(
        platform=platform,
        session_type=kind,
        desktop=desktop,
        wayland=wayland,
        x11=display,
        which=lambda name: f"/usr/bin/{name}" if name in tools else None,
    )


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """GIVEN the library-backed strategies' availability, as each row says."""
    state = {"mss": True, "qt_screen": True, "xdg_portal": False}
    for strategy in (chooser.MSS, chooser.QT, chooser.PORTAL):
        monkeypatch.setattr(
            type(strategy), "is_installed", lambda self, _s, n=strategy.name: state[n]
        )
    return state


GNOME_TOOLS = ("gnome-screenshot", "grim")
TABLE = [
    # id, session, (portal on the bus, mss importable), expected
    ("x11", session(kind="x11"), (False, True), "mss"),
    ("x11-no-session-type", session(), (False, True), "mss"),
    ("x11-mss-missing", session(kind="x11"), (False, False), "qt_screen"),
    (
        "wayland-gnome-portal",
        session(kind="wayland", desktop="ubuntu:gnome", wayland=True),
        (True, True),
        "xdg_portal",
    ),
    (
        "wayland-gnome-no-portal",
        session(kind="wayland", desktop="gnome", tools=GNOME_TOOLS, wayland=True),
        (False, True),
        "gnome_screenshot",
    ),
    (
        "wayland-kde-no-portal",
        session(kind="wayland", desktop="kde", tools=("spectacle",), wayland=True),
        (False, True),
        "spectacle",
    ),
    (
        "wayland-sway-no-portal",
        session(kind="wayland", desktop="sway", tools=("grim",), wayland=True),
        (False, True),
        "grim",
    ),
    (
        "wayland-sway-portal-and-grim",
        session(kind="wayland", desktop="sway", tools=("grim",), wayland=True),
        (True, True),
        "grim",
    ),
    (
        "wayland-display-only",
        session(desktop="hyprland", tools=("grim",), wayland=True),
        (False, True),
        "grim",
    ),
    ("windows", session("win32", display=False), (False, True), "mss"),
    ("macos", session("darwin", display=False), (False, True), "qt_screen"),
]


@pytest.mark.parametrize(
    ("row", "libraries", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE]
)
def test_strategy_choice(
    row: Session, libraries: tuple[bool, bool], expected: str, installed: dict[str, bool]
) -> None:
    """GIVEN a session and installed tools WHEN choosing THEN the declared order decides."""
    installed["xdg_portal"], installed["mss"] = libraries
    assert chooser.choose(row).name == expected


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (session("darwin", display=False), "Screen Recording"),
        (session("linux", "wayland", "sway", wayland=True), "xdg-desktop-portal"),
        (session("linux", display=False), "graphical session"),
    ],
    ids=["macos-permission", "wayland-portal", "no-display"],
)
def test_nothing_works_says_what_to_do(
    row: Session, words: str, installed: dict[str, bool]
) -> None:
    """GIVEN no usable strategy WHEN choosing THEN CaptureError names what to install or allow."""
    installed.update(mss=False, qt_screen=False)
    with pytest.raises(CaptureError, match=words):
        chooser.choose(row)


def test_skips_are_logged_and_failures_fall_through(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, installed: dict[str, bool]
) -> None:
    """GIVEN a failing first strategy WHEN capturing THEN the next one runs and skips are logged."""
    from PySide6.QtGui import QImage

    def broken(self: object) -> DesktopImage:
        raise CaptureError("mss broke.")

    image = DesktopImage(QImage(4, 3, QImage.Format.Format_RGB32))
    monkeypatch.setattr(type(chooser.MSS), "capture", broken)
    monkeypatch.setattr(type(chooser.QT), "capture", lambda self: image)
    with caplog.at_level(logging.INFO, logger="desktop_app.capture.chooser"):
        assert chooser.capture_desktop(session(kind="x11")) is image
    text = caplog.text
    assert "mss failed: mss broke." in text
    assert "skipped xdg_portal: needs xdg-desktop-portal" in text
    assert "skipped gnome_screenshot: not for this session" in text


def test_all_failing_reports_the_last_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN every strategy failing WHEN capturing THEN the error carries the reason and a hint."""

    def broken(self: object) -> DesktopImage:
        raise CaptureError("no screen today.")

    for strategy in (chooser.MSS, chooser.QT):
        monkeypatch.setattr(type(strategy), "capture", broken)
    with pytest.raises(CaptureError, match=r"\(no screen today\)\. Install the mss package"):
        chooser.capture_desktop(session(kind="x11"))


@pytest.mark.parametrize(
    ("row", "compatible"),
    [
        (session("linux", "wayland", "gnome", wayland=True), True),
        (session("linux", "x11"), True),
        (session("win32"), False),
        (session("darwin"), False),
    ],
    ids=["wayland", "x11", "windows", "macos"],
)
def test_portal_compatibility(row: Session, compatible: bool) -> None:
    """GIVEN a platform WHEN asking the portal strategy THEN only Linux desktops qualify."""
    assert chooser.PORTAL.is_compatible(row) is compatible


def test_portal_request_path_and_uri() -> None:
    """GIVEN the bus name and token WHEN predicting the Request path THEN it follows the spec."""
    assert request_path(":1.42", "qwen_math_ab") == (
        "/org/freedesktop/portal/desktop/request/1_42/qwen_math_ab"
    )
    assert file_from_uri("file:///home/a/Pictures/Screenshot%201.png") == (
        "/home/a/Pictures/Screenshot 1.png"
    )
    with pytest.raises(CaptureError):
        file_from_uri("https://example.org/x.png")


def test_session_detection() -> None:
    """GIVEN environment variables WHEN detecting THEN the session type and desktop are read."""
    row = Session.detect(
        {
            "XDG_SESSION_TYPE": "Wayland",
            "WAYLAND_DISPLAY": "wayland-0",
            "XDG_CURRENT_DESKTOP": "KDE",
        },
        platform="linux",
    )
    assert row.is_wayland
    assert not row.is_x11
    assert row.desktop_is("kde")
    assert Session.detect({"DISPLAY": ":0"}, platform="linux").is_x11

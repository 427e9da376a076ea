"""Composition root of the GUI: settings, backends, and the main window."""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop_app.core.errors import ConfigError
from desktop_app.core.paths import app_dirs
from desktop_app.core.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:
    from desktop_app.core.backends.base import RetryNotice
    from desktop_app.core.history.store import HistoryStore
    from desktop_app.core.solve_request import Backends
    from desktop_app.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)


CHROMIUM_FLAGS = "QTWEBENGINE_CHROMIUM_FLAGS"
# Lets the answer page collect the garbage a replaced answer leaves (see answer.js): V8 does
# it lazily, and back-to-back answers would pile up tens of MB each in the page's process.
PAGE_GC_FLAG = "--js-flags=--expose-gc"
# One renderer process for every page of one site: all our pages are qmath://answer (the
# answer, the question and transcript previews), so a preview costs ~15 MB, not a process
# of its own (~120 MB).
ONE_PROCESS_FLAG = "--process-per-site"
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # glibc's <malloc.h>


def prepare_environment() -> None:
    """Process-wide switches that must be set before Qt starts."""
    flags = os.environ.get(CHROMIUM_FLAGS, "").split()
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        # Chromium refuses to run its sandbox as root; the page is locked down by CSP anyway.
        flags.append("--no-sandbox")
    if not any(flag.startswith("--js-flags") for flag in flags):  # the user's own V8 flags win
        flags.append(PAGE_GC_FLAG)
    if ONE_PROCESS_FLAG not in flags:
        flags.append(ONE_PROCESS_FLAG)
    os.environ[CHROMIUM_FLAGS] = " ".join(flags)


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """On glibc, cap the C heap's per-thread arenas at `arenas` (True when set).

    Every solve, image read and search runs on a thread of its own (ADR 008), and glibc gives
    threads their own arenas, up to eight per core. Memory freed in an arena stays there, so a
    long session grew by ~0.5 MB a solve until every arena was fat; with two it stays flat.
    Python threads take turns on the GIL anyway, so they hardly contend for the arenas.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
    except (ValueError, OSError):  # not glibc (musl has no arenas to cap)
        return False
    import ctypes  # ~2 ms, and only here

    try:
        return bool(ctypes.CDLL(None).mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def run_gui(initial_command: str | None = None) -> int:
    """Open the main window (and the single-instance server, the tray) and run the event loop."""
    prepare_environment()
    # Start-up only makes objects that live as long as the app (modules, classes, widgets):
    # the cyclic collector would scan them ~60 times for nothing (~8 ms). It resumes after
    # the first paint, with them frozen out of its way (resume_collection), and in any case
    # when this returns or raises.
    gc.disable()
    try:
        return _run_gui(initial_command)
    finally:
        gc.enable()


def _run_gui(initial_command: str | None) -> int:
    """run_gui's body, run with the collector paused."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.answer.scheme import register_scheme
    from desktop_app.ui.deferred import after_first_paint
    from desktop_app.ui.window.single_instance import InstanceServer, hand_over

    register_scheme()
    app = QApplication(sys.argv[:1])
    # The first task after the first paint (registered before the window's own): the process
    # has one thread until then; the web engine's and the workers' threads start after it.
    after_first_paint(app, limit_malloc_arenas)
    app.setApplicationName("Qwen Math")
    app.setDesktopFileName("io.github.qwen_math_desktop")
    from PySide6.QtGui import QIcon

    from desktop_app.resources_path import app_icon_file

    app.setWindowIcon(QIcon(str(app_icon_file())))
    try:
        settings = load_settings(app_dirs().settings_file)
        problem = None
    except ConfigError as exc:
        settings, problem = Settings(), str(exc)
    from desktop_app.ui.i18n import install_translator
    from desktop_app.ui.theme import apply_theme

    install_translator(app, settings.ui.language)
    apply_theme(app, settings.ui.theme)
    server = InstanceServer()
    if not server.listen():  # another instance won the start-up race: hand over to it
        return 0 if hand_over(initial_command or "show") else 1
    history_problems: list[str] = []
    store = open_history(settings.history.retention_days, history_problems)
    window = create_main_window(settings, store)
    server.command_received.connect(
        lambda command: window.snip() if command == "snip" else window.raise_to_front()
    )
    trays: list[object] = []  # held for the app's lifetime; none where there is no tray

    def add_tray() -> None:
        from desktop_app.ui.window.tray import create_tray

        trays.append(create_tray(window, window.snip, window.raise_to_front, app.quit))

    window.show()
    after_first_paint(window, resume_collection)
    after_first_paint(window, add_tray)
    if os.environ.get("QWEN_MATH_SELFTEST") == "1":
        from desktop_app.selftest import run_selftest

        run_selftest(window)
    if problem:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(window, "Settings", f"{problem} The defaults are used.")
    if history_problems:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(window, "History", history_problems[0])
    if store is not None:
        # file-system housekeeping: off the GUI thread, once the window is up
        QTimer.singleShot(3000, lambda: start_sweep(store))
    if initial_command == "snip":
        QTimer.singleShot(0, window.snip)
    code = app.exec()
    window.shutdown()
    from desktop_app.ui.workers import await_workers

    await_workers()  # whatever still runs in the background is stopped and joined
    server.close()
    if store is not None:
        store.close()
    trays.clear()
    return code


def resume_collection() -> None:
    """Turn the cyclic collector back on, with everything made so far kept out of its scans."""
    gc.freeze()
    gc.enable()


def open_history(retention_days: int = 0, problems: list[str] | None = None) -> HistoryStore | None:
    """The history store with interrupted answers marked; None if unusable (and the reason,
    one sentence, appended to `problems`)."""
    import sqlite3

    from desktop_app.core.history.schema import unusable
    from desktop_app.core.history.store import HistoryStore, default_store_path

    path = default_store_path()
    try:
        store = HistoryStore(path)
    except ConfigError as exc:
        log.warning("history unavailable: %s", exc)
        if problems is not None:
            problems.append(f"{exc} Problems will not be saved.")
        return None
    try:
        if retention_days > 0:
            removed = store.delete_older_than(retention_days)
            if removed:
                log.info("history retention: removed %d conversations", removed)
        recovered = store.recover_interrupted()
        if recovered:
            log.info("%d answers were interrupted by a crash; kept as interrupted", recovered)
    except (sqlite3.Error, OSError) as exc:
        # A read-only or full disk: the history can still be read; saving will say it failed.
        log.warning("history housekeeping failed: %s", unusable(exc, path))
    return store


def start_sweep(store: HistoryStore) -> None:
    """Sweep orphaned image files off the GUI thread."""
    from desktop_app.ui.workers import start_worker

    start_worker(lambda _cancel: sweep_orphans(store), "sweep")


def sweep_orphans(store: HistoryStore) -> None:
    """Delete image files no conversation uses (run once the window is up)."""
    from desktop_app.core.history.image_files import remove_orphans

    try:
        remove_orphans(store)
    except Exception:  # housekeeping must never take the app down
        log.exception("orphan sweep failed")


def create_main_window(settings: Settings, store: HistoryStore | None = None) -> MainWindow:
    """The window wired to the backends the settings describe."""
    from desktop_app.ui.window.key_prompt import ask_api_key
    from desktop_app.ui.window.main_window import MainWindow

    def make_backends(on_retry: RetryNotice, on_warning: Callable[[str], None]) -> Backends:
        from desktop_app.core.backends.registry import build_backends  # at the first solve

        return build_backends(settings, on_retry=on_retry, on_warning=on_warning)

    def save(changed: Settings) -> None:
        try:
            save_settings(changed, app_dirs().settings_file)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    return MainWindow(make_backends, ask_api_key, store, settings=settings, save_settings=save)

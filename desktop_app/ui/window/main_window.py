"""The main window: image well, question, transcript, the live answer, and Stop."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter

from desktop_app.core.problem_state import ProblemState
from desktop_app.core.settings import Settings
from desktop_app.ui.answer.pane import AnswerPane
from desktop_app.ui.answer.run import AnswerRun, KeyPrompt
from desktop_app.ui.deferred import after_first_paint
from desktop_app.ui.history.export import export_conversation
from desktop_app.ui.history.sidebar import HistorySidebar
from desktop_app.ui.problem.panel import ProblemPanel
from desktop_app.ui.settings.setup import SetupFlow
from desktop_app.ui.snip.flow import SnipFlow, raise_window
from desktop_app.ui.theme import answer_page_theme, apply_theme
from desktop_app.ui.tir_consent import ConsentPrompt, ask_tir_consent
from desktop_app.ui.window.actions import (
    ACTIONS,
    build_actions,
    mode_box,
    open_log_folder,
    refresh_icons,
    show_shortcuts,
)
from desktop_app.ui.window.mode import SolvingMode
from desktop_app.ui.window.samples import SampleCount, samples_box
from desktop_app.ui.window.state import restore_window_state, save_window_state

if TYPE_CHECKING:
    from desktop_app.core.history.store import HistoryStore
    from desktop_app.core.solve_request import SolveRequest
    from desktop_app.ui.answer.solve_worker import BackendsFactory
    from desktop_app.ui.workers import Worker

log = logging.getLogger(__name__)

IMAGE_FILTER = str(
    QT_TRANSLATE_NOOP(
        "MainWindow", "Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff);;All files (*)"
    )
)


def new_request(**fields: Any) -> SolveRequest:
    """A SolveRequest; its module (and the pipeline's) loads with the first solve."""
    from desktop_app.core.solve_request import SolveRequest

    return SolveRequest(**fields)


class MainWindow(QMainWindow):
    """Drop or paste a problem; watch the transcript and the typeset solution stream in."""

    # made by actions.build_actions, one per ActionSpec: `<name>_action`
    new_action: QAction
    snip_action: QAction
    open_action: QAction
    paste_action: QAction
    solve_action: QAction
    stop_action: QAction
    regenerate_action: QAction
    copy_answer_action: QAction
    copy_source_action: QAction
    search_action: QAction
    unload_action: QAction
    export_action: QAction
    shortcuts_action: QAction
    settings_action: QAction
    logs_action: QAction
    quit_action: QAction

    def __init__(
        self,
        make_backends: BackendsFactory,
        ask_api_key: KeyPrompt,
        store: HistoryStore | None = None,
        *,
        settings: Settings | None = None,
        save_settings: Callable[[Settings], None] | None = None,
        ask_tir_consent: ConsentPrompt = ask_tir_consent,
    ) -> None:
        super().__init__()
        self._store = store
        self._settings = settings or Settings()
        self._save_settings = save_settings or (lambda _settings: None)
        self.state = ProblemState()  # shared with the answer run; the window keeps no copy
        self.setWindowTitle("Qwen Math")
        self.resize(1280, 800)
        self._build(make_backends, ask_api_key, ask_tir_consent)
        self.snip_flow = SnipFlow(self)
        self.snip_flow.snipped.connect(lambda png: self.problem.load(png, "snip"))
        self.snip_flow.failed.connect(self._set_status)

    # -- construction -------------------------------------------------------------------

    def _build(
        self, make_backends: BackendsFactory, ask_api_key: KeyPrompt, ask_consent: ConsentPrompt
    ) -> None:
        self.problem = ProblemPanel()
        self.problem.image_chosen.connect(self._on_image_chosen)
        self.problem.image_failed.connect(self._set_status)
        self.problem.question_submitted.connect(self.solve)
        self.problem.resolve_requested.connect(self._on_resolve)
        self.drop_area = self.problem.drop_area
        self.question_edit = self.problem.question_box.editor
        self.transcript_editor = self.problem.transcript_editor
        self.answer_pane = AnswerPane()
        self.answer_pane.setup_requested.connect(self.open_settings)
        self.answer_view = self.answer_pane.answer_view
        self.answer_view.copy_final_requested.connect(self.copy_final_answer)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.history_sidebar: HistorySidebar | None = None
        if self._store is not None:
            self.history_sidebar = HistorySidebar(self._store)
            self.history_sidebar.conversation_opened.connect(self.open_conversation)
            self.history_sidebar.conversation_deleted.connect(self._on_conversation_deleted)
            self.history_sidebar.new_conversation_requested.connect(self.new_conversation)
            splitter.addWidget(self.history_sidebar)
        splitter.addWidget(self.problem)
        splitter.addWidget(self.answer_pane)
        splitter.setStretchFactor(splitter.count() - 1, 2)
        splitter.setSizes([220, 420, 640] if self._store is not None else [420, 860])
        self.setCentralWidget(splitter)
        self.splitter = splitter
        self.answer_view.set_theme(answer_page_theme(self._settings.ui.theme))
        self.answer_run = self._answer_run(make_backends, ask_api_key)
        self.setup = SetupFlow(self, self._settings, self._save_settings)
        self.setup.settings_changed.connect(self._on_settings_changed)
        self.setup.welcome_decided.connect(self._on_welcome_decided)
        after_first_paint(self, self.setup.check_in_background)
        self.status_label = QLabel(self.tr("Ready"))
        self.status_label.setAccessibleName(self.tr("Status"))
        self.statusBar().addWidget(self.status_label, 1)
        self.mode_box = mode_box()
        self.samples_box = samples_box()
        handlers: dict[str, Callable[[], object]] = {
            "show_shortcuts": lambda: show_shortcuts(self),
            "open_log_folder": open_log_folder,
        }
        for spec in ACTIONS:
            if spec.handler not in handlers:
                handlers[spec.handler] = getattr(self, spec.handler)
        self._actions = build_actions(self, handlers, self.mode_box, self.samples_box)
        for name, action in self._actions.items():
            setattr(self, f"{name}_action", action)
        self.solving_mode = SolvingMode(
            self.mode_box, self.state, self._settings, self._save_settings, ask_consent, self
        )
        self.sample_count = SampleCount(
            self.samples_box, self.state, self._settings, self._save_settings, self
        )
        restore_window_state(self, splitter)

    def _answer_run(self, make_backends: BackendsFactory, ask_api_key: KeyPrompt) -> AnswerRun:
        run = AnswerRun(
            self.answer_view,
            self.transcript_editor,
            make_backends,
            self._store,
            ask_api_key,
            self.state,
            self,
        )
        run.status.connect(self._set_status)
        run.started.connect(self._on_run_started)
        run.running.connect(self._on_running)
        run.final_answer_ready.connect(lambda: self.copy_answer_action.setEnabled(True))
        run.image_ready.connect(self.problem.show_image)
        run.finished.connect(self._on_run_finished)
        return run

    # -- user actions --------------------------------------------------------------------

    def load_image(self, data: bytes, name: str = "image") -> None:
        """Solve a new problem image straight away (its bytes, already read)."""
        log.info("new image from %s (%d bytes)", name, len(data))
        self.state.new_problem(data)
        self.start(new_request(image=data, question=self.problem.question()))

    def snip(self) -> None:
        """Hide the window, freeze every screen, and let the user drag a region to solve."""
        self.snip_flow.start()

    def raise_to_front(self) -> None:
        """Show the window above the others (a second `qwen-math` asks for this)."""
        raise_window(self)

    def paste(self) -> None:
        """Solve the image (or image file) on the clipboard."""
        from desktop_app.ui.problem.image_loader import image_source

        source = image_source(QApplication.clipboard().mimeData())
        if source is None:
            self._set_status(self.tr("The clipboard holds no image."))
            return
        self.problem.load(source)

    def open_image(self) -> None:
        """Choose an image file and solve it."""
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Open an image"),
            "",
            QCoreApplication.translate("MainWindow", IMAGE_FILTER),
        )
        if path:
            self.problem.load(path)

    def solve(self) -> None:
        """Solve what is in front: a sketch, a corrected transcript, or the image and question."""
        sketch = self.problem.pending_sketch()
        if sketch is not None:
            self.problem.load(sketch, "sketch")
            return
        if self.transcript_editor.is_modified():
            self._on_resolve(self.transcript_editor.text())
            return
        question = self.problem.question()
        if self.state.image is None and not question.strip():
            self._set_status(self.tr("Drop an image, draw a sketch or type a question first."))
            return
        conversation_id = self.state.conversation_id
        if conversation_id is not None and question.strip() and self._store is not None:
            from desktop_app.core.conversation import follow_up

            request, shown = follow_up(self._store.get(conversation_id), question)
            self.start(request, conversation_id=conversation_id, shown=shown)
            self.problem.question_box.clear()  # the question now heads its answer
            return
        self.start(new_request(image=self.state.image, question=question))

    def open_conversation(self, conversation_id: str) -> None:
        """Show a saved conversation; a question typed next continues it."""
        if self._store is None:
            return
        self.stop()
        conversation = self._store.get(conversation_id)
        self.state.open(conversation.id)
        path = self._store.image_path(conversation)
        if path is not None and path.is_file():
            self.problem.show_image(path.read_bytes())  # our own normalised PNG, a few KB
        else:
            self.problem.clear_image()
        self.transcript_editor.set_text(conversation.transcript)
        self.problem.question_box.clear()
        self.answer_run.show_saved(conversation.turns)  # answers, checks and samples
        self._set_status(conversation.title)

    def new_conversation(self) -> None:
        """Clear the window for a new problem."""
        self.stop()
        self.state.new_problem()
        self.problem.clear_image()
        self.problem.question_box.clear()
        self.transcript_editor.clear()
        self.answer_view.clear()
        self._set_status(self.tr("Ready"))

    @Slot(str)
    def _on_conversation_deleted(self, conversation_id: str) -> None:
        if conversation_id == self.state.conversation_id:
            self.new_conversation()

    def start(
        self, request: SolveRequest, *, conversation_id: str | None = None, shown: str = ""
    ) -> None:
        """Run `request` in the chosen mode (a new turn of `conversation_id` if given),
        stopping any run first."""
        self.stop()
        self.solving_mode.confirm()
        request = self.state.prepare(request)
        self.answer_run.start(request, conversation_id=conversation_id, shown=shown)

    def stop(self) -> None:
        """Stop the run in progress; what streamed so far stays on screen."""
        self.answer_run.stop()

    def regenerate(self) -> None:
        """Answer the last request again (a new turn when it belonged to a conversation)."""
        run = self.state.last_run
        if run is not None:
            self.start(run.request, conversation_id=run.conversation_id, shown=run.shown)

    @Slot(bytes, str)
    def _on_image_chosen(self, data: bytes, name: str) -> None:
        self.load_image(data, name)

    @Slot(str)
    def _on_resolve(self, transcript: str) -> None:
        # the image was read already: solve the corrected text without reading it again
        self.start(new_request(question=self.problem.question(), transcript=transcript))

    def open_settings(self, first_run: str | None = None) -> None:
        """Show the settings dialog (on the page for a welcome choice, if given)."""
        self.setup.open_settings(first_run)

    @Slot()
    def _on_settings_changed(self) -> None:
        self.solving_mode.show_setting()
        self.sample_count.show_setting()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme = apply_theme(app, self._settings.ui.theme)
        self.answer_view.set_theme(theme)
        refresh_icons(self._actions)

    @Slot(bool)
    def _on_welcome_decided(self, show: bool) -> None:
        run = self.answer_run
        if not run.active and not run.has_answer:  # never hide an answer in progress
            self.answer_pane.show_welcome(show)

    def copy_final_answer(self) -> None:
        """Put the final answer (LaTeX) on the clipboard."""
        self.answer_run.copy_final_answer()

    def copy_source(self) -> None:
        """Put the whole answer's Markdown + LaTeX source on the clipboard."""
        self.answer_run.copy_source()

    def export_conversation(self, target: Path | None = None) -> Worker | None:
        """Save the open conversation as Markdown (image beside it) or a standalone web page,
        on a worker; the status line says where it went. None when nothing is exported."""
        conversation_id = self.state.conversation_id
        if self._store is None or conversation_id is None:
            self._set_status(self.tr("Solve or open a problem first; then it can be exported."))
            return None
        return export_conversation(
            self, self._store, conversation_id, target, lambda _paths, s: self._set_status(s)
        )

    def unload_local_models(self) -> None:
        """Free the GPU (or RAM) the local models hold; they load again on the next question."""
        if self.answer_run.active:
            self._set_status(self.tr("Stop the answer in progress first."))
            return
        loading = sys.modules.get("desktop_app.core.backends.local.loading")
        if loading is not None:  # never import torch just to unload nothing
            loading.unload()
        self._set_status(self.tr("Local models unloaded."))

    def focus_search(self) -> None:
        """Jump to the history search box."""
        if self.history_sidebar is not None:
            self.history_sidebar.focus_search()

    # -- the answer run ------------------------------------------------------------------

    @Slot()
    def _on_run_started(self) -> None:
        self.answer_pane.show_welcome(False)
        for action in (self.regenerate_action, self.copy_answer_action, self.copy_source_action):
            action.setEnabled(False)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.stop_action.setEnabled(running)
        if not running:
            self.regenerate_action.setEnabled(True)

    @Slot(bool)
    def _on_run_finished(self, has_answer: bool) -> None:
        self.copy_source_action.setEnabled(has_answer)
        if self.history_sidebar is not None:
            self.history_sidebar.refresh()  # stopped and failed turns are saved too
            if self.state.conversation_id is not None:
                self.history_sidebar.select(self.state.conversation_id)

    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    # -- lifecycle -----------------------------------------------------------------------

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Stop and join the run in progress; True when no thread is left."""
        if self.history_sidebar is not None:
            self.history_sidebar.shutdown()  # a pending delete becomes final
        loaded = self.problem.shutdown(timeout)
        return self.answer_run.shutdown(timeout) and loaded

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        save_window_state(self, self.splitter)
        self.shutdown()
        super().closeEvent(event)

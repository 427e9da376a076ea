"""One answer run: its worker, the events it streams into the window, and Stop / Regenerate."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.errors import Cancelled
from desktop_app.ui.answer.checks import card_label, summary_text
from desktop_app.ui.answer.samples import SamplesPresenter, show_saved_samples
from desktop_app.ui.tir_consent import check_note

if TYPE_CHECKING:
    from desktop_app.core.events import Event, Failed
    from desktop_app.core.history.models import Turn
    from desktop_app.core.history.store import HistoryStore
    from desktop_app.core.problem_state import ProblemState, Run
    from desktop_app.core.solve_request import SolveRequest
    from desktop_app.ui.answer.solve_worker import BackendsFactory
    from desktop_app.ui.answer.view import AnswerView
    from desktop_app.ui.problem.transcript_editor import TranscriptEditor
    from desktop_app.ui.workers import Worker

KeyPrompt = Callable[[QWidget], bool]  # asks for a key and stores it; False when cancelled

# These strings are shown by the main window, so they keep its translation context.
translate = QCoreApplication.translate


class AnswerRun(QObject):
    """Runs one request at a time on a worker and shows its transcript and answer as they
    stream in; a new run stops the old one, whose late events are then ignored."""

    status = Signal(str)  # a line for the status bar
    started = Signal()  # a run begins: the welcome page hides, Regenerate and Copy are off
    running = Signal(bool)  # True once the worker starts (Stop on); False when its thread ended
    final_answer_ready = Signal()  # the final answer can be copied
    image_ready = Signal(bytes)  # the decoded image, as the reader will see it
    finished = Signal(bool)  # the run's thread has ended; True when an answer streamed in

    def __init__(
        self,
        answer_view: AnswerView,
        transcript_editor: TranscriptEditor,
        make_backends: BackendsFactory,
        store: HistoryStore | None,
        ask_api_key: KeyPrompt,
        state: ProblemState,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._answer_view = answer_view
        self._transcript_editor = transcript_editor
        self._make_backends = make_backends
        self._store = store
        self._ask_api_key = ask_api_key
        self._state = state
        self._parent = parent  # the key prompt's parent
        self._answer_parts: list[str] = []  # the streamed answer's Markdown source
        self._final_answer: str | None = None
        self._steps: list[str] = []  # the verdicts of the answer's checked steps
        self._run: Run | None = None  # what the current (or last) worker runs
        self._worker: Worker | None = None
        self._retry_after_key = False  # run the last request again once its thread has ended
        self._samples = SamplesPresenter(answer_view, self.status.emit)

    @property
    def active(self) -> bool:
        """Whether a run's thread is still going."""
        return self._worker is not None

    @property
    def has_answer(self) -> bool:
        """Whether the last run streamed any answer text."""
        return bool(self._answer_parts)

    def start(
        self, request: SolveRequest, *, conversation_id: str | None = None, shown: str = ""
    ) -> None:
        """Run `request` as it is (a new turn of `conversation_id` if given), stopping any run
        first; the problem state records it as the run Regenerate repeats."""
        self.stop()
        run = self._state.begin(request, conversation_id, shown)
        self.started.emit()
        self._answer_parts, self._final_answer, self._steps = [], None, []
        self._transcript_editor.set_text(request.transcript or "")
        self._answer_view.clear()
        if shown:
            self._answer_view.set_markdown(shown)  # earlier turns stay above the new answer
        from desktop_app.ui.answer.solve_worker import solve_worker  # the pipeline, on first use

        worker = solve_worker(request, self._make_backends, self._store, conversation_id)
        worker.yielded.connect(self._on_event)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_worker_finished)
        self._run, self._worker = run, worker
        self.running.emit(True)
        self.status.emit(translate("MainWindow", "Starting…"))
        worker.start()

    def stop(self) -> None:
        """Stop the run in progress; what streamed so far stays on screen."""
        if self._worker is not None:
            self._worker.cancel()

    def copy_final_answer(self) -> None:
        """Put the final answer (LaTeX) on the clipboard."""
        if self._final_answer is not None:
            QApplication.clipboard().setText(self._final_answer)
            self.status.emit(translate("MainWindow", "Final answer copied."))

    def copy_source(self) -> None:
        """Put the whole answer's Markdown + LaTeX source on the clipboard."""
        QApplication.clipboard().setText("".join(self._answer_parts))
        self.status.emit(translate("MainWindow", "Answer copied as Markdown."))

    def shutdown(self, timeout: float = 5.0) -> bool:
        """Stop and join the run in progress; True when no thread is left."""
        worker = self._worker
        if worker is None:
            return True
        worker.cancel()
        return worker.wait(timeout)

    def show_saved(self, turns: Sequence[Turn]) -> None:
        """Show a reopened conversation's answers as they were: each turn's step marks, the
        last final answer's card with its reason, and the last vote's samples."""
        from desktop_app.core.conversation import conversation_markdown

        shown = conversation_markdown("", [(t.question, t.answer) for t in turns])
        self._answer_view.set_markdown(shown)
        cursor = 0
        last: Turn | None = None
        for turn in turns:
            stripped = turn.answer.strip()
            found = shown.find(stripped, cursor) if stripped else -1
            steps = [s for s in turn.details.get("steps") or () if isinstance(s, Mapping)]
            if found >= 0:  # the page shows each answer stripped, in order
                cursor = found + len(stripped)
                at = found - (len(turn.answer) - len(turn.answer.lstrip()))
                for step in steps:
                    self._show_saved_step(at, step)
            if turn.final_answer:
                last, self._steps = turn, [str(s.get("verdict")) for s in steps]
        if last is not None and last.final_answer:
            check = last.final_check or "unchecked"
            self._final_answer = last.final_answer
            self._show_summary()
            self._answer_view.show_final(
                last.final_answer, card_label(check), check, last.final_reason or ""
            )
            self.final_answer_ready.emit()
        show_saved_samples(self._answer_view, turns)
        from desktop_app.ui.answer.plot_input import show_saved_plot  # a worker: not at start-up

        show_saved_plot(self._answer_view, turns)

    def _show_saved_step(self, at: int, step: Mapping[str, object]) -> None:
        start, end, verdict = step.get("start"), step.get("end"), step.get("verdict")
        if isinstance(start, int) and isinstance(end, int) and verdict in ("ok", "wrong"):
            reason = step.get("reason")
            self._answer_view.show_step(at + start, at + end, str(verdict), str(reason or ""))

    def _show_summary(self) -> None:
        wrong = self._steps.count("wrong")
        self._answer_view.show_step_summary(summary_text(len(self._steps), wrong), wrong)

    def _show_answer_text(self, text: str) -> None:
        self._answer_parts.append(text)
        self._answer_view.append_delta(text)

    # -- pipeline events -------------------------------------------------------------------

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        from desktop_app.core.events import (  # loaded with the first solve, not at start-up
            AnswerDelta,
            CodeBlock,
            CodeOutput,
            Failed,
            FinalAnswer,
            Finished,
            ImageReady,
            Notice,
            PlotReady,
            Retrying,
            StageStarted,
            StepChecked,
            TranscriptDelta,
        )

        if self.sender() is not self._worker:
            return  # a late event from a run that was replaced
        if self._samples.handle(event):
            return
        if isinstance(event, ImageReady):
            self.image_ready.emit(event.png)
        elif isinstance(event, StageStarted):
            if event.stage == "reader":
                status = translate("MainWindow", "Reading the image with {model}…")
            else:
                status = translate("MainWindow", "Solving with {model}…")
            self.status.emit(status.format(model=event.model))
            self._transcript_editor.set_streaming(event.stage == "reader")
        elif isinstance(event, TranscriptDelta):
            self._transcript_editor.append_text(event.delta)
        elif isinstance(event, AnswerDelta):
            self._show_answer_text(event.delta)
        elif isinstance(event, CodeBlock):
            self.status.emit(
                translate("MainWindow", "Running the model's Python code in the sandbox…")
            )
        elif isinstance(event, CodeOutput) and event.status != "ok":
            notice = translate("MainWindow", "The code ended with status: {status}.").format(
                status=event.status
            )
            self._answer_view.show_notice(notice, "info")
        elif isinstance(event, Notice):
            self._answer_view.show_notice(event.message, "warning")
        elif isinstance(event, Retrying):
            again = translate("MainWindow", "{reason} Trying again in {seconds} s…")
            self.status.emit(again.format(reason=event.reason, seconds=f"{event.delay:.0f}"))
        elif isinstance(event, StepChecked):
            self._steps.append(event.verdict)
            self._answer_view.show_step(event.start, event.end, event.verdict, event.reason)
            self._show_summary()
        elif isinstance(event, FinalAnswer):
            self._final_answer = event.answer
            self.final_answer_ready.emit()
            note = check_note(event.check)
            status = translate("MainWindow", "Final answer: {answer}").format(answer=event.answer)
            if note:
                status = translate("MainWindow", "{status} ({note})").format(
                    status=status, note=note
                )
            self.status.emit(status)
            self._answer_view.flush()
            label = card_label(event.check)
            self._answer_view.show_final(event.answer, label, event.check, event.reason)
        elif isinstance(event, PlotReady) and event.spec is not None:
            self._answer_view.show_plot(event.spec)  # under the answer, which is all there
        elif isinstance(event, Finished):
            self._answer_view.finish()
            if event.conversation_id is not None and self._run is not None:
                self._state.saved(self._run, event.conversation_id)
            if self._final_answer is None:  # the final answer stays in the status bar
                self.status.emit(translate("MainWindow", "Done."))
        elif isinstance(event, Failed):
            self._on_failed(event)

    def _on_failed(self, event: Failed) -> None:
        self._transcript_editor.set_streaming(False)
        self._answer_view.finish()
        if event.exit_code == Cancelled.exit_code:
            self.status.emit(translate("MainWindow", "Stopped."))
            if self._answer_parts:
                kept = translate("MainWindow", "Stopped. The partial answer is kept.")
            else:  # e.g. samples stopped before their vote: nothing was shown
                kept = translate("MainWindow", "Stopped.")
            self._answer_view.show_notice(kept, "info")
            return
        self.status.emit(event.message)
        if event.needs_key and self._ask_api_key(self._parent):
            # Run it again (same conversation) once this run's thread has ended: never two.
            # The key dialog runs its own event loop, in which the thread may have ended.
            if self._worker is None:
                self._run_again()
            else:
                self._retry_after_key = True
            return
        self._answer_view.show_notice(event.message, "error")

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if self.sender() is not self._worker:
            return
        from desktop_app.core.events import Failed
        from desktop_app.ui.workers import failure_sentence

        fallback = translate(
            "MainWindow", "Something went wrong inside Qwen Math; details are in the log."
        )
        self._on_failed(Failed(failure_sentence(exc, fallback), getattr(exc, "exit_code", 1)))

    @Slot()
    def _on_worker_finished(self) -> None:
        if self.sender() is not self._worker:
            return  # a run that was replaced
        self._worker = None
        self.running.emit(False)
        self.finished.emit(bool(self._answer_parts))
        if self._retry_after_key:
            self._retry_after_key = False
            self._run_again()

    def _run_again(self) -> None:
        """The last run once more: the same request, already prepared, same conversation."""
        if self._run is not None:
            run = self._run
            self.start(run.request, conversation_id=run.conversation_id, shown=run.shown)

"""`qwen-math solve`: build a request from the command line and print the pipeline's events."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TextIO

from desktop_app.core.backends.registry import build_backends
from desktop_app.core.check_words import check_line, step_counts, step_line, steps_line
from desktop_app.core.errors import ConfigError, UsageError
from desktop_app.core.events import (
    AnswerDelta,
    Event,
    Failed,
    FinalAnswer,
    Finished,
    Notice,
    PlotReady,
    Retrying,
    SampleProgress,
    StageStarted,
    StepChecked,
    TranscriptDelta,
    to_json,
)
from desktop_app.core.history.disk_errors import HistoryUnavailable
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore, default_store_path
from desktop_app.core.paths import app_dirs
from desktop_app.core.pipeline import SolveRequest, run_pipeline
from desktop_app.core.prompts import Mode
from desktop_app.core.settings import Settings, load_settings
from desktop_app.core.terminal_text import TerminalStream, terminal_line
from desktop_app.json_lines import write_json_line


def solve_headless(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run one solve for the parsed `args`; returns the contract's exit code."""
    if args.screen_region:
        if args.image:
            raise UsageError("Give an image or --region, not both.")
        from desktop_app.capture import grab_region, parse_region

        image: bytes | None = grab_region(*parse_region(args.screen_region))
    else:
        image = _read_image(args.image)
    if image is None and not args.question.strip():
        raise UsageError("Give an image file, - for stdin, or --question with the problem text.")
    settings = load_settings(app_dirs().settings_file)
    printer = _Printer(out, err, as_json=args.json)
    backends = build_backends(
        settings,
        backend=args.backend,
        reader=args.reader,
        solver=args.solver,
        base_url=args.base_url,
        reader_model=args.reader_model,
        solver_model=args.solver_model,
        on_retry=lambda attempt, delay, reason: printer.show(Retrying(attempt, delay, reason)),
        on_warning=printer.say,
        keep_warm=False,  # the process ends after one solve: no idle-unload timer
    )
    request = SolveRequest(
        image=image, question=args.question, mode=_mode(args.mode, settings), samples=args.samples
    )
    cancel = threading.Event()
    interruptible(cancel)
    code = 0
    events = run_pipeline(request, backends, cancel)
    store = None if args.no_history else _open_history(err)
    if store is not None:
        events = record(events, store, question=request.question, reads_image=request.reads_image)
    try:
        for event in events:
            printer.show(event)
            if isinstance(event, Failed):
                code = event.exit_code
    finally:
        printer.close()
        if store is not None:
            store.close()
    return code


def interruptible(cancel: threading.Event) -> None:
    """Make Ctrl-C set `cancel` so the stream stops cleanly and the partial answer is printed."""

    def handler(signum: int, frame: object) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)


def _mode(flag: str | None, settings: Settings) -> Mode:
    """--mode wins (`--mode tir` is consent); a saved TIR mode needs the saved consent."""
    if flag in ("cot", "tir"):
        return "tir" if flag == "tir" else "cot"
    return "tir" if settings.solve.mode == "tir" and settings.solve.tir_consent else "cot"


def _open_history(err: TextIO) -> HistoryStore | None:
    """The history store, or None (with a warning) when it cannot be used: solving goes on."""
    try:
        return HistoryStore(default_store_path())
    except HistoryUnavailable as exc:
        say(err, f"This problem will not be saved: {exc.reason}.")
    except ConfigError as exc:
        say(err, f"{exc} This problem will not be saved.")
    return None


def say(err: TextIO, message: str) -> None:
    """One `qwen-math:` line on stderr; the message cannot add lines or escape codes."""
    err.write(f"qwen-math: {terminal_line(message)}\n")
    err.flush()


def _read_image(source: str | None) -> bytes | None:
    if source is None:
        return None
    from desktop_app.core.images import read_image_file, read_image_stream

    if source == "-":
        return read_image_stream(sys.stdin.buffer)
    return read_image_file(source)


def plot_summary(event: PlotReady) -> str:
    """One line naming what was plotted (the window and `--json` carry the plot itself)."""
    variable = str((event.spec or {}).get("variable", "x"))
    start, end = (f"{value:g}" for value in event.x_range)
    line = f"Plotted {' and '.join(event.functions)} for {variable} from {start} to {end}"
    if event.points:
        line += "; marked " + ", ".join(point.label for point in event.points)
    return line + "."


class _Printer:
    """Prints events as they happen: readable text, or one JSON object per line."""

    def __init__(self, out: TextIO, err: TextIO, *, as_json: bool) -> None:
        self._out, self._err, self._json = out, err, as_json
        self._section: str | None = None
        self._at_line_start = True
        self._clean = TerminalStream()  # model output: no escape code reaches the terminal
        self._steps: list[StepChecked] = []  # printed under the final answer

    def show(self, event: Event) -> None:
        if self._json:
            obj = to_json(event)
            if obj is not None and obj["type"] not in ("stage", "retrying"):
                write_json_line(self._out, obj)  # exact text, JSON-escaped
            if isinstance(event, Failed | Notice):
                self.say(event.message)
            return
        if isinstance(event, StageStarted):
            self._heading("Transcript" if event.stage == "reader" else "Solution")
        elif isinstance(event, TranscriptDelta | AnswerDelta):
            self._text(event.delta)
        elif isinstance(event, StepChecked):
            self._steps.append(event)
        elif isinstance(event, FinalAnswer):
            self._heading("Final answer")
            self._text(event.answer)
            if event.samples is not None:
                self._text(f"\n\n{event.votes} of {event.samples} samples gave this answer.")
            self._end_line()
            self._out.write("\n" + terminal_line(check_line(event.check, event.reason)) + "\n")
            self._print_steps()
        elif isinstance(event, Finished):
            self._print_steps()  # an answer without a final answer still had its steps checked
        elif isinstance(event, SampleProgress):
            if event.finished == 0:
                self.say(f"Sampling {event.total} solutions; the majority answer follows.")
            else:
                self.say(f"{event.finished} of {event.total} samples finished.")
        elif isinstance(event, PlotReady):
            self._heading("Plot")
            self._write(terminal_line(plot_summary(event)) + "\n")
        elif isinstance(event, Retrying):
            self.say(f"{event.reason} Retrying in {event.delay:.0f} s.")
        elif isinstance(event, Failed):
            self._end_line()
            self.say(event.message)
        elif isinstance(event, Notice):  # stdout is left as it is: it may be a file
            self._out.flush()
            self.say(event.message)

    def _print_steps(self) -> None:
        """'Steps: 12 checked, 1 wrong', then each wrong step and why."""
        steps, self._steps = self._steps, []
        if not steps:
            return
        self._end_line()
        checked, wrong = step_counts(s.verdict for s in steps)
        lines = [steps_line(checked, wrong)]
        for step in steps:
            if step.verdict == "wrong":
                wrong_step = f"Wrong: {step_line(step.before, step.after)}: {step.reason}"
                lines.append("  " + terminal_line(wrong_step))
        self._out.write("".join(line + "\n" for line in lines))
        self._out.flush()

    def say(self, message: str) -> None:
        """A message on stderr, on one line of its own."""
        say(self._err, message)

    def close(self) -> None:
        self._end_line()

    def _heading(self, title: str) -> None:
        self._end_line()
        if self._section is not None:
            self._out.write("\n")
        self._out.write(f"## {title}\n\n")
        self._section = title
        self._out.flush()

    def _text(self, text: str) -> None:
        self._write(self._clean.feed(text))

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
        if text:
            self._at_line_start = text.endswith("\n")

    def _end_line(self) -> None:
        self._write(self._clean.finish())
        if not self._at_line_start:
            self._out.write("\n")
            self._at_line_start = True
        self._out.flush()

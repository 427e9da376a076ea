"""The `qwen-math` command: opens the window, or solves headless and streams to stdout."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from desktop_app import __version__
from desktop_app.core.errors import AppError, Cancelled, UsageError
from desktop_app.core.settings import MAX_SAMPLES
from desktop_app.core.terminal_text import terminal_line
from desktop_app.json_lines import write_json_line

EXIT_USAGE = 2
# A frozen app has no `python -m`: its checker process is the app itself run with this flag
# (core/check_worker.py's WORKER_FLAG; not a user-facing option, so not in --help).
CHECK_WORKER_FLAG = "--check-worker"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one sentence and the contract's exit code 2."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        message = terminal_line(message)  # it quotes the command line, escape codes and all
        sys.stderr.write(f"qwen-math: {message[:1].upper()}{message[1:]}.\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, per the public contract."""
    parser = _Parser(prog="qwen-math", description="Snip a math problem, get a solution.")
    parser.add_argument("--version", action="version", version=f"qwen-math {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details and show tracebacks")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    commands.add_parser("snip", help="open the snip overlay in the running app (start one if none)")
    solve = commands.add_parser("solve", help="read and solve a problem headless")
    solve.add_argument("image", nargs="?", help="image file, or - to read image bytes on stdin")
    solve.add_argument("--question", default="", help="question about the image, or the problem")
    solve.add_argument("--backend", metavar="cloud|local|openai[:PROFILE]", default=None)
    solve.add_argument("--reader", metavar="cloud|local|openai[:PROFILE]", default=None)
    solve.add_argument("--solver", metavar="cloud|local|openai[:PROFILE]", default=None)
    solve.add_argument("--reader-model", metavar="NAME|PATH")
    solve.add_argument("--solver-model", metavar="NAME|PATH")
    solve.add_argument("--base-url", metavar="URL")
    solve.add_argument(
        "--region",
        metavar="X,Y,W,H",
        dest="screen_region",
        help="capture this screen rectangle: virtual-desktop pixels on X11; on Wayland the "
        "compositor's logical coordinates (as `swaymsg -t get_outputs` and `grim -g` use), "
        "captured at the native resolution of the output under it",
    )
    solve.add_argument("--mode", choices=["cot", "tir"], default=None)
    solve.add_argument(
        "--samples",
        metavar="N",
        type=_samples,
        default=1,
        help=f"self-consistency: sample N solutions (1 to {MAX_SAMPLES}) and vote on the answer",
    )
    solve.add_argument("--json", action="store_true", help="one JSON event per line")
    solve.add_argument("--no-history", action="store_true", help="do not save this problem")
    solve.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    from desktop_app.history_cli import add_history_parser

    add_history_parser(commands)
    return parser


def _samples(text: str) -> int:
    """--samples: a whole number from 1 to MAX_SAMPLES (argparse reports anything else)."""
    try:
        number = int(text.strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_SAMPLES:
        shown = terminal_line(text)[:20]
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_SAMPLES}, not {shown!r}"
        )
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `qwen-math` and `python -m desktop_app`."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments == [CHECK_WORKER_FLAG]:
        from desktop_app.core.check_worker import serve

        return serve()
    args = build_parser().parse_args(arguments)
    from desktop_app.logging_setup import configure_logging

    configure_logging(debug=args.debug)
    logging.getLogger(__name__).info("qwen-math %s: %s", __version__, args.command or "window")
    if args.command == "solve":
        return _run_solve(args)
    if args.command == "history":
        from desktop_app.history_cli import run_history

        try:
            return run_history(args, sys.stdout, sys.stderr)
        except AppError as exc:
            return _report(exc, args)
    from desktop_app.app import run_gui
    from desktop_app.ui.window.single_instance import hand_over

    if args.command == "snip":
        return 0 if hand_over("snip") else run_gui(initial_command="snip")
    if hand_over("show"):
        return 0  # the running window was raised
    return run_gui()


def _run_solve(args: argparse.Namespace) -> int:
    from desktop_app.headless import solve_headless

    try:
        return solve_headless(args, sys.stdout, sys.stderr)
    except AppError as exc:
        return _report(exc, args)
    except KeyboardInterrupt:
        return Cancelled.exit_code
    except Exception as exc:  # a bug: one sentence, the traceback only with --debug
        if args.debug:
            raise
        sys.stderr.write(
            f"qwen-math: Unexpected error ({type(exc).__name__}); rerun with --debug.\n"
        )
        return 1


def _report(exc: AppError, args: argparse.Namespace) -> int:
    if getattr(args, "json", False):
        write_json_line(
            sys.stdout, {"type": "error", "message": str(exc), "exit_code": exc.exit_code}
        )
    sys.stderr.write(f"qwen-math: {terminal_line(str(exc))}\n")
    return exc.exit_code


__all__ = ["EXIT_USAGE", "UsageError", "build_parser", "main"]

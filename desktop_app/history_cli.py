"""`qwen-math history`: list, show, search, export and delete saved conversations."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from desktop_app.core.errors import AppError, UsageError
from desktop_app.core.history.export import export_markdown, inline_plot_refs, to_markdown
from desktop_app.core.history.models import Conversation, ConversationSummary, Turn
from desktop_app.core.history.schema import unusable
from desktop_app.core.history.store import HistoryStore, default_store_path
from desktop_app.core.terminal_text import terminal_line, terminal_text
from desktop_app.json_lines import write_json_line

SHORT_ID = 8


def run_history(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the parsed `history` command; returns the contract's exit code."""
    path = default_store_path()
    try:
        with HistoryStore(path) as store:
            _COMMANDS[args.history_command](store, args, out)
    except (sqlite3.Error, OSError) as exc:  # a read-only or full disk met by the command
        return _fail(err, unusable(exc, path))
    except AppError as exc:
        return _fail(err, exc)
    out.flush()
    return 0


def _fail(err: TextIO, exc: AppError) -> int:
    err.write(f"qwen-math: {terminal_line(str(exc))}\n")
    return exc.exit_code


def _list(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    if args.limit < 0 or args.offset < 0:
        raise UsageError("--limit and --offset must not be negative.")
    summaries = store.list(args.limit, args.offset)
    if not summaries and not args.json:
        out.write("No saved problems yet.\n")
    for summary in summaries:
        if args.json:
            write_json_line(out, _summary_json(summary))
        else:
            out.write(f"{summary.id[:SHORT_ID]}  {_when(summary.updated_at)}  {_line(summary)}\n")


def _show(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    conversation = store.get(store.resolve_id(args.id))
    image = store.image_path(conversation)
    if args.json:
        write_json_line(out, _conversation_json(conversation, image))
    else:
        out.write(terminal_text(to_markdown(conversation, str(image) if image else None)))


def _search(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    for hit in store.search(args.text, max(args.limit, 0)):
        summary = hit.conversation
        if args.json:
            write_json_line(out, {**_summary_json(summary), "snippet": hit.snippet})
        else:
            out.write(f"{summary.id[:SHORT_ID]}  {_when(summary.updated_at)}  {_line(summary)}\n")
            out.write(f"    {terminal_line(hit.snippet)}\n")


def _export(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    conversation = store.get(store.resolve_id(args.id))
    image = store.image_path(conversation)
    to_stdout = args.output is None or args.output == "-"
    if to_stdout and args.format == "html":
        from desktop_app.core.history.export_html import to_html

        png = image.read_bytes() if image is not None and image.exists() else None
        out.write(terminal_text(to_html(conversation, png)))  # standalone: the image is embedded
        return
    if to_stdout:
        # On stdout there is no folder to put files in: point at the stored image, and carry
        # the plots inside the document as data URLs.
        markdown = to_markdown(
            conversation, str(image) if image else None, inline_plot_refs(conversation)
        )
        out.write(terminal_text(markdown))
        return
    target = Path(args.output)
    if not target.parent.is_dir():
        raise UsageError(f"The folder {target.parent} does not exist.")
    try:
        if args.format == "html":
            from desktop_app.core.history.export_html import export_html

            written = [export_html(conversation, image, target)]
        else:
            written = export_markdown(conversation, image, target)
    except OSError as exc:  # the export's own folder: read-only, full, ...
        raise UsageError(f"Could not write {exc.filename or target} ({exc.strerror}).") from None
    if args.json:
        write_json_line(out, {"id": conversation.id, "files": [str(p) for p in written]})
    else:
        out.write("".join(f"{terminal_line(str(path))}\n" for path in written))


def _delete(store: HistoryStore, args: argparse.Namespace, out: TextIO) -> None:
    conv_id = store.resolve_id(args.id)
    store.delete(conv_id)
    if args.json:
        write_json_line(out, {"deleted": conv_id})
    else:
        out.write(f"Deleted {conv_id}.\n")


_COMMANDS = {
    "list": _list,
    "show": _show,
    "search": _search,
    "export": _export,
    "delete": _delete,
}


def _line(summary: ConversationSummary) -> str:
    """A title for one line of a listing: no escape codes, no line breaks."""
    return terminal_line(summary.title)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _summary_json(summary: ConversationSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "title": summary.title,
        "created_at": _iso(summary.created_at),
        "updated_at": _iso(summary.updated_at),
        "image_sha256": summary.image_sha256,
    }


def _turn_json(turn: Turn) -> dict[str, Any]:
    return {
        "position": turn.position,
        "question": turn.question,
        "answer": turn.answer,
        "final_answer": turn.final_answer,
        "check": turn.final_check,
        "reason": turn.final_reason,
        "details": dict(turn.details),
        "samples": [
            {
                "position": sample.position,
                "answer": sample.answer,
                "final_answer": sample.final_answer,
                "group": sample.group,
                "majority": sample.majority,
            }
            for sample in turn.samples
        ],
        "status": turn.status,
        "error": turn.error,
        "reader_model": turn.reader_model,
        "solver_model": turn.solver_model,
        "created_at": _iso(turn.created_at),
        "updated_at": _iso(turn.updated_at),
    }


def _conversation_json(conversation: Conversation, image: Path | None) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "title": conversation.title,
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
        "image_sha256": conversation.image_sha256,
        "image_path": str(image) if image else None,
        "transcript": conversation.transcript,
        "turns": [_turn_json(turn) for turn in conversation.turns],
    }

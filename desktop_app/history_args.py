"""The `qwen-math history` command line: its arguments only.

Apart from `history_cli` (which runs the commands) because every `qwen-math` builds the
parser, the window's start included, and the commands' modules (the export, json) are not
needed for that.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_history_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `history` and its commands to the `qwen-math` subparsers."""
    history: argparse.ArgumentParser = subparsers.add_parser(
        "history", help="list, show, search, export or delete saved conversations"
    )
    commands = history.add_subparsers(
        dest="history_command", metavar="COMMAND", required=True, parser_class=type(history)
    )
    listing = commands.add_parser("list", help="saved conversations, newest first")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    listing.add_argument("--offset", type=int, default=0, help="skip this many first")
    show = commands.add_parser("show", help="print one conversation as Markdown")
    show.add_argument("id", help="conversation id, or a unique prefix of at least 4 characters")
    search = commands.add_parser("search", help="conversations containing the text")
    search.add_argument("text", help="words or LaTeX to look for (all must occur)")
    search.add_argument("--limit", type=int, default=50)
    export = commands.add_parser("export", help="export one conversation")
    export.add_argument("id")
    export.add_argument("--format", choices=["md", "html"], default="md")
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write here (image beside it); default stdout"
    )
    delete = commands.add_parser("delete", help="delete one conversation and its image")
    delete.add_argument("id")
    for command in (listing, show, search, export, delete):
        command.add_argument(
            "--json",
            action="store_true",
            help="machine-readable: one JSON object per line (list, search), else one object",
        )
    return history

"""The CLI's `--json` output: one JSON object per line, flushed as it is written."""

from __future__ import annotations

import json
from typing import Any, TextIO


def write_json_line(out: TextIO, obj: dict[str, Any]) -> None:
    """Write `obj` as one line of JSON (non-ASCII kept as is) and flush it."""
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    out.flush()

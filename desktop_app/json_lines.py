"""The CLI's `--json` output: one JSON object per line, flushed as it is written."""

from __future__ import annotations

import json
import re
from typing import Any, TextIO

# json.dumps escapes C0 controls (ESC included) but, with ensure_ascii off, writes DEL, the
# C1 controls (some terminals take U+009B as CSI) and the Unicode line separators raw. Inside
# JSON they can only occur in strings, where \uXXXX is the same text: the output stays exact
# and a terminal showing it sees no control character.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029]")


def write_json_line(out: TextIO, obj: dict[str, Any]) -> None:
    """Write `obj` as one line of JSON (non-ASCII kept as is) and flush it."""
    line = json.dumps(obj, ensure_ascii=False)
    out.write(_RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", line) + "\n")
    out.flush()

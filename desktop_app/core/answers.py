"""Final answers: what a solution's answer is, and whether two answers mean the same.

Extraction is plain text work and runs here. Equivalence is math-verify's (with the few
rules this app keeps, see core/checking/equivalence.py) and runs in the checker process, so
SymPy is never loaded into the app and a pathological answer cannot hang it.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["extract_boxed", "final_answer", "is_equivalent", "last_code_output"]

EQUIVALENCE_TIMEOUT_S = 10.0
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_OUTPUT = re.compile(r"```output\n(.*?)\n?```", re.DOTALL)
# Between two boxed answers that form one set: only delimiters, commas, "and"/"or" and an
# assignment's left side ("x = \boxed{2}, y = \boxed{3}").
_JOINER = re.compile(
    r"(?:\s|\$|\\[()\[\]]|\\quad|\\qquad|\\text\{\s*(?:and|or|,)?\s*\}|,|;|\band\b|\bor\b"
    r"|\\(?:text|mathrm)\{\s*\}|[A-Za-z](?:_\{?\w+\}?)?\s*=)*"
)
_ASSIGNMENT = re.compile(r"([A-Za-z](?:_\{?\w+\}?)?)\s*=\s*(?:\$|\\\(|\\\[)?\s*$")
_MAX_JOIN_GAP = 60
log = logging.getLogger(__name__)


def extract_boxed(text: str) -> str | None:
    """The content of the last complete \\boxed{...} in `text`, or None."""
    boxes = _boxes(text)
    return boxes[-1][2] if boxes else None


def final_answer(solution: str) -> str | None:
    """The final answer as shown to the user, or None when the solution boxes none.

    Several boxed answers that end the solution together (`x = \\boxed{2}` and
    `x = \\boxed{3}`) form one answer, "x = 2, x = 3", which compares as a set.
    """
    boxes = _boxes(solution)
    if not boxes:
        return None
    group = [boxes[-1]]
    for box in reversed(boxes[:-1]):
        gap = solution[box[1] : group[0][0]]
        if len(gap) > _MAX_JOIN_GAP or not _JOINER.fullmatch(gap):
            break
        group.insert(0, box)
    if len(group) == 1:
        return group[0][2]
    parts = []
    for start, _end, content in group:
        assignment = _ASSIGNMENT.search(solution[max(0, start - 20) : start])
        if assignment and "=" not in content:
            content = f"{assignment.group(1)} = {content}"
        parts.append(content)
    return ", ".join(parts)


def is_equivalent(
    pred: str,
    ref: str,
    *,
    timeout: float = EQUIVALENCE_TIMEOUT_S,
    cancel: threading.Event | None = None,
) -> bool:
    """Whether two answers mean the same (math-verify, in the checker process).

    False when the comparison fails or runs past `timeout` seconds: an equivalence that
    cannot be shown is not claimed.
    """
    from desktop_app.core.check_worker import CheckError, run_check

    try:
        return bool(run_check("equivalent", pred, ref, timeout=timeout, cancel=cancel))
    except CheckError as exc:
        log.debug("equivalence not decided: %s", exc)
        return False


def last_code_output(solution: str) -> str | None:
    """The text of the last ```output block in a TIR solution, or None."""
    outputs = _OUTPUT.findall(solution)
    return outputs[-1] if outputs else None


def _boxes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of every complete \\boxed{...}, in order."""
    found: list[tuple[int, int, str]] = []
    for match in _BOXED.finditer(text):
        if found and match.start() < found[-1][1]:
            continue  # a box inside the previous one is part of it
        end = _closing_brace(text, match.end())
        if end is not None:
            found.append((match.start(), end + 1, text[match.end() : end].strip()))
    return found


def _closing_brace(text: str, start: int) -> int | None:
    """The index of the brace that closes the one just before `start`."""
    depth = 1
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # an escaped brace (\{ or \}) does not count
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None

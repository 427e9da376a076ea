"""How an answer's checks read in plain English: the CLI's text output and the exports.

The window says the same in the UI language (ui/answer/checks.py); these are the words of
files and terminals, which stay English like the rest of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["CHECK_WORDS", "check_line", "step_counts", "step_line", "steps_line", "wrong_steps"]

CHECK_WORDS = {
    "verified": "Verified by SymPy",
    "contradicted": "Contradicted",
    "unchecked": "Not checked",
}


def check_line(check: str, reason: str) -> str:
    """'Verified by SymPy: x = 2 solves x + 1 = 3.' (or just the words when there is no reason)."""
    words = CHECK_WORDS.get(check, CHECK_WORDS["unchecked"])
    reason = reason.strip()
    return f"{words}: {reason}" if reason else f"{words}."


def step_counts(verdicts: Iterable[str]) -> tuple[int, int]:
    """(steps checked, of which wrong)."""
    verdicts = list(verdicts)
    return len(verdicts), verdicts.count("wrong")


def steps_line(checked: int, wrong: int) -> str:
    """'Steps: 12 checked, 1 wrong'."""
    return f"Steps: {checked} checked, {wrong or 'none'} wrong"


def step_line(before: str, after: str) -> str:
    """One step as its two sides: '2x + 3 = 11 -> 2x = 14'."""
    return f"{before.strip()} -> {after.strip()}"


def wrong_steps(steps: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The saved steps (dicts with before, after, verdict, reason) judged wrong, in order."""
    return [s for s in steps if isinstance(s, Mapping) and s.get("verdict") == "wrong"]

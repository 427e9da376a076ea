"""A check's outcome inside the checker: verified, contradicted or unchecked, and why."""

from __future__ import annotations

from typing import NamedTuple


class Outcome(NamedTuple):
    """What a check found; `reason` is one sentence for the user."""

    check: str  # "verified" | "contradicted" | "unchecked"
    reason: str


def verified(reason: str) -> Outcome:
    """The answer was confirmed by independent work."""
    return Outcome("verified", reason)


def contradicted(reason: str) -> Outcome:
    """Independent work shows the answer is wrong."""
    return Outcome("contradicted", reason)


def unchecked(reason: str) -> Outcome:
    """The check could not settle it either way."""
    return Outcome("unchecked", reason)

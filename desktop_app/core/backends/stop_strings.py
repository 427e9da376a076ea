"""Stop strings enforced on a stream of text deltas, for APIs that may not honour them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


def cut_at_stop(deltas: Iterator[str], stop: Sequence[str]) -> Iterator[str]:
    """Pass deltas through, ending before the first stop string; hold back a possible prefix."""
    if not stop:
        yield from deltas
        return
    held = ""
    longest = max(len(s) for s in stop)
    for delta in deltas:
        held += delta
        hits = [i for i in (held.find(s) for s in stop) if i >= 0]
        if hits:
            if held[: min(hits)]:
                yield held[: min(hits)]
            return
        keep = _prefix_overlap(held, stop, longest)
        if len(held) > keep:
            yield held[: len(held) - keep]
            held = held[len(held) - keep :]
    if held:
        yield held


def _prefix_overlap(text: str, stop: Sequence[str], longest: int) -> int:
    """How many trailing characters of `text` could start a stop string."""
    for size in range(min(len(text), longest - 1), 0, -1):
        if any(s.startswith(text[-size:]) for s in stop):
            return size
    return 0

"""Stop strings enforced on a stream of text deltas, for backends that may not honour them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence


class StopScanner:
    """Cuts streamed text before the first stop string, holding back a possible partial match.

    Empty stop strings are ignored: they would match before the first character.
    """

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [s for s in stops if s]
        self._held = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        """The part of `text` that is certainly before any stop string."""
        if self.stopped:
            return ""
        buffer = self._held + text
        hits = [i for i in (buffer.find(s) for s in self._stops) if i >= 0]
        if hits:
            self.stopped = True
            self._held = ""
            return buffer[: min(hits)]
        keep = max(
            (n for s in self._stops for n in range(1, len(s)) if buffer.endswith(s[:n])),
            default=0,
        )
        self._held = buffer[len(buffer) - keep :]
        return buffer[: len(buffer) - keep]

    def finish(self) -> str:
        """What was held back, once the text ended without a stop string."""
        held, self._held = self._held, ""
        return "" if self.stopped else held


def cut_at_stop(deltas: Iterator[str], stop: Sequence[str]) -> Iterator[str]:
    """Pass deltas through, ending before the first stop string; hold back a possible prefix."""
    scanner = StopScanner(stop)
    for delta in deltas:
        safe = scanner.feed(delta)
        if safe:
            yield safe
        if scanner.stopped:
            return
    tail = scanner.finish()
    if tail:
        yield tail

"""Retrying a streamed call before its first token: backoff, Retry-After, cancel."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from desktop_app.core.backends.base import RetryNotice
from desktop_app.core.errors import BackendError, raise_if_cancelled


class RetryLater(Exception):
    """A failure before the first token that deserves another try; `final` if none is left."""

    def __init__(self, reason: str, final: BackendError, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.final, self.retry_after = reason, final, retry_after


@dataclass
class RetryPolicy:
    """Exponential backoff honouring Retry-After; `sleep` replaces the wait in tests."""

    max_retries: int = 3
    base_delay: float = 1.0
    max_delay: float = 30.0
    on_retry: RetryNotice | None = None
    sleep: Callable[[float], None] | None = None

    def stream(
        self, attempt: Callable[[], Iterator[str]], cancel: threading.Event
    ) -> Iterator[str]:
        """Yield from `attempt()`, calling it again while it raises RetryLater (before output).

        Once text has been yielded an attempt must not raise RetryLater: a retry would repeat
        the text the user has already seen.
        """
        tries = 0
        while True:
            raise_if_cancelled(cancel)
            try:
                yield from attempt()
                return
            except RetryLater as retry:
                backoff = min(self.max_delay, self.base_delay * 2**tries)
                delay = backoff if retry.retry_after is None else retry.retry_after
                # A server asking for a longer wait than we would block for is a failure now.
                if tries >= self.max_retries or delay > self.max_delay:
                    raise retry.final from None
                tries += 1
                if self.on_retry is not None:
                    self.on_retry(tries, delay, retry.reason)
                self._wait(delay, cancel)

    def _wait(self, delay: float, cancel: threading.Event) -> None:
        """Back off; the default wait ends at once when the user cancels."""
        if self.sleep is not None:
            self.sleep(delay)
        else:
            cancel.wait(delay)
        raise_if_cancelled(cancel)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds asked for by a Retry-After header (seconds or an HTTP date), if any."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

"""Runs `generate` on a thread and streams its text: cancellable, bounded waits, errors surfaced."""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from desktop_app.core.backends.local.coalescing import coalescing_streamer
from desktop_app.core.backends.local.loading import import_lib, short
from desktop_app.core.backends.stop_strings import StopScanner
from desktop_app.core.errors import BackendError, StreamInterrupted, raise_if_cancelled

POLL_S = 0.05  # the streamer's queue timeout: how often the reader checks cancel and liveness
JOIN_S = 5.0  # how long to wait for generate to notice a stop before giving the thread up


class LockTicket:
    """The generation lock, released exactly once: by the generate thread once it started."""

    def __init__(self, lock: threading.Lock, on_release: Callable[[], None]) -> None:
        self._lock = lock
        self._on_release = on_release
        self._released = False
        self._guard = threading.Lock()
        self.handed_to_thread = False

    def release(self) -> None:
        """Free the lock (idempotent) and tell the owner, which arms its idle-unload timer."""
        with self._guard:
            if self._released:
                return
            self._released = True
        self._lock.release()
        self._on_release()


@functools.cache
def _stop_on_events_class() -> Any:
    """A StoppingCriteria that ends generate as soon as any of its events is set."""
    base: Any = import_lib("transformers").StoppingCriteria
    torch = import_lib("torch")

    class StopOnEvents(base):  # type: ignore[misc]
        def __init__(self, *events: threading.Event) -> None:
            self.events = events

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            stop = any(event.is_set() for event in self.events)
            return torch.full(
                (input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device
            )

    return StopOnEvents


def stream_generation(
    model: Any,
    tokenizer: Any,
    inputs: dict[str, Any],
    cancel: threading.Event,
    ticket: LockTicket,
    *,
    stop: Sequence[str] = (),
    timeout: float,
    deadline: float | None = None,
) -> Iterator[str]:
    """Yield new text from `model.generate(**inputs)` run on its own thread.

    `timeout`: the most seconds without new text; `deadline`: the most for the whole reply.
    """
    transformers = import_lib("transformers")
    torch = import_lib("torch")
    abort = threading.Event()  # set when we stop reading: timeout, stop string, consumer gone
    streamer = coalescing_streamer(tokenizer, timeout=POLL_S)
    criteria = transformers.StoppingCriteriaList([_stop_on_events_class()(cancel, abort)])
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with torch.inference_mode():
                model.generate(**inputs, streamer=streamer, stopping_criteria=criteria)
        except BaseException as exc:
            failures.append(exc)
            streamer.end()  # wake the reader now rather than after the silence timeout
        finally:
            ticket.release()

    thread = threading.Thread(target=run, name="local-generate", daemon=True)
    scanner = StopScanner(stop)
    last_text = started = time.monotonic()
    shown = False
    ticket.handed_to_thread = True
    thread.start()
    try:
        while not cancel.is_set():
            try:
                text = next(streamer)
            except StopIteration:
                break
            except queue.Empty:
                if not thread.is_alive() and streamer.text_queue.empty():
                    break  # ended without its stop signal (should not happen, never hang)
                if time.monotonic() - last_text > timeout:
                    raise BackendError(
                        f"The local model produced no text for {timeout:g} seconds, so it was "
                        "stopped."
                    ) from None
                _check_deadline(started, deadline, shown)
                continue
            last_text = time.monotonic()
            _check_deadline(started, deadline, shown)
            safe = scanner.feed(text)
            if safe:
                shown = True
                yield safe
            if scanner.stopped:
                break
        raise_if_cancelled(cancel)
        if failures:
            raise generation_error(failures[0]) from failures[0]
        tail = scanner.finish()
        if tail:
            yield tail
    finally:
        abort.set()
        thread.join(JOIN_S)


def _check_deadline(started: float, deadline: float | None, shown: bool) -> None:
    """BackendError once the reply has run past `deadline` seconds (None: no deadline)."""
    if deadline is None or time.monotonic() - started <= deadline:
        return
    what = (
        f"The local model was still answering after {deadline:g} seconds "
        "([network] answer_deadline_seconds), so it was stopped"
    )
    if shown:
        raise StreamInterrupted(f"{what}; the partial answer was kept.")
    raise BackendError(f"{what}.")


def generation_error(exc: BaseException) -> BackendError:
    """The sentence for a failed `generate`: out of memory, or what went wrong."""
    if type(exc).__name__ == "OutOfMemoryError":
        return BackendError(
            "The GPU ran out of memory while generating; choose a smaller model or a shorter "
            "problem."
        )
    return BackendError(
        f"The local model failed while generating ({type(exc).__name__}: {short(exc)})."
    )

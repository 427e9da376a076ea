"""Several sampled replies from one `generate` call (num_return_sequences): self-consistency.

The prompt is encoded once and the N sequences decode side by side, so on a GPU N samples
cost little more than one. Transformers' streamers take one sequence only, so nothing is
streamed: a stopping criterion, called after every step, counts the sequences that have
ended (their last token is a stop token) and reports it, stops all of them on cancel, and
stops the batch at the answer deadline.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence
from typing import Any

from desktop_app.core.backends.base import FinishedCount
from desktop_app.core.backends.local.loading import import_lib
from desktop_app.core.backends.local.streaming import generation_error
from desktop_app.core.errors import AppError, BackendError, raise_if_cancelled


@functools.cache
def _watch_class() -> Any:
    """A StoppingCriteria that counts ended rows and stops all on cancel or at the deadline."""
    base: Any = import_lib("transformers").StoppingCriteria
    torch = import_lib("torch")

    class BatchWatch(base):  # type: ignore[misc]
        def __init__(
            self,
            cancel: threading.Event,
            stop_ids: Sequence[int],
            deadline: float | None,
            on_finished: FinishedCount | None,
        ) -> None:
            self.cancel, self.deadline, self.on_finished = cancel, deadline, on_finished
            self.stop_ids = list(stop_ids)
            self.started = time.monotonic()
            self.ended: Any = None  # one flag per row, sticky: after its stop token, padding
            self.reported = 0
            self.expired = False

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            last = input_ids[:, -1]
            ended = torch.isin(last, torch.tensor(self.stop_ids, device=last.device))
            self.ended = ended if self.ended is None else self.ended | ended
            count = int(self.ended.sum())
            if count > self.reported and self.on_finished is not None:
                self.reported = count
                self.on_finished(count)
            if self.deadline is not None and time.monotonic() - self.started > self.deadline:
                self.expired = True
            stop = self.cancel.is_set() or self.expired
            return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=last.device)

    return BatchWatch


def generate_batch(
    model: Any,
    tokenizer: Any,
    inputs: dict[str, Any],
    n: int,
    cancel: threading.Event,
    *,
    stop_ids: Sequence[int],
    deadline: float | None = None,
    on_finished: FinishedCount | None = None,
) -> list[str | AppError]:
    """`n` sampled replies to one prompt from a single `generate` call, on this thread.

    Each is its text, or the error that kept it from finishing (the deadline); a cancel
    raises Cancelled, and a failed `generate` one BackendError for all.
    """
    transformers = import_lib("transformers")
    torch = import_lib("torch")
    watch = _watch_class()(cancel, stop_ids, deadline, on_finished)
    criteria = transformers.StoppingCriteriaList([watch])
    prompt_tokens = int(inputs["input_ids"].shape[-1])
    try:
        with torch.inference_mode():
            output = model.generate(**inputs, num_return_sequences=n, stopping_criteria=criteria)
    except Exception as exc:
        raise generation_error(exc) from exc
    raise_if_cancelled(cancel)
    rows = output.sequences if hasattr(output, "sequences") else output
    texts = tokenizer.batch_decode(rows[:, prompt_tokens:], skip_special_tokens=True)
    results: list[str | AppError] = []
    for row, text in enumerate(texts):
        ended = watch.ended is not None and bool(watch.ended[row])
        if watch.expired and not ended:
            results.append(
                BackendError(
                    f"The local model was still answering after {deadline:g} seconds "
                    "([network] answer_deadline_seconds), so the sample was stopped."
                )
            )
        else:
            results.append(str(text))
    if on_finished is not None:
        on_finished(sum(isinstance(r, str) for r in results))
    return results

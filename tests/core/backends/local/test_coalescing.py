"""The local backend's streamer: the same text as Transformers' own, in fewer, larger pieces."""

from __future__ import annotations

import queue
from typing import Any

import pytest

pytest.importorskip("torch", reason="the local backend's tests need the 'local' extra")
pytest.importorskip("transformers", reason="the local backend's tests need the 'local' extra")

import torch
from transformers import TextIteratorStreamer

from desktop_app.core.backends.local import coalescing
from desktop_app.core.backends.local.coalescing import FLUSH_S, coalescing_streamer
from tests.fakes.tiny_models import build_tokenizer

TEXT = "We have x + 1 = 3, so x = 2.\nThe answer is \\boxed{2}.\nDone"


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return build_tokenizer()


def pieces(streamer: Any) -> list[str]:
    """Everything the streamer queued, up to its end signal."""
    out = []
    while True:
        try:
            out.append(next(streamer))
        except StopIteration:
            return out
        except queue.Empty:
            raise AssertionError("the streamer never signalled its end") from None


def feed(streamer: Any, ids: list[int], clock: list[float], step: float) -> None:
    """What generate does: the prompt first, then one token at a time, then end()."""
    streamer.put(torch.tensor([[1, 2, 3]]))
    for token in ids:
        streamer.put(torch.tensor([token]))
        clock[0] += step
    streamer.end()


def test_same_text_in_fewer_pieces(tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN tokens arriving faster than FLUSH_S WHEN streamed THEN the joined text is what
    Transformers' streamer gives, the first token comes out at once, and there are far fewer
    pieces, none empty."""
    clock = [100.0]
    monkeypatch.setattr(coalescing.time, "monotonic", lambda: clock[0])
    ids = tokenizer.encode(TEXT, add_special_tokens=False)
    theirs = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=1)
    ours = coalescing_streamer(tokenizer, timeout=1)
    feed(theirs, ids, clock, FLUSH_S / 10)
    feed(ours, ids, clock, FLUSH_S / 10)
    expected, got = pieces(theirs), pieces(ours)
    assert "".join(got) == "".join(expected) == tokenizer.decode(ids)
    assert got[0] == tokenizer.decode(ids[:1])  # the first token is not held back
    assert all(got)
    assert len(got) <= 2 + len(ids) // 10 < len(expected)


def test_slow_tokens_are_each_handed_over(tokenizer: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN tokens slower than FLUSH_S WHEN streamed THEN each one's text goes out when it
    arrives, as with Transformers' streamer."""
    clock = [100.0]
    monkeypatch.setattr(coalescing.time, "monotonic", lambda: clock[0])
    ids = tokenizer.encode(TEXT, add_special_tokens=False)
    theirs = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=1)
    ours = coalescing_streamer(tokenizer, timeout=1)
    feed(theirs, ids, clock, FLUSH_S * 2)
    feed(ours, ids, clock, FLUSH_S * 2)
    assert pieces(ours) == [p for p in pieces(theirs) if p]

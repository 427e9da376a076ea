"""The stream guards: lines split once each and capped, bytes passed on unchanged, hosts only."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from desktop_app.core.backends.sse_guard import (
    OversizedEvent,
    cap_lines,
    content_type,
    redirect_target,
    size_text,
    split_lines,
)

EVENTS = b"id:1\nevent:result\n:HTTP_STATUS/200\ndata:{}\n\nid:2\r\ndata:{}\r\n\r\n:c\rdata:x"


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 512, 10_000])
def test_split_lines_matches_splitlines_whatever_the_chunking(size: int) -> None:
    """GIVEN an SSE body cut anywhere (a CRLF split too) THEN the same non-empty lines come out
    as from the whole body, in order."""
    lines = [line for line in split_lines(pieces(EVENTS, size)) if line]
    assert lines == [line for line in EVENTS.splitlines() if line]


def test_split_lines_refuses_a_line_over_the_limit_as_it_grows() -> None:
    """GIVEN a line that never ends THEN OversizedEvent once the limit is crossed, after
    reading no more than one chunk past it."""
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        while True:
            read += 512
            yield b"x" * 512

    with pytest.raises(OversizedEvent) as info:
        for _ in split_lines(endless(), limit=64 * 1024):
            pass
    assert info.value.limit == 64 * 1024
    assert read <= 64 * 1024 + 512


def test_split_lines_is_linear_in_a_long_line() -> None:
    """GIVEN a 4 MB line in 512-byte reads (the SDK's way, quadratic there: about 18 s) THEN it
    is split in a small fraction of a second."""
    started = time.perf_counter()
    (line,) = split_lines(pieces(b"y" * 4 * 2**20 + b"\n", 512), limit=8 * 2**20)
    assert len(line) == 4 * 2**20
    assert time.perf_counter() - started < 1.0


def test_cap_lines_passes_bytes_on_unchanged() -> None:
    """GIVEN a body under the cap THEN the very same chunks come out (compressed or not)."""
    chunks = pieces(EVENTS, 5)
    assert list(cap_lines(chunks, limit=64)) == chunks


@pytest.mark.parametrize("size", [1, 100, 5000])
def test_cap_lines_counts_one_line_across_chunks(size: int) -> None:
    """GIVEN short lines and then one over the cap, however chunked THEN OversizedEvent."""
    body = b"data:short\n" * 50 + b"data:" + b"z" * 2000 + b"\n"
    with pytest.raises(OversizedEvent):
        list(cap_lines(pieces(body, size), limit=1000))
    assert b"".join(cap_lines(pieces(body, size), limit=3000)) == body


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("https://user:secret@portal.example:8443/signin?token=abc", "portal.example:8443"),
        ("http://192.168.1.1/login", "192.168.1.1"),
        ("/v1/elsewhere", "api.example"),
        (None, "api.example"),
    ],
)
def test_redirect_target_names_the_host_only(location: str | None, expected: str) -> None:
    """GIVEN a Location header THEN only its host (and port) is named; relative: ours."""
    assert redirect_target(location, "https://api.example/v1") == expected


def test_content_type_and_sizes_read_as_people_write_them() -> None:
    """GIVEN header values and byte counts THEN the media type alone, and sizes in words."""
    assert content_type({"content-type": "Text/HTML; charset=utf-8"}) == "text/html"
    assert content_type({}) == ""
    assert (size_text(2**20), size_text(64 * 2**10), size_text(10)) == ("1 MB", "64 KB", "10 bytes")

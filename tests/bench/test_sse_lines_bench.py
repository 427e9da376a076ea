"""Benchmark: splitting one long SSE line, our linear splitter against requests' iter_lines.

The dashscope SDK reads its stream with `requests.Response.iter_lines()` (512-byte reads),
which copies the unfinished line again on every read: quadratic in the line's length. The
app hands the SDK `split_lines` instead (docs/adr/015-hostile-servers.md).
"""

from __future__ import annotations

import io
import time

import pytest
import requests

from desktop_app.core.backends.sse_guard import READ_BYTES, split_lines

LINE_BYTES = 2 * 2**20  # 4 MB took about 18 s through iter_lines; 2 MB keeps the run short


def _response(body: bytes) -> requests.Response:
    response = requests.Response()
    response.raw = io.BytesIO(body)
    response.status_code = 200
    return response


@pytest.mark.bench
def test_split_lines_is_linear_where_iter_lines_is_quadratic() -> None:
    """GIVEN one 2 MB line read 512 bytes at a time THEN split_lines is many times faster."""
    body = b"data:" + b"x" * LINE_BYTES + b"\n\n"

    started = time.perf_counter()
    theirs = [line for line in _response(body).iter_lines() if line]
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    chunks = _response(body).iter_content(READ_BYTES)
    ours = [line for line in split_lines(chunks, 2 * LINE_BYTES) if line]
    ours_s = time.perf_counter() - started

    assert ours == theirs
    print(
        f"\n2 MB line: requests iter_lines {baseline:.2f} s, split_lines {ours_s * 1000:.1f} ms, "
        f"ratio {baseline / ours_s:.0f}x"
    )
    assert ours_s * 10 < baseline

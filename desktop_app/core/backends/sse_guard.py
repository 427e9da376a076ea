"""Guards on a server's event stream: one event's size is capped, and lines split in linear time.

A hostile or broken server (a proxy, a captive portal, a misconfigured gateway) can send one
event of many megabytes. The dashscope SDK splits the stream with `requests`' `iter_lines`,
which copies the unfinished line again for every 512-byte read: a 4 MB line costs about 18 s
of CPU before the SDK even sees it. No answer needs a line of more than a few kilobytes, so
past MAX_EVENT_BYTES the stream is refused at once. See docs/adr/015-hostile-servers.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from desktop_app.core.errors import BackendError

MAX_EVENT_BYTES = 2**20  # one server-sent event line; a real delta is a few hundred bytes
READ_BYTES = 512  # what the SDK reads at a time: events reach the caller as soon as they arrive
_LINE_END = re.compile(rb"\r\n|\r|\n")


class OversizedEvent(Exception):
    """The server sent one event larger than the limit (`limit` bytes)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an event larger than {limit} bytes")
        self.limit = limit


def split_lines(chunks: Iterable[bytes], limit: int = MAX_EVENT_BYTES) -> Iterator[bytes]:
    """The lines of a byte stream (CR, LF or CRLF ends), each copied once; OversizedEvent past
    `limit` bytes in one line, raised as soon as the limit is crossed."""
    pending = bytearray()
    for chunk in chunks:
        start = 0
        for end in _LINE_END.finditer(chunk):
            pending += chunk[start : end.start()]
            if len(pending) > limit:
                raise OversizedEvent(limit)
            yield bytes(pending)
            pending.clear()
            start = end.end()
        pending += chunk[start:]
        if len(pending) > limit:
            raise OversizedEvent(limit)
    if pending:
        yield bytes(pending)


def cap_lines(chunks: Iterable[bytes], limit: int = MAX_EVENT_BYTES) -> Iterator[bytes]:
    """The chunks unchanged; OversizedEvent once more than `limit` bytes arrive in one line."""
    line = 0  # bytes of the unfinished line so far
    for chunk in chunks:
        start = 0
        for end in _LINE_END.finditer(chunk):
            if line + end.start() - start > limit:
                raise OversizedEvent(limit)
            line, start = 0, end.end()
        line += len(chunk) - start
        if line > limit:
            raise OversizedEvent(limit)
        yield chunk


PORTAL_HINT = "a Wi-Fi login page or a proxy may be in the way"


def not_like(host: str, service: str, kind: str) -> BackendError:
    """The error for a reply that is not `service`'s protocol: `kind` is what it sent."""
    sent = f"it sent {kind}" if kind else "it sent no content type"
    return BackendError(
        f"The server at {host} did not answer like {service} ({sent}); {PORTAL_HINT}."
    )


def size_text(limit: int) -> str:
    """`limit` bytes as a person reads it: "1 MB", "64 KB"."""
    if limit >= 2**20:
        return f"{limit / 2**20:g} MB"
    return f"{limit / 2**10:g} KB" if limit >= 2**10 else f"{limit} bytes"


def redirect_target(location: str | None, base_url: str) -> str:
    """The host (and port) a redirect points at, never a path or credentials; relative
    Locations point back at `base_url`'s host."""
    parts = urlsplit(location or "")
    if not parts.hostname:
        parts = urlsplit(base_url)
    host = parts.hostname or "an unknown address"
    return f"{host}:{parts.port}" if parts.port else host


def content_type(headers: object) -> str:
    """The media type of a reply ("text/html"), without parameters; "" when absent."""
    get = getattr(headers, "get", None)
    value = str(get("content-type") or "") if get is not None else ""
    return value.split(";", 1)[0].strip().lower()

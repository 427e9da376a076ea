"""Servers that misbehave: the real `dashscope` and `openai` SDKs against fakes that send an
HTML page, a redirect, keep-alives forever, an endless trickle or one giant event.

Every case runs against both cloud backends (one table, two services); each must end with one
clear sentence (exit 5), quickly, and keep whatever answer text already arrived.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from desktop_app.core.backends.cancel_watch import StreamLimits
from desktop_app.core.backends.dashscope_cloud import DashScopeBackend
from desktop_app.core.backends.openai_compatible import OpenAICompatibleBackend
from desktop_app.core.errors import BackendError, StreamInterrupted
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.openai_server import FakeOpenAI
from tests.threads import wait_threads_gone

KEY = "sk-hostile-test-4b1e77"
QUESTION = [{"role": "user", "content": "What is 2 + 2?"}]
PORTAL = "<!DOCTYPE html><html><head><title>Hotel Wi-Fi</title></head><body>Log in</body></html>"
# Generous: two shared cores, several test runs at once. The SDK's own line splitting needs
# about 18 s for a 4 MB line, so these still tell a capped stream from an uncapped one.
FAST_S = 5.0


@dataclass
class Service:
    """One cloud backend and its fake server, behind the same few calls."""

    name: str
    fake: Any
    make: Callable[..., Any]
    unlike: str  # how the error says the server is not what it should be
    chat_requests: Callable[[], list[Any]]

    def backend(self, **options: Any) -> Any:
        """A backend on the fake, with no backoff waits."""
        return self.make(sleep=lambda delay: None, **options)


@pytest.fixture(autouse=True)
def no_thread_leaks() -> Iterator[None]:
    """Every test leaves the same threads running as it found (watchers, connections)."""
    before = set(threading.enumerate())
    yield
    assert wait_threads_gone(lambda: set(threading.enumerate()) - before) == set()


@pytest.fixture(params=["dashscope", "openai"])
def service(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    """Each test runs once against DashScope and once against an OpenAI-compatible server."""
    if request.param == "dashscope":
        with FakeDashScope(api_key=KEY) as fake:
            monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)

            def make_dashscope(**options: Any) -> DashScopeBackend:
                return DashScopeBackend(api_key=KEY, **options)

            yield Service(
                "DashScope",
                fake,
                make_dashscope,
                "did not answer like DashScope",
                lambda: fake.requests,
            )
        return
    with FakeOpenAI(api_key=KEY) as fake:
        made: list[OpenAICompatibleBackend] = []

        def make_openai(**options: Any) -> OpenAICompatibleBackend:
            backend = OpenAICompatibleBackend(
                base_url=fake.base_url, solver_model="qwen2.5-math", api_key=KEY, **options
            )
            made.append(backend)
            return backend

        yield Service(
            "OpenAI-compatible",
            fake,
            make_openai,
            "did not answer like an OpenAI-compatible API",
            fake.chat_requests,
        )
        for backend in made:
            backend.close()


def solve(backend: Any) -> tuple[list[str], BaseException | None, float]:
    """The deltas received, the exception the stream ended with (if any), and the seconds."""
    deltas: list[str] = []
    started = time.monotonic()
    try:
        for delta in backend.solve(QUESTION, threading.Event()):
            deltas.append(delta)
    except Exception as exc:
        return deltas, exc, time.monotonic() - started
    return deltas, None, time.monotonic() - started


def assert_sentence(error: BaseException | None, kind: type[Exception], fragment: str) -> str:
    """`error` is a `kind` (exit 5) whose one-line sentence contains `fragment`."""
    assert isinstance(error, kind), repr(error)
    assert isinstance(error, BackendError)
    message = str(error)
    assert fragment in message, message
    assert error.exit_code == 5
    assert "\n" not in message
    assert message.endswith(".")
    assert KEY not in message
    return message


# -- a page that is not the service -------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", "text/event-stream", "application/json"]
)
def test_a_200_html_page_is_not_an_empty_answer(service: Service, content_type: str) -> None:
    """GIVEN a captive portal's login page sent with 200 WHEN solving THEN exit 5 says the server
    did not answer like the service (never an empty, complete answer), and it is not retried."""
    service.fake.script_raw(200, PORTAL, headers={"Content-Type": content_type})
    deltas, error, _ = solve(service.backend())
    assert deltas == []
    message = assert_sentence(error, BackendError, service.unlike)
    assert "Wi-Fi login page or a proxy" in message
    assert len(service.chat_requests()) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_with_its_host_only(service: Service, status: int) -> None:
    """GIVEN a redirect to a portal WHEN solving THEN exit 5 says where it was redirected (host
    and port only: no path, query or credentials), instead of following it with a GET."""
    location = "https://user:pw@portal.example:8443/signin?next=/api&token=abc"
    service.fake.script_raw(status, "", headers={"Location": location})
    deltas, error, _ = solve(service.backend())
    assert deltas == []
    message = assert_sentence(error, BackendError, "was redirected to portal.example:8443")
    for private in ("signin", "token", "user", "pw@", "/api"):
        assert private not in message
    assert len(service.chat_requests()) == 1


# -- streams that never end ---------------------------------------------------------------------


@pytest.mark.parametrize("beat", ["comment", "empty"])
def test_keep_alives_forever_end_at_the_no_progress_limit(service: Service, beat: str) -> None:
    """GIVEN a stream that sends keep-alive comments (or events with no text) forever WHEN
    solving THEN it ends after the no-progress limit with one sentence."""
    service.fake.script_stall(beat=beat)
    backend = service.backend(limits=StreamLimits(no_progress_s=0.6, deadline_s=60))
    deltas, error, seconds = solve(backend)
    assert deltas == []
    assert_sentence(error, BackendError, "sent no new text for 0.6 seconds")
    assert 0.5 < seconds < 0.6 + FAST_S


def test_a_stall_after_some_text_keeps_that_text(service: Service) -> None:
    """GIVEN a stream that stalls after two pieces THEN they arrived, and the error says the
    partial answer was kept."""
    service.fake.script_stall(["The answer ", "is "])
    backend = service.backend(limits=StreamLimits(no_progress_s=0.6, deadline_s=60))
    deltas, error, _ = solve(backend)
    assert "".join(deltas) == "The answer is "
    assert_sentence(error, StreamInterrupted, "the partial answer was kept")


def test_an_endless_trickle_ends_at_the_deadline(service: Service) -> None:
    """GIVEN a stream that keeps sending text and never finishes THEN it ends at the answer
    deadline, the text so far kept."""
    service.fake.script_text(chunks=["x"] * 100_000, delay=0.02)
    backend = service.backend(limits=StreamLimits(no_progress_s=30, deadline_s=1.0))
    deltas, error, seconds = solve(backend)
    assert deltas
    assert_sentence(error, StreamInterrupted, "still answering after 1 seconds")
    assert seconds < 1.0 + FAST_S


def test_the_limits_leave_a_normal_answer_alone(service: Service) -> None:
    """GIVEN tight limits and a normal, prompt answer THEN it arrives whole."""
    service.fake.script_text("So $x = 2$, and $\\boxed{2}$.")
    backend = service.backend(limits=StreamLimits(no_progress_s=2, deadline_s=10))
    deltas, error, _ = solve(backend)
    assert error is None
    assert "".join(deltas) == "So $x = 2$, and $\\boxed{2}$."


# -- one giant event ----------------------------------------------------------------------------


@pytest.mark.parametrize("megabytes", [4, 20])
def test_one_giant_event_is_refused_quickly(service: Service, megabytes: int) -> None:
    """GIVEN one delta of many megabytes (quadratic for the SDK's own line splitting: about 18 s
    for 4 MB) THEN exit 5 past the 1 MB cap, in well under the time the SDK would take."""
    service.fake.script_text(chunks=["x" * (megabytes * 2**20)])
    deltas, error, seconds = solve(service.backend())
    assert deltas == []
    assert_sentence(error, BackendError, "sent one event larger than 1 MB")
    assert seconds < FAST_S, f"took {seconds:.1f} s"


def test_a_giant_event_after_some_text_keeps_that_text(service: Service) -> None:
    """GIVEN a normal piece, then a giant one THEN the first arrived and is kept."""
    service.fake.script_text(chunks=["First ", "y" * (2 * 2**20)])
    deltas, error, _ = solve(service.backend())
    assert deltas == ["First "]
    assert_sentence(error, StreamInterrupted, "the partial answer was kept")


def test_a_large_event_under_the_cap_is_accepted(service: Service) -> None:
    """GIVEN one delta of 300 KB (unusual, but under the cap) THEN it arrives whole."""
    text = "z" * 300_000
    service.fake.script_text(chunks=[text])
    deltas, error, _ = solve(service.backend())
    assert error is None
    assert "".join(deltas) == text

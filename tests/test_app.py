"""The GUI's process-wide switches: web engine flags and the C heap's arenas."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from desktop_app import app

GC, ONE = app.PAGE_GC_FLAG, app.ONE_PROCESS_FLAG


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", [GC, ONE]),
        ("--no-sandbox", ["--no-sandbox", GC, ONE]),
        (f"--no-sandbox {GC} {ONE}", ["--no-sandbox", GC, ONE]),
        ("--js-flags=--max-old-space-size=64", ["--js-flags=--max-old-space-size=64", ONE]),
    ],
)
def test_web_engine_flags_serve_the_answer_pages(
    monkeypatch: pytest.MonkeyPatch, before: str, after: list[str]
) -> None:
    """GIVEN the Chromium flags a user (or CI) set WHEN the GUI prepares its environment
    THEN the answer page may collect garbage and all answer pages share one renderer process;
    a user's own V8 flags are kept as they are, and preparing twice changes nothing more."""
    monkeypatch.setenv(app.CHROMIUM_FLAGS, before)
    monkeypatch.setattr(app.os, "geteuid", lambda: 1000)  # not root: no sandbox switch
    app.prepare_environment()
    app.prepare_environment()
    assert app.os.environ[app.CHROMIUM_FLAGS].split() == after


def test_running_as_root_turns_chromiums_sandbox_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN root WHEN the GUI prepares its environment THEN Chromium runs without its sandbox
    (it refuses to start with it as root)."""
    monkeypatch.setenv(app.CHROMIUM_FLAGS, "")
    monkeypatch.setattr(app.os, "geteuid", lambda: 0)
    app.prepare_environment()
    assert "--no-sandbox" in app.os.environ[app.CHROMIUM_FLAGS].split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's arenas")
def test_malloc_arenas_are_capped_for_threads_started_later() -> None:
    """GIVEN a fresh process on glibc WHEN the arenas are capped at two and many threads then
    allocate at once THEN the C heap has at most two arenas (glibc's own report)."""
    script = textwrap.dedent(
        """
        import ctypes, re, sys, tempfile, threading
        from desktop_app.app import limit_malloc_arenas
        if sys.argv[1] == "capped":
            assert limit_malloc_arenas(2)
        libc = ctypes.CDLL(None)
        libc.fopen.restype = ctypes.c_void_p
        libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        libc.fclose.argtypes = [ctypes.c_void_p]
        libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
        barrier = threading.Barrier(8)
        def work():
            barrier.wait()  # eight threads alive at once: each would get an arena of its own
            data = [bytes(4096) for _ in range(200)]
            barrier.wait()
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        with tempfile.NamedTemporaryFile("r") as report:
            stream = libc.fopen(report.name.encode(), b"w")
            libc.malloc_info(0, stream)
            libc.fclose(stream)
            print(len(re.findall(r'<heap nr="', report.read())))
        """
    )

    def arenas(mode: str) -> int:
        out = subprocess.run(
            [sys.executable, "-c", script, mode],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return int(out.stdout.strip())

    assert arenas("default") > 2  # the test can tell
    assert 1 <= arenas("capped") <= 2

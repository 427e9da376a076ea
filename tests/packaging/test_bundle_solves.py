"""The built bundle does the whole job, headless, against the fake servers.

Each test runs dist/qwen-math/qwen-math (built once per run by the `built_bundle` fixture) as
a user would: the real DashScope and OpenAI SDKs inside it talk to the fakes on 127.0.0.1,
its checker runs as its own executable with --check-worker, and model code runs in the
sandbox with the bundle's own Python (`qwen-math --sandbox-child`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core.sandbox_bwrap import (
    bwrap_path,
    bwrap_works,
    reachable_as_nobody,
    setpriv_path,
)
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.images import png_bytes
from tests.fakes.openai_server import FakeOpenAI
from tests.packaging.conftest import BUILD_TIMEOUT_S, BuiltBundle

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(BUILD_TIMEOUT_S + 120)]

KEY = "sk-bundle-canary-5c1e"
NOBODY = 65534
AS_NOBODY = ("setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
TRANSCRIPT = "Solve $2x + 3 = 11$ for $x$."
QUESTION = "What is x?"
ANSWER = "Subtract 3: $2x = 8$, so\n\n$$x = 4.$$\n\nThe answer is $\\boxed{4}$."
MODEL_CODE = """\
import os, statistics, sys
import numpy as np
import sympy
x = sympy.symbols("x")
print(sympy.solve(2*x + 3 - 11, x), int(np.arange(5).sum()), statistics.median([1, 4, 9]))
print(sys.executable)
print(os.path.isdir("/var"))"""
TIR_FIRST = f"Let me solve it with Python.\n```python\n{MODEL_CODE}\n```\n```output\nNOT RUN\n```\n"
TIR_SECOND = "So $x = 4$, and the answer is $\\boxed{4}$."


@pytest.fixture
def dashscope() -> Iterator[FakeDashScope]:
    """A fake DashScope that accepts only KEY."""
    with FakeDashScope(api_key=KEY, chunk_size=6) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path, dashscope: FakeDashScope) -> dict[str, str]:
    """The bundle's environment: the fake service, a key, a private QWEN_MATH_HOME."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DASHSCOPE", "OPENAI"))}
    clean.update(
        DASHSCOPE_HTTP_BASE_URL=dashscope.base_url,
        DASHSCOPE_API_KEY=KEY,
        QWEN_MATH_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return clean


@pytest.fixture
def problem_png(tmp_path: Path) -> Path:
    """A small picture of the equation."""
    path = tmp_path / "problem.png"
    path.write_bytes(png_bytes(240, 60, text="2x + 3 = 11", at=(10, 20)))
    return path


def run_bundle(
    bundle: BuiltBundle, args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The bundle's program with `args`, as a user would run it."""
    return subprocess.run(
        [str(bundle.executable), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def events_of(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    """The --json events, after checking the run succeeded."""
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines()]


def joined(events: list[dict[str, Any]], kind: str) -> str:
    return "".join(e["delta"] for e in events if e["type"] == kind)


def test_cloud_cot_reads_the_image_streams_the_answer_and_checks_it(
    built_bundle: BuiltBundle, dashscope: FakeDashScope, env: dict[str, str], problem_png: Path
) -> None:
    """GIVEN an image and a question WHEN the bundle solves with DashScope (its default
    backend) THEN the transcript and answer stream, and its checker process verifies 4."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    result = run_bundle(
        built_bundle, ["solve", str(problem_png), "--question", QUESTION, "--json"], env
    )
    events = events_of(result)
    assert joined(events, "transcript") == TRANSCRIPT
    assert joined(events, "answer") == ANSWER
    assert len([e for e in events if e["type"] == "answer"]) > 3  # streamed, not one blob
    final = next(e for e in events if e["type"] == "final")
    assert (final["answer"], final["check"]) == ("4", "verified"), final
    assert events[-1]["type"] == "done"
    read, solve = dashscope.requests
    assert read.content_parts("image")[0].startswith("data:image/png;base64,")
    assert TRANSCRIPT in solve.messages[-1]["content"]
    assert QUESTION in solve.messages[-1]["content"]


def test_tir_runs_model_code_in_the_sandbox_with_the_bundles_own_python(
    built_bundle: BuiltBundle, dashscope: FakeDashScope, env: dict[str, str]
) -> None:
    """GIVEN --mode tir WHEN the model writes Python using sympy, numpy and the stdlib THEN the
    sandbox runs it with the bundle's executable, the output goes back to the model, and the
    final answer is checked; under bubblewrap the code sees none of the host's folders."""
    dashscope.script_text(TIR_FIRST, endpoint="text")
    dashscope.script_text(TIR_SECOND, endpoint="text")
    result = run_bundle(
        built_bundle, ["solve", "--question", "Solve 2x + 3 = 11.", "--mode", "tir", "--json"], env
    )
    events = events_of(result)
    (code,) = [e for e in events if e["type"] == "code"]
    assert code["source"] == MODEL_CODE
    (output,) = [e for e in events if e["type"] == "code_output"]
    assert output["status"] == "ok", output
    computed, executable, sees_var = output["output"].splitlines()
    assert computed == "[4] 10 4"
    assert Path(executable).resolve() == built_bundle.executable.resolve()
    assert sees_var == ("False" if bwrap_works() else "True")
    first, second = dashscope.requests
    assert first.stop == ["```output"]
    assert second.messages[-1]["content"].endswith(f"```output\n{output['output']}\n```\n")
    final = next(e for e in events if e["type"] == "final")
    assert (final["answer"], final["check"]) == ("4", "verified"), final


def test_tir_without_bubblewrap_runs_through_the_shipped_launcher(
    built_bundle: BuiltBundle, dashscope: FakeDashScope, env: dict[str, str]
) -> None:
    """GIVEN no util-linux tools on PATH (so no bubblewrap sandbox) WHEN model code runs THEN
    the fallback launcher shipped inside the bundle starts it with the bundle's Python."""
    dashscope.script_text(TIR_FIRST, endpoint="text")
    dashscope.script_text(TIR_SECOND, endpoint="text")
    result = run_bundle(
        built_bundle,
        ["solve", "--question", "Solve 2x + 3 = 11.", "--mode", "tir", "--json", "--no-history"],
        {**env, "PATH": "/nonexistent"},
    )
    (output,) = [e for e in events_of(result) if e["type"] == "code_output"]
    assert output["status"] == "ok", output
    computed, executable, sees_var = output["output"].splitlines()
    assert computed == "[4] 10 4"
    assert Path(executable).resolve() == built_bundle.executable.resolve()
    assert sees_var == "True"  # the launcher keeps the host's filesystem: it is the fallback


def test_tir_as_an_unprivileged_user(
    built_bundle: BuiltBundle, dashscope: FakeDashScope, env: dict[str, str]
) -> None:
    """GIVEN root WHEN the bundle runs as `nobody` (no cgroup of its own: the sandbox refuses
    new processes, so the frozen program must start without forking) THEN model code runs."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("only root (with util-linux's setpriv) can run the bundle as nobody")
    as_nobody: list[str] = list(AS_NOBODY)
    probe = subprocess.run([*as_nobody, "test", "-x", str(built_bundle.executable)], check=False)
    if probe.returncode != 0:  # built in a folder nobody may not enter (a root-only checkout)
        bwrap, setpriv = bwrap_path(), setpriv_path()
        if bwrap is None or setpriv is None:
            pytest.skip("the bundle's folder is not readable by other users, and no bubblewrap")
        # bubblewrap shows nobody the bundle's folder alone, read-only, as a user would have it
        as_nobody = reachable_as_nobody([str(built_bundle.folder)], bwrap, setpriv)
    home = Path(tempfile.mkdtemp(prefix="qwen-math-bundle-user-"))
    try:
        os.chown(home, NOBODY, NOBODY)
        dashscope.script_text(TIR_FIRST, endpoint="text")
        dashscope.script_text(TIR_SECOND, endpoint="text")
        result = subprocess.run(
            [*as_nobody, str(built_bundle.executable), "solve", "--question", "Solve 2x + 3 = 11.",
             "--mode", "tir", "--json", "--no-history"],
            env={**env, "HOME": str(home), "QWEN_MATH_HOME": str(home / "qm")},
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
    (output,) = [e for e in events_of(result) if e["type"] == "code_output"]
    assert output["status"] == "ok", output
    assert output["output"].splitlines()[0] == "[4] 10 4"


def test_the_sandbox_child_mode_offers_the_stdlib_sympy_and_numpy_only(
    built_bundle: BuiltBundle, tmp_path: Path, env: dict[str, str]
) -> None:
    """GIVEN the frozen app's --sandbox-child mode THEN a file runs with sympy, mpmath, numpy
    and the stdlib, and importing the app, its clients or Qt fails like a missing module."""
    script = tmp_path / "snippet.py"
    script.write_text(
        "import fractions, importlib, mpmath, numpy, sympy\n"
        "print(fractions.Fraction(1, 3) + fractions.Fraction(1, 6), sympy.sqrt(8), mpmath.mpf(2))\n"
        "for name in ('PySide6', 'setuptools', 'desktop_app', 'openai'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        print(name, 'refused')\n"
        "import dashscope\n",
        encoding="utf-8",
    )
    result = run_bundle(built_bundle, ["--sandbox-child", str(script)], env)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "1/2 2*sqrt(2) 2.0",
        # loaded by the bundle's start-up (PySide6, setuptools) or part of it: refused all the same
        *(f"{name} refused" for name in ("PySide6", "setuptools", "desktop_app", "openai")),
    ]
    assert result.stderr.splitlines()[-1] == "ModuleNotFoundError: No module named 'dashscope'"


def test_samples_vote_across_sampled_solutions(
    built_bundle: BuiltBundle, dashscope: FakeDashScope, env: dict[str, str]
) -> None:
    """GIVEN --samples 3 WHEN two samples answer 4 and one 5 THEN the final answer is 4 with
    2 votes of 3."""
    for answer in ("4", "5", "4"):
        dashscope.script_text(f"So $x = {answer}$, and $\\boxed{{{answer}}}$.", endpoint="text")
    result = run_bundle(
        built_bundle,
        ["solve", "--question", "Solve 2x + 3 = 11.", "--samples", "3", "--json", "--no-history"],
        env,
    )
    final = next(e for e in events_of(result) if e["type"] == "final")
    assert (final["answer"], final["votes"], final["samples"]) == ("4", 2, 3), final
    assert len(dashscope.requests) == 3


def test_openai_compatible_backend_solves(built_bundle: BuiltBundle, tmp_path: Path) -> None:
    """GIVEN --backend openai --base-url THEN the bundle's OpenAI client streams the answer from
    that server and the answer is checked."""
    model = "Qwen/Qwen2.5-Math-72B-Instruct"
    with FakeOpenAI(api_key=KEY, models=[model], chunk_size=6) as server:
        server.script_text(ANSWER)
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DASHSCOPE", "OPENAI"))}
        clean.update(OPENAI_API_KEY=KEY, QWEN_MATH_HOME=str(tmp_path / "home"))
        result = run_bundle(
            built_bundle,
            ["solve", "--question", "Solve 2x + 3 = 11.", "--backend", "openai",
             "--base-url", server.base_url, "--solver-model", model, "--json", "--no-history"],
            clean,
        )  # fmt: skip
        (request,) = server.chat_requests()
    events = events_of(result)
    assert joined(events, "answer") == ANSWER
    final = next(e for e in events if e["type"] == "final")
    assert (final["answer"], final["check"]) == ("4", "verified"), final
    assert (request.model, request.api_key) == (model, KEY)


def test_history_export_markdown_and_html(
    built_bundle: BuiltBundle,
    dashscope: FakeDashScope,
    env: dict[str, str],
    problem_png: Path,
    tmp_path: Path,
) -> None:
    """GIVEN a solved problem in the bundle's history WHEN exported as Markdown and as HTML
    THEN the Markdown has the answer with the image beside it, and the HTML page carries the
    image, the answer page's style and MathJax inside itself."""
    dashscope.script_text(TRANSCRIPT, endpoint="multimodal")
    dashscope.script_text(ANSWER, endpoint="text")
    events = events_of(run_bundle(built_bundle, ["solve", str(problem_png), "--json"], env))
    conversation = events[-1]["conversation_id"]
    markdown = tmp_path / "out" / "linear.md"
    markdown.parent.mkdir()
    result = run_bundle(built_bundle, ["history", "export", conversation, "-o", str(markdown)], env)
    assert result.returncode == 0, result.stderr
    text = markdown.read_text(encoding="utf-8")
    assert ANSWER in text
    assert "](linear.png)" in text
    with Image.open(markdown.with_suffix(".png")) as saved:  # the stored, normalised image
        assert (saved.format, saved.size) == ("PNG", (240, 60))
    page_file = tmp_path / "out" / "linear.html"
    result = run_bundle(
        built_bundle,
        ["history", "export", conversation, "--format", "html", "-o", str(page_file)],
        env,
    )
    assert result.returncode == 0, result.stderr
    page = page_file.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    assert "--muted: #6e6e73" in page  # resources/answer/answer.css, from the bundle
    assert "MathJax" in page
    assert len(page) > 1_000_000  # tex-svg-full.js is inlined, not linked
    assert "<script src=" not in page


def test_the_local_backend_says_in_one_sentence_how_to_get_it(
    built_bundle: BuiltBundle, env: dict[str, str]
) -> None:
    """GIVEN --backend local in the bundle, which carries no PyTorch (ADR 018) THEN exit 4 and
    one sentence naming the `local` extra, no traceback."""
    result = run_bundle(built_bundle, ["solve", "--backend", "local", "--question", "1+1"], env)
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert "'local' extra" in line

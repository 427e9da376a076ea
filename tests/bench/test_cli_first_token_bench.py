"""Time to the first answer token through `qwen-math solve` vs a bare DashScope SDK script.

Both are fresh processes talking to the fake DashScope server and making the same calls: the
solver call for a typed question; for a picture, the reader call and then the solver call.
The clock runs from spawning the process to the first answer text on its standard output.
A second check runs `qwen-math solve` with an import probe: the answer-checking libraries
(SymPy, math-verify, NumPy) must not be loaded before the first answer token is written.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from desktop_app.core import prompts
from desktop_app.core.settings import CloudSettings
from tests.fakes.dashscope_server import FakeDashScope
from tests.fakes.images import png_bytes

pytestmark = [pytest.mark.bench, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-bench-5e1d"
QUESTION = "Solve 2x + 3 = 7 for x."
ROUNDS = 7
HEAVY = ("sympy", "math_verify", "latex2sympy2_extended", "numpy")

# What a program that only wants the answer does with the SDK: the same calls, streamed.
BARE = textwrap.dedent(
    """
    import base64, os, sys
    import dashscope

    system, solver_model, problem = sys.argv[1:4]
    key = os.environ["DASHSCOPE_API_KEY"]
    if len(sys.argv) > 4:  # a picture: the reader call first, read to its end
        image_path, reader_prompt, reader_model = sys.argv[4:7]
        with open(image_path, "rb") as f:
            image = "data:image/png;base64," + base64.b64encode(f.read()).decode()
        content = [{"image": image}, {"text": reader_prompt}]
        for r in dashscope.MultiModalConversation.call(
            model=reader_model, messages=[{"role": "user", "content": content}], api_key=key,
            stream=True, incremental_output=True,
        ):
            problem += "".join(p.get("text", "") for p in r.output.choices[0].message.content)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": problem}]
    first = True
    for r in dashscope.Generation.call(
        model=solver_model, messages=messages, api_key=key, result_format="message",
        stream=True, incremental_output=True,
    ):
        text = r.output.choices[0].message.content
        if text and first:
            print("ANSWER", text, flush=True)
            first = False
    """
)

# Loaded by Python at start-up from PYTHONPATH: notes which heavy libraries are in memory when
# the first answer event is written, and again at exit.
PROBE = textwrap.dedent(
    f"""
    import atexit, importlib, os, sys

    HEAVY = {HEAVY!r}
    if os.environ.get("PROBE_PRELOAD"):  # the probe's own check: this one must be seen
        importlib.import_module(os.environ["PROBE_PRELOAD"])

    def loaded():
        return ",".join(m for m in HEAVY if m in sys.modules) or "-"

    class Probe:
        def __init__(self, stream):
            self._stream, self._seen = stream, False

        def write(self, text):
            if not self._seen and '"type": "answer"' in text:
                self._seen = True
                sys.stderr.write("PROBE first-answer " + loaded() + "\\n")
            return self._stream.write(text)

        def __getattr__(self, name):
            return getattr(self._stream, name)

    sys.stdout = Probe(sys.stdout)
    atexit.register(lambda: sys.stderr.write("PROBE exit " + loaded() + "\\n"))
    """
)


def first_answer(command: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `command` to its first line of answer text."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    elapsed = None
    for line in proc.stdout:
        if elapsed is None and (
            line.startswith("ANSWER") or (line.startswith("{") and is_answer(line))
        ):
            elapsed = time.perf_counter() - start
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err[-2000:]
    assert elapsed is not None, "no answer text came out"
    return elapsed


def is_answer(line: str) -> bool:
    event = json.loads(line)
    return event.get("type") == "answer" and bool(event.get("delta"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """Both programs: the fake service's address, a key, a private home, bytecode caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE")}
    env.update(
        DASHSCOPE_API_KEY=KEY,
        QWEN_MATH_HOME=str(tmp_path / "home"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
        # As on a user's machine both start from bytecode caches (see test_startup_bench).
        PYTHONPYCACHEPREFIX=str(tmp_path / "pycache"),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compare(name: str, ours: list[str], bare: list[str], env: dict[str, str]) -> float:
    """Interleaved runs after two warm-ups each; prints and returns the ratio of medians."""
    for _ in range(2):  # bytecode caches, the OS file cache, the history database
        first_answer(ours, env)
        first_answer(bare, env)
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    for round_ in range(ROUNDS):
        order = ("ours", "bare") if round_ % 2 == 0 else ("bare", "ours")
        for who in order:
            times[who].append(first_answer(ours if who == "ours" else bare, env))
    mine, theirs = statistics.median(times["ours"]), statistics.median(times["bare"])
    print(
        f"\nfirst answer token, {name}: qwen-math solve {mine * 1e3:.0f} ms, bare SDK script "
        f"{theirs * 1e3:.0f} ms, ratio {mine / theirs:.2f} (medians of {ROUNDS}, interleaved; "
        "runs ms ours/bare: "
        + " ".join(f"{o * 1e3:.0f}/{b * 1e3:.0f}" for o, b in zip(*times.values(), strict=True))
        + ")"
    )
    return mine / theirs


def bare_command(image: Path | None) -> list[str]:
    """The bare script's command line for a typed question, or for a picture alone."""
    cloud = CloudSettings()
    command = [sys.executable, "-c", BARE, prompts.COT_SYSTEM_PROMPT, cloud.solver_model]
    if image is None:
        return [*command, QUESTION]
    return [*command, "", str(image), prompts.READER_PROMPT, cloud.reader_model]


def test_first_answer_token_of_a_typed_question(env: dict[str, str]) -> None:
    """GIVEN a typed question WHEN `qwen-math solve` and a bare SDK script ask the fake service
    THEN ours shows the first answer token within 1.3x the bare script's time."""
    ours = [sys.executable, "-m", "desktop_app", "solve", "--question", QUESTION, "--json"]
    with FakeDashScope(api_key=KEY, chunk_size=6) as server:
        env["DASHSCOPE_HTTP_BASE_URL"] = server.base_url
        ratio = compare("typed question (one call)", ours, bare_command(None), env)
        assert all(r.endpoint == "text" for r in server.requests)
    assert ratio <= 1.3


def test_first_answer_token_of_a_picture(env: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a picture of a problem WHEN `qwen-math solve` and a bare SDK script read and solve
    it with the fake service THEN ours shows the first answer token within 1.3x the bare
    script's time."""
    image = tmp_path / "problem.png"
    image.write_bytes(png_bytes(240, 60, text="2x + 3 = 7", at=(10, 20)))
    ours = [sys.executable, "-m", "desktop_app", "solve", str(image), "--json"]
    with FakeDashScope(api_key=KEY, chunk_size=6) as server:
        env["DASHSCOPE_HTTP_BASE_URL"] = server.base_url
        ratio = compare("picture (reader call, then solver call)", ours, bare_command(image), env)
        endpoints = [r.endpoint for r in server.requests]
        assert endpoints == ["multimodal", "text"] * (len(endpoints) // 2)
    assert ratio <= 1.3


def probed_solve(env: dict[str, str], probe_dir: Path, preload: str = "") -> dict[str, str]:
    """Run `qwen-math solve` with the import probe; what it saw, by moment."""
    probe_dir.mkdir(exist_ok=True)
    (probe_dir / "sitecustomize.py").write_text(PROBE)
    path = os.pathsep.join(filter(None, (str(probe_dir), env.get("PYTHONPATH"))))
    env = {**env, "PYTHONPATH": path, "PROBE_PRELOAD": preload}
    ours = [sys.executable, "-m", "desktop_app", "solve", "--question", QUESTION, "--json"]
    result = subprocess.run(
        ours, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split(" ", 2) for line in result.stderr.splitlines()]
    return {line[1]: line[2] for line in lines if line[0] == "PROBE" and len(line) == 3}


def test_checking_libraries_load_after_the_first_answer_token(
    env: dict[str, str], tmp_path: Path
) -> None:
    """GIVEN `qwen-math solve` with an import probe WHEN the first answer event is written
    THEN SymPy, math-verify, latex2sympy2 and NumPy are not loaded yet (and the probe does
    see one that is)."""
    with FakeDashScope(api_key=KEY, chunk_size=6) as server:
        env["DASHSCOPE_HTTP_BASE_URL"] = server.base_url
        seen = probed_solve(env, tmp_path / "probe")
        control = probed_solve(env, tmp_path / "probe", preload="numpy")
    print(
        f"\nheavy libraries loaded at the first answer event: {seen.get('first-answer')}; "
        f"at exit: {seen.get('exit')} (control with NumPy preloaded: "
        f"{control.get('first-answer')})"
    )
    assert control.get("first-answer") == "numpy"
    assert seen.get("first-answer") == "-"

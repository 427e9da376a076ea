"""`qwen-math history ...` against a store filled directly in a QWEN_MATH_HOME temp folder."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.history.store import HistoryStore, default_store_path
from desktop_app.history_args import add_history_parser
from desktop_app.history_cli import run_history
from tests.fakes.images import png_bytes

IMAGE = png_bytes(120, 60)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QWEN_MATH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def filled(home: Path) -> Iterator[dict[str, str]]:
    with HistoryStore(default_store_path()) as store:
        frac = store.create_conversation(IMAGE, "Simplify $\\frac{1}{2} + \\frac{1}{3}$.")
        turn = store.add_turn(frac, "", reader_model="qwen-vl-max", solver_model="qwen-math")
        store.update_turn(
            turn,
            answer="Common denominator: $\\frac{3}{6} + \\frac{2}{6} = \\boxed{\\frac{5}{6}}$",
            status="complete",
            final_answer="\\frac{5}{6}",
            final_check="verified",
        )
        square = store.create_conversation(None, "")
        turn = store.add_turn(square, "Solve x^2 = 9")
        store.update_turn(turn, answer="x = 3 or", status="failed", error="The connection dropped.")
        yield {"frac": frac, "square": square}


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="qwen-math")
    add_history_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["history", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = run_history(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_list_text_newest_first(filled: dict[str, str]) -> None:
    """GIVEN two conversations WHEN listed THEN short ids and titles, newest first."""
    code, out, err = run("list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(filled["square"][:8])
    assert lines[0].endswith("Solve x^2 = 9")
    assert lines[1].endswith("Simplify $\\frac{1}{2} + \\frac{1}{3}$.")


def test_list_json_is_one_object_per_line(filled: dict[str, str]) -> None:
    """GIVEN two conversations WHEN listed with --json THEN one JSON object per line."""
    code, out, _ = run("list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["id"] for r in rows] == [filled["square"], filled["frac"]]
    assert set(rows[0]) == {"id", "title", "created_at", "updated_at", "image_sha256"}
    assert rows[1]["image_sha256"] is not None


def test_list_paging(filled: dict[str, str]) -> None:
    """GIVEN two conversations WHEN listed one at a time THEN the second page is the older one."""
    _, out, _ = run("list", "--json", "--limit", "1", "--offset", "1")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [filled["frac"]]


def test_list_of_empty_history(home: Path) -> None:
    """GIVEN no history yet WHEN listed THEN a sentence for people, nothing for --json."""
    assert run("list") == (0, "No saved problems yet.\n", "")
    assert run("list", "--json") == (0, "", "")


def test_show_prints_markdown(filled: dict[str, str]) -> None:
    """GIVEN a conversation WHEN shown by id prefix THEN Markdown with problem and answer."""
    code, out, _ = run("show", filled["frac"][:6])
    assert code == 0
    assert out.startswith("# Simplify $\\frac{1}{2} + \\frac{1}{3}$.")
    assert "## Problem" in out
    assert "\\boxed{\\frac{5}{6}}" in out
    assert "**Final answer:** $\\frac{5}{6}$" in out


def test_show_json_has_turns(filled: dict[str, str]) -> None:
    """GIVEN a failed conversation WHEN shown with --json THEN the turn's status and error."""
    code, out, _ = run("show", filled["square"], "--json")
    obj = json.loads(out)
    assert code == 0
    assert obj["turns"][0]["status"] == "failed"
    assert obj["turns"][0]["answer"] == "x = 3 or"
    assert obj["turns"][0]["error"] == "The connection dropped."


@pytest.mark.parametrize("command", ["show", "export", "delete"])
def test_unknown_id_is_exit_2_one_sentence(filled: dict[str, str], command: str) -> None:
    """GIVEN an id nobody has WHEN used THEN exit 2 and one sentence on stderr."""
    code, out, err = run(command, "deadbeef")
    assert (code, out) == (2, "")
    assert err == "qwen-math: No conversation with id deadbeef.\n"


def test_search_latex_text_and_json(filled: dict[str, str]) -> None:
    """GIVEN LaTeX in a transcript WHEN searched THEN the conversation with a snippet."""
    code, out, _ = run("search", "\\frac{1}{2}")
    assert code == 0
    assert out.splitlines()[0].startswith(filled["frac"][:8])
    code, out, _ = run("search", "x^2", "--json")
    (hit,) = [json.loads(line) for line in out.splitlines()]
    assert hit["id"] == filled["square"]
    assert "«x^2»" in hit["snippet"]


def test_export_markdown_with_image_beside(filled: dict[str, str], tmp_path: Path) -> None:
    """GIVEN a conversation with an image WHEN exported to a file THEN the image is beside it."""
    target = tmp_path / "out" / "fractions.md"
    target.parent.mkdir()
    code, out, _ = run("export", filled["frac"], "-o", str(target))
    assert code == 0
    assert out.splitlines() == [str(target), str(target.with_suffix(".png"))]
    text = target.read_text(encoding="utf-8")
    assert "![The problem as captured](fractions.png)" in text
    assert target.with_suffix(".png").read_bytes() == IMAGE


def test_export_to_stdout_markdown_and_html(filled: dict[str, str], tmp_path: Path) -> None:
    """GIVEN export without -o THEN Markdown on stdout; --format html writes a standalone page."""
    code, out, _ = run("export", filled["square"])
    assert code == 0
    assert "> The answer failed before it finished. The connection dropped." in out
    target = tmp_path / "square.html"
    code, out, _ = run("export", filled["frac"], "--format", "html", "-o", str(target))
    assert code == 0
    assert out.splitlines() == [str(target)]
    page = target.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page  # the image travels inside the file
    assert "\\frac{1}{2}" in page or "\\frac" in page or "frac{1}{2}" in page
    assert "<script src=" not in page  # nothing loaded from elsewhere


def test_export_carries_the_plot(home: Path, tmp_path: Path) -> None:
    """GIVEN a conversation saved with its plot WHEN exported THEN to a file: a PNG of the plot
    beside it, linked; to stdout: the PNG inside the Markdown; as HTML: an SVG inside the page;
    `show` (for reading in a terminal) names no image."""
    from desktop_app.core.plots import plot_for

    spec = plot_for("Graph $y = x^2 - 4$.", "", None)
    assert spec is not None
    with HistoryStore(default_store_path()) as store:
        conv_id = store.create_conversation(None, "Graph $y = x^2 - 4$.")
        turn = store.add_turn(conv_id, "")
        details = {"plot": spec.to_json()}
        store.update_turn(turn, answer="A parabola.", status="complete", details=details)

    target = tmp_path / "parabola.md"
    code, out, _ = run("export", conv_id, "-o", str(target))
    assert code == 0
    plot_file = tmp_path / "parabola-plot.png"
    assert out.splitlines() == [str(target), str(plot_file)]
    assert "![Plot of y = x^2 - 4](parabola-plot.png)" in target.read_text(encoding="utf-8")
    assert plot_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    code, out, _ = run("export", conv_id)
    assert code == 0
    assert "![Plot of y = x^2 - 4](data:image/png;base64,iVBORw0KGgo" in out
    code, out, _ = run("export", conv_id, "--format", "html")
    assert code == 0
    assert (
        '<figure class="plot"><img alt="Plot of y = x^2 - 4" src="data:image/svg+xml;base64,' in out
    )
    code, out, _ = run("show", conv_id)
    assert (code, "![" in out) == (0, False)


def test_delete_removes_conversation_and_image(filled: dict[str, str], home: Path) -> None:
    """GIVEN a conversation with an image WHEN deleted THEN it is gone, and its image file too."""
    code, out, _ = run("delete", filled["frac"], "--json")
    assert (code, json.loads(out)) == (0, {"deleted": filled["frac"]})
    assert not list((home / "data" / "images").glob("*/*.png"))
    assert run("show", filled["frac"])[0] == 2
    _, out, _ = run("list", "--json")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [filled["square"]]


def test_missing_subcommand_is_a_usage_error(home: Path) -> None:
    """GIVEN `history` alone WHEN parsed THEN argparse exits with code 2."""
    with pytest.raises(SystemExit) as exit_info:
        run()
    assert exit_info.value.code == 2

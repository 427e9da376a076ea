"""Exporting a conversation as one standalone HTML file: math, image and styles all inline."""

from __future__ import annotations

import base64
import hashlib
import html
from functools import cache
from importlib.resources import files
from pathlib import Path

from desktop_app.core.backends.base import png_data_url
from desktop_app.core.history.export import (
    problem_sections,
    title_sections,
    to_markdown,
    turn_sections,
)
from desktop_app.core.history.export_checks import StepMarker
from desktop_app.core.history.export_samples import SamplesHtml
from desktop_app.core.history.models import Conversation
from desktop_app.core.history.saved_plots import conversation_plots, data_url, plot_alt, plot_image
from desktop_app.core.markdown_render import render_markdown

# The "full" build bundles every TeX extension: the plain tex-svg.js would try to fetch
# extensions such as \boldsymbol's or \cancel's on first use, which an offline file cannot.
MATHJAX_FILE = "tex-svg-full.js"

# Mirrors the answer page's MathJax setup: only what the renderer marked as math is typeset.
_MATHJAX_CONFIG = """window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
    displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  svg: { fontCache: "global" },
  options: {
    ignoreHtmlClass: "answer-root",
    processHtmlClass: "math",
    enableMenu: false,
    menuOptions: { settings: { assistiveMml: false, explorer: false, collapsible: false } }
  }
};"""

_EXPORT_CSS = """
body { max-width: 52rem; margin: 0 auto; padding: 24px; }
figure.problem { margin: 0 0 1.2em; }
figure.problem img { max-width: 100%; height: auto; border: 1px solid var(--rule);
  border-radius: 6px; }
figure.plot { margin: 1em 0; }
figure.plot img { display: block; width: 100%; max-width: 42rem; height: auto;
  background: #fff; border-radius: 6px; }
@media print { body { max-width: none; } }
"""


def mathjax_source() -> str:
    """The MathJax bundle shipped by the django-static-mathjax package."""
    path = files("mathjax") / "static" / "mathjax" / "es5" / MATHJAX_FILE
    return path.read_text(encoding="utf-8")


def to_html(conversation: Conversation, image_png: bytes | None) -> str:
    """The conversation as a self-contained HTML document that renders with no network.

    Each turn's plot is an SVG image inside the file (drawn by matplotlib): a few tens of kB,
    where the window's interactive plotly.js would add 4.8 MB to every export (ADR 013).
    """
    marker = StepMarker(to_markdown(conversation, None))  # steps marked beside formulas
    body = _markdown(title_sections(conversation))
    if image_png is not None:
        body += (
            '<figure class="problem"><img alt="The problem as captured" '
            f'src="{png_data_url(image_png)}"></figure>\n'
        )
    body += _markdown(problem_sections(conversation))
    samples = SamplesHtml()
    plots = conversation_plots(conversation)
    for index, turn in enumerate(conversation.turns):
        answer = marker.answer(turn)
        solution, notes = turn_sections(turn, answer, index + 1, len(conversation.turns))
        body += marker.place(_markdown(solution))
        spec = plots.get(index)
        svg = None if spec is None else plot_image(spec, "svg")
        if spec is not None and svg is not None:
            body += (
                f'<figure class="plot"><img alt="{html.escape(plot_alt(spec))}" '
                f'src="{data_url(svg, "svg")}"></figure>\n'
            )
        body += samples.fill(_markdown(samples(turn)))  # folded away after the answer
        body += _markdown(notes)
    mathjax = _script_safe(mathjax_source())
    scripts = (_MATHJAX_CONFIG, mathjax)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_csp(scripts)}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(conversation.title)}</title>",
            f"<style>{_answer_css()}{_EXPORT_CSS}</style>",
            f"<script>{scripts[0]}</script>",
            f"<script>{scripts[1]}</script>",
            "</head>",
            "<body>",
            f'<main class="answer-root">\n{body}</main>',
            "</body>",
            "</html>",
            "",
        ]
    )


def _markdown(parts: list[str]) -> str:
    return render_markdown("\n\n".join(parts)) if parts else ""


def export_html(conversation: Conversation, image: Path | None, target: Path) -> Path:
    """Write the conversation to `target` as one standalone .html file; returns `target`."""
    png = image.read_bytes() if image is not None and image.exists() else None
    target.write_text(to_html(conversation, png), encoding="utf-8")
    return target


def _csp(scripts: tuple[str, ...]) -> str:
    # Scripts by hash rather than 'unsafe-inline': then a javascript: link that math like
    # \href could produce, or an injected handler, cannot run. MathJax's SVG output sets
    # inline styles, so styles do need 'unsafe-inline'; nothing may load from anywhere.
    hashes = " ".join(f"'sha256-{_sha256_b64(s)}'" for s in scripts)
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data:; "
        "font-src data:; connect-src 'none'; object-src 'none'; frame-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _script_safe(source: str) -> str:
    # Inside <script>, only "</script" (any case) ends the element early; MathJax's bundle
    # contains none today, but a future one must not be able to break the page.
    return source.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


@cache
def _answer_css() -> str:
    """The answer page's stylesheets (its own, its checks' and its samples'), so an export
    looks like the app (empty if not found)."""
    package = Path(__file__).resolve().parents[2]
    for folder in (package / "_resources" / "answer", package.parent / "resources" / "answer"):
        if (folder / "answer.css").is_file():
            sheets = (folder / name for name in ("answer.css", "checks.css", "samples.css"))
            return "\n".join(css.read_text(encoding="utf-8") for css in sheets if css.is_file())
    return ""

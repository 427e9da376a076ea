"""Still images of a plot for exports: valid SVG and PNG that show the curves and the labels."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from desktop_app.core.plot_image import HEIGHT_IN, WIDTH_IN, plot_png, plot_svg
from desktop_app.core.plots import PlotSpec, plot_for

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def integral() -> PlotSpec:
    spec = plot_for("Evaluate $\\int_0^2 x^2 \\, dx$.", "", "\\frac{8}{3}")
    assert spec is not None
    return spec


@pytest.fixture(scope="module")
def rational() -> PlotSpec:
    spec = plot_for("Solve $\\frac{x-1}{x+2} \\geq 0$.", "", None)
    assert spec is not None
    return spec


def _group(root: ET.Element, gid: str) -> ET.Element:
    found = root.find(f".//*[@id='{gid}']")
    assert found is not None, f"no element {gid}"
    return found


def _path_points(element: ET.Element) -> int:
    """How many points the element's paths draw (M and L commands)."""
    return sum(len(re.findall(r"[ML]", p.get("d", ""))) for p in element.iter(f"{SVG}path"))


def test_svg_is_a_valid_document_with_the_curve_area_and_labels(integral: PlotSpec) -> None:
    """GIVEN an integral's plot WHEN drawn as SVG THEN it parses as SVG, the curve is a long
    path, the shaded area is there, and the labels and title are real text."""
    data = plot_svg(integral)
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert _path_points(_group(root, "series-0")) > 40  # the parabola (simplified by matplotlib)
    assert _path_points(_group(root, "area-0")) > 40  # the filled region under it
    texts = {"".join(t.itertext()).strip() for t in root.iter(f"{SVG}text")}
    assert {"x = 0", "x = 2", "∫ = 2.667", "y = x^2", integral.title} <= texts
    assert (
        len(_group(root, "points").findall(f".//{SVG}use"))
        + len(_group(root, "points").findall(f".//{SVG}path"))
        >= 2
    )


def test_svg_breaks_curves_at_poles(rational: PlotSpec) -> None:
    """GIVEN a curve with a pole WHEN drawn THEN its path is split in two pieces (two moves), not
    joined across the asymptote, and the inequality's bands are drawn."""
    root = ET.fromstring(plot_svg(rational))
    paths = [p.get("d", "") for p in _group(root, "series-0").iter(f"{SVG}path")]
    assert sum(d.count("M") for d in paths) == 2
    _group(root, "band-0")
    _group(root, "band-1")


def test_svg_is_reproducible(integral: PlotSpec) -> None:
    """GIVEN the same plot WHEN drawn twice THEN the SVG bytes are identical (no dates, no
    random ids): exports do not change for nothing."""
    assert plot_svg(integral) == plot_svg(integral)


def test_png_shows_the_curve_and_the_area_on_white(integral: PlotSpec) -> None:
    """GIVEN an integral's plot WHEN drawn as PNG THEN it is a PNG of the expected size on a light
    background, with many pixels of the curve's colour and of the area's tint."""
    image = Image.open(io.BytesIO(plot_png(integral, dpi=100)))
    assert image.format == "PNG"
    assert image.size == (round(WIDTH_IN * 100), round(HEIGHT_IN * 100))
    raw = image.convert("RGB").tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3], strict=True))
    white = sum(1 for p in pixels if p == (255, 255, 255))
    assert white > 0.5 * len(pixels)
    curve = sum(1 for r, g, b in pixels if abs(r - 0x1F) < 30 and abs(g - 0x6F) < 30 and b > 180)
    tint = sum(1 for r, g, b in pixels if 180 < r < 225 and 200 < g < 235 and b > 235)
    assert curve > 300
    assert tint > 3000


def test_dollar_signs_in_labels_stay_text(integral: PlotSpec) -> None:
    """GIVEN a title and a curve name with dollar signs (model text) WHEN drawn THEN they show
    as typed, never parsed as mathtext (an unclosed formula would stop the drawing)."""
    from dataclasses import replace

    odd = replace(
        integral,
        title="$\\frac{ costs $5",
        series=(replace(integral.series[0], name="a $b$ c"),),
    )
    svg = plot_svg(odd).decode("utf-8")
    assert "$\\frac{ costs $5" in svg
    assert "a $b$ c" in svg
    assert plot_png(odd).startswith(b"\x89PNG")

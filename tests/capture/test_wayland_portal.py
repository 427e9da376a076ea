"""The xdg-desktop-portal Screenshot path, for real: xdg-desktop-portal with its wlroots backend
on the headless sway, under a D-Bus session; what GNOME and KDE sessions go through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.capture.wayland_session import Probe, png_image, same_opaque_pixels, save_pair
from tests.fakes.portal_session import PortalSession, missing_parts
from tests.fakes.sway_desktop import SwayDesktop, sway_fixture

sway = pytest.fixture(scope="module")(sway_fixture)

# the portal renders every output at the highest scale (2): so does `grim -s 2`
REGIONS = {
    "scale-1-output": (100, 120, 200, 90),
    "scale-2-output": (1500, 300, 120, 80),
    "across-1.5-and-2": (1300, 200, 300, 100),
}


@pytest.fixture(scope="module")
def portal(sway: SwayDesktop) -> Iterator[PortalSession]:
    """A session bus that activates xdg-desktop-portal, -wlr and -gtk, with PipeWire."""
    missing = missing_parts()
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (apt-get install dbus-daemon pipewire-bin "
            "xdg-desktop-portal xdg-desktop-portal-wlr xdg-desktop-portal-gtk)"
        )
    session = PortalSession.start(sway)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def probe(sway: SwayDesktop, portal: PortalSession) -> Iterator[Probe]:
    """The app's capture code in a Qt process on that session bus."""
    process = Probe(sway, DBUS_SESSION_BUS_ADDRESS=portal.address)
    yield process
    process.close()


def test_portal_screenshot_is_grims_whole_desktop(
    sway: SwayDesktop, probe: Probe, portal: PortalSession
) -> None:
    """WHEN the portal strategy captures THEN its image is grim's whole desktop, unpicked."""
    probe.send("portal")
    shot = probe.expect("portal", timeout=150)  # the first call starts the portal
    assert shot["picked"] is False, portal.log()
    image, reference = png_image(shot["png"]), sway.grim()
    save_pair("portal-desktop", image, reference)
    assert image.size == reference.size == (2080 * 2, 600 * 2)
    # off the outputs (below the two smaller ones) grim's pixels are clear: compare the rest
    top = (0, 0, 2080 * 2, 480 * 2)
    assert same_opaque_pixels(image.crop(top), reference.crop(top))


@pytest.mark.parametrize("name", list(REGIONS))
def test_region_through_the_portal_is_grims_capture_at_its_scale(
    name: str, sway: SwayDesktop, probe: Probe, qapp: Any
) -> None:
    """GIVEN no grim for the app WHEN a logical region is grabbed THEN the portal's desktop is cut
    along Qt's output layout into exactly what `grim -s 2 -g` captures there."""
    x, y, w, h = REGIONS[name]
    probe.send(f"portal-cut {x} {y} {w} {h}")
    image = png_image(probe.expect("portal-cut", timeout=60)["png"])
    reference = sway.grim(geometry=f"{x},{y} {w}x{h}", scale=2)
    save_pair(f"portal-{name}", image, reference)
    assert same_opaque_pixels(image, reference)

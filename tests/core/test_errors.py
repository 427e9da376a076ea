"""The errors the user reads, and the one cancel check every loop makes."""

from __future__ import annotations

import threading

import pytest

from desktop_app.core.errors import Cancelled, raise_if_cancelled


def test_raise_if_cancelled_passes_until_the_user_stops() -> None:
    """GIVEN a cancel event WHEN it is clear THEN nothing happens; WHEN set THEN Cancelled (130)."""
    cancel = threading.Event()
    raise_if_cancelled(cancel)
    cancel.set()
    with pytest.raises(Cancelled) as raised:
        raise_if_cancelled(cancel)
    assert raised.value.exit_code == 130
    assert str(raised.value) == "Stopped."


def test_a_stop_inside_an_except_block_hides_the_cut_socket() -> None:
    """GIVEN a stop found while handling the error the stop caused THEN that error is not shown
    as the cause (the traceback with --debug shows the stop, not a socket error)."""
    cancel = threading.Event()
    cancel.set()

    def read_cut_stream() -> None:
        try:
            raise ConnectionResetError("cut")
        except ConnectionResetError:
            raise_if_cancelled(cancel)

    with pytest.raises(Cancelled) as raised:
        read_cut_stream()
    assert raised.value.__suppress_context__

"""torch is imported with Triton kept out, and works without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch", reason="needs the 'local' extra")

SCRIPT = textwrap.dedent(
    """
    import sys
    from desktop_app.core.heavy_imports import import_heavy
    torch = import_heavy("torch")
    try:
        import triton  # noqa: F401
    except ImportError:
        print("TRITON BLOCKED")
    print("MATMUL", float((torch.ones(2, 2) @ torch.ones(2, 2)).sum()))
    import_heavy("transformers").AutoConfig
    print("TRANSFORMERS OK")
    """
)


def test_import_heavy_keeps_triton_out_and_torch_still_works() -> None:
    """GIVEN a fresh process WHEN torch is imported the app's way THEN Triton stays out."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.splitlines() == ["TRITON BLOCKED", "MATMUL 8.0", "TRANSFORMERS OK"]

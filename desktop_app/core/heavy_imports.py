"""Importing torch and transformers safely inside the GUI process."""

from __future__ import annotations

import importlib
import sys
from typing import Any


def import_heavy(name: str) -> Any:
    """Import `name` (torch, transformers, ...) with Triton kept out of the process.

    CUDA builds of torch ship Triton, which only torch.compile uses (we never call it). Triton
    bundles its own LLVM; loading it after QtWebEngine's software OpenGL has loaded Mesa's LLVM
    crashes the process with a segmentation fault. A None entry in sys.modules makes
    `import triton` fail with ImportError, which torch reads as "Triton is not installed".
    """
    if "triton" not in sys.modules:
        sys.modules["triton"] = None  # type: ignore[assignment]
    return importlib.import_module(name)

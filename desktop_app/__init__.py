"""Qwen Math Desktop: snip a math problem, get a typeset step-by-step solution."""

__version__ = "0.1.0"

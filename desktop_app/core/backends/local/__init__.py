"""Internals of the local Transformers backend: model loading/caching and streamed generation.

The public entry point is `desktop_app.core.backends.local_transformers`. Nothing here imports
torch or transformers at module level.
"""

"""Pure-Python heart of the app: no Qt imports allowed here (import-linter enforces it)."""

"""Model backends: each one streams text from a reader (image -> text) or a solver (chat -> text)."""

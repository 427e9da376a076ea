"""Model backends: a reader (image -> text) and a solver (chat -> text), both streamed."""

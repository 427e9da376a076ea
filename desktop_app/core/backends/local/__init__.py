"""The local Transformers backend, one package: `catalogue` (model folders, estimates,
downloads), `loading` (placement, loading, the model cache), `streaming` (the generate thread),
`coalescing` (its text handed over in batches) and `backend` (LocalTransformersBackend, the
reader and solver).

Nothing here imports torch or transformers at module level.
"""

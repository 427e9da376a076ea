"""The history: saved conversations (SQLite, WAL), their images, search, recording, export."""

"""The history: saved conversations (SQLite, WAL), their images, search, recording, export."""

from desktop_app.core.history.models import (
    Conversation,
    ConversationSummary,
    SearchHit,
    Turn,
    TurnStatus,
    UnknownConversation,
    derive_title,
)
from desktop_app.core.history.store import DB_NAME, HistoryStore, default_store_path

__all__ = [
    "DB_NAME",
    "Conversation",
    "ConversationSummary",
    "HistoryStore",
    "SearchHit",
    "Turn",
    "TurnStatus",
    "UnknownConversation",
    "default_store_path",
    "derive_title",
]

"""Web chat's own table (hotline.channels.chat): each centre's chat settings."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Double, ForeignKey, String, Table

from hotline.store.schema import ID, metadata

__all__ = ["chat_settings"]

chat_settings = Table(
    "chat_settings",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    Column("config", JSON, nullable=False),  # channels.chat.settings.ChatConfig
    Column("updated_at", Double, nullable=False),
)

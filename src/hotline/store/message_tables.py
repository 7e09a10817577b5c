"""The text conversations' table (hotline.channels.text, docs/text-conversations.md): every
message of every chat, SMS and e-mail contact, in order per contact, once per sender's id."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Double, Index, Integer, String, Table, Text, UniqueConstraint

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import tenant_column as _tenant

__all__ = ["text_messages"]

text_messages = Table(
    "text_messages",
    metadata,
    _id(),
    _tenant(),
    Column("interaction_id", String(ID), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sender", String(16), nullable=False),  # customer | agent | bot | system
    Column("client_id", String(64), nullable=False),  # the sender's own id: idempotency
    Column("agent_id", String(ID)),
    Column("body", Text, nullable=False),
    Column("attachment", JSON),  # {id, name, content_type, size}
    Column("created_at", Double, nullable=False),
    UniqueConstraint("tenant_id", "interaction_id", "seq", name="uq_text_messages_seq"),
    UniqueConstraint(
        "tenant_id", "interaction_id", "sender", "client_id", name="uq_text_messages_client_id"
    ),
    Index("ix_text_messages_created", "tenant_id", "created_at"),
)

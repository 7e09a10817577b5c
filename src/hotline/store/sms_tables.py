"""The SMS layer's own tables (hotline.channels.sms): every message in and out with its
parts' provider ids and delivery status, the opt-out list, and each center's SMS settings."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Double, ForeignKey, Index, Integer, String, Table, Text

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import tenant_column as _tenant

__all__ = ["sms_messages", "sms_opt_outs", "sms_parts", "sms_settings"]

sms_messages = Table(
    "sms_messages",
    metadata,
    _id(),
    _tenant(),
    Column("direction", String(8), nullable=False),  # in | out
    Column("status", String(16), nullable=False),  # model.SmsStatus
    Column("provider", String(16), nullable=False),  # http | smpp
    Column("sender", String(64), nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("encoding", String(8)),  # gsm7 | ucs2 (outbound)
    Column("parts", Integer, nullable=False),
    Column("purpose", String(32), nullable=False),  # inbound | quick_reply | ticket | flow …
    Column("reference", String(64)),  # the interaction, ticket … it was sent for
    Column("user_id", String(ID)),  # who sent it from the desk
    Column("error", Text),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("delivered_at", Double),
    Index("ix_sms_messages_tenant_created", "tenant_id", "created_at"),
)

sms_parts = Table(
    "sms_parts",
    metadata,
    Column("tenant_id", String(ID), nullable=False, primary_key=True),
    Column("provider", String(16), nullable=False, primary_key=True),
    Column("provider_id", String(100), nullable=False, primary_key=True),
    Column(
        "message_id",
        String(ID),
        ForeignKey("sms_messages.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("part", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("updated_at", Double, nullable=False),
    Index("ix_sms_parts_message_id", "message_id"),
)

sms_opt_outs = Table(
    "sms_opt_outs",
    metadata,
    Column("tenant_id", String(ID), nullable=False, primary_key=True),
    Column("number", String(64), nullable=False, primary_key=True),
    Column("source", String(16), nullable=False),  # keyword | admin
    Column("word", String(32)),
    Column("created_at", Double, nullable=False),
)

sms_settings = Table(
    "sms_settings",
    metadata,
    Column("tenant_id", String(ID), primary_key=True),
    Column("config", JSON, nullable=False),  # channels.sms.settings.SmsConfig
    Column("updated_at", Double, nullable=False),
)

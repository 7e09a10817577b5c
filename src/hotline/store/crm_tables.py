"""The customer record's own tables (hotline.crm, docs/customers.md): organizations, the
merges of duplicate customers (so every history query also finds the merged ids), and the
hints shown during service with the agents' responses (ADR 0164)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = ["customer_merges", "hint_responses", "hint_rules", "organizations"]

organizations = Table(
    "organizations",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("notes", Text, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_organizations_tenant_name"),
)

# `merged_id` was merged into `into_id`: its contacts, tickets and CSAT are the survivor's.
customer_merges = Table(
    "customer_merges",
    metadata,
    Column("merged_id", String(ID), primary_key=True),
    _tenant(),
    Column("into_id", String(ID), nullable=False),
    Column("merged_at", Double, nullable=False),
    Column("merged_by", String(ID)),
    Index("ix_customer_merges_into", "tenant_id", "into_id"),
)


# Hints during service (服务提示): a condition on the customer's fields and history, and what
# the agent sees when it holds (ADR 0164).
hint_rules = Table(
    "hint_rules",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    Column("condition", String(500), nullable=False),
    Column("text_zh", String(500), nullable=False),
    Column("text_en", String(500), nullable=False),
    Column("position", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_hint_rules_tenant_name"),
)

# What the agent did with a hint on a contact (offered, accepted, declined): one row per
# answer, the last one counts; the log has the same as `customer.hint_responded`.
hint_responses = Table(
    "hint_responses",
    metadata,
    _id(),
    _tenant(),
    Column("rule_id", String(ID), nullable=False),
    Column("interaction_id", String(ID), nullable=False),
    Column("customer_id", String(ID)),
    Column("user_id", String(ID)),
    Column("response", String(16), nullable=False),
    Column("at", Double, nullable=False),
    Index("ix_hint_responses_interaction", "tenant_id", "interaction_id"),
    Index("ix_hint_responses_rule_at", "tenant_id", "rule_id", "at"),
)

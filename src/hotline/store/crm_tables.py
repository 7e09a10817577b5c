"""The customer record's own tables (hotline.crm, docs/customers.md): organizations and the
merges of duplicate customers (so every history query also finds the merged ids)."""

from __future__ import annotations

from sqlalchemy import Column, Double, Index, String, Table, Text, UniqueConstraint

from hotline.store.schema import ID, metadata
from hotline.store.schema import id_column as _id
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = ["customer_merges", "organizations"]

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

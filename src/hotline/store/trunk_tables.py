"""The trunks a center manages from its admin pages (hotline.trunks): one row per trunk, its
registration password sealed with the center's key (hotline.vault.secrets)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, UniqueConstraint

from hotline.store.schema import id_column as _id
from hotline.store.schema import metadata
from hotline.store.schema import stamp_columns as _stamps
from hotline.store.schema import tenant_column as _tenant

__all__ = ["trunks"]

trunks = Table(
    "trunks",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(64), nullable=False),
    Column("host", String(253), nullable=False),
    Column("port", Integer, nullable=False),
    Column("transport", String(8), nullable=False),
    Column("username", String(128), nullable=False),
    Column("password", String(1024), nullable=False),  # sealed (hotline.vault.secrets)
    Column("realm", String(253), nullable=False),
    Column("from_domain", String(253), nullable=False),
    Column("register", Boolean, nullable=False),
    Column("register_expires", Integer, nullable=False),
    Column("codecs", JSON, nullable=False),
    Column("inbound_sources", JSON, nullable=False),
    Column("did_from", String(16), nullable=False),
    Column("enabled", Boolean, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name", name="uq_trunks_tenant_name"),
)

"""The knowledge base's tables (hotline.knowledge, docs/knowledge.md): categories, articles with
their current texts, every saved version, links between articles, attachments (files under the
attachment store) and the tenant's synonym groups."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Double,
    ForeignKey,
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

__all__ = [
    "kb_article_versions",
    "kb_articles",
    "kb_attachments",
    "kb_categories",
    "kb_links",
    "kb_synonyms",
]

kb_categories = Table(
    "kb_categories",
    metadata,
    _id(),
    _tenant(),
    Column("name_zh", String(60), nullable=False),
    Column("name_en", String(60), nullable=False),
    Column("position", Integer, nullable=False),
    *_stamps(),
    UniqueConstraint("tenant_id", "name_zh", name="uq_kb_categories_tenant_name_zh"),
)

# The article with its newest texts; `published_version` is the one search and the help page
# show (None when not live).
kb_articles = Table(
    "kb_articles",
    metadata,
    _id(),
    _tenant(),
    Column("status", String(16), nullable=False),
    Column("audience", String(16), nullable=False),
    Column("category_id", String(ID), ForeignKey("kb_categories.id", ondelete="SET NULL")),
    Column("tags", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("published_version", Integer),
    Column("title_zh", String(200), nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("body_en", Text, nullable=False),
    *_stamps(),
    Column("created_by", String(ID)),
    Column("updated_by", String(ID)),
    Index("ix_kb_articles_tenant_status", "tenant_id", "status"),
)

kb_article_versions = Table(
    "kb_article_versions",
    metadata,
    _id(),
    _tenant(),
    Column(
        "article_id", String(ID), ForeignKey("kb_articles.id", ondelete="CASCADE"), nullable=False
    ),
    Column("version", Integer, nullable=False),
    Column("title_zh", String(200), nullable=False),
    Column("body_zh", Text, nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("body_en", Text, nullable=False),
    Column("saved_at", Double, nullable=False),
    Column("saved_by", String(ID)),
    UniqueConstraint("article_id", "version", name="uq_kb_article_versions_article_version"),
)

kb_links = Table(
    "kb_links",
    metadata,
    _tenant(),
    Column(
        "from_id", String(ID), ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("to_id", String(ID), ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, nullable=False),
)

kb_attachments = Table(
    "kb_attachments",
    metadata,
    _id(),
    _tenant(),
    Column(
        "article_id", String(ID), ForeignKey("kb_articles.id", ondelete="CASCADE"), nullable=False
    ),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("storage_key", String(300), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("created_by", String(ID)),
    Index("ix_kb_attachments_article", "tenant_id", "article_id"),
)

# One row per group; the first term is the one the others mean.
kb_synonyms = Table(
    "kb_synonyms",
    metadata,
    _id(),
    _tenant(),
    Column("terms", JSON, nullable=False),
    Column("position", Integer, nullable=False),
)

"""What every table module shares: the metadata (with its naming convention, which the
migrations follow) and the columns most tables start with."""

from __future__ import annotations

from sqlalchemy import Column, Double, ForeignKey, MetaData, String

__all__ = ["ID", "id_column", "metadata", "stamp_columns", "tenant_column"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 26  # ULID length


def id_column() -> Column[str]:
    return Column("id", String(ID), primary_key=True)


def tenant_column() -> Column[str]:
    return Column(
        "tenant_id", String(ID), ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )


def stamp_columns() -> tuple[Column[float], Column[float]]:
    return (
        Column("created_at", Double, nullable=False),
        Column("updated_at", Double, nullable=False),
    )

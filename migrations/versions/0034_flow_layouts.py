"""flows: where the designer's boxes stood, kept beside each published version

Revision ID: 0034
Revises: 0032

A layout is no part of the flow's meaning (the document and its hash never see it); a version
without one is laid out automatically (ADR 0191).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_layouts",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.Double(), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "name", "version"],
            ["flow_versions.tenant_id", "flow_versions.name", "flow_versions.version"],
            name=op.f("fk_flow_layouts_tenant_id_flow_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "name", "version", name=op.f("pk_flow_layouts")),
    )


def downgrade() -> None:
    op.drop_table("flow_layouts")

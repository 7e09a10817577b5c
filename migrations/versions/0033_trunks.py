"""trunks: the SIP trunks a center manages from its admin pages (password sealed)

Revision ID: 0033
Revises: 0034
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trunks",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("tenant_id", sa.String(26), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(8), nullable=False),
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("password", sa.String(1024), nullable=False),
        sa.Column("realm", sa.String(253), nullable=False),
        sa.Column("from_domain", sa.String(253), nullable=False),
        sa.Column("register", sa.Boolean(), nullable=False),
        sa.Column("register_expires", sa.Integer(), nullable=False),
        sa.Column("codecs", sa.JSON(), nullable=False),
        sa.Column("inbound_sources", sa.JSON(), nullable=False),
        sa.Column("did_from", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_trunks_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trunks"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_trunks_tenant_name"),
    )


def downgrade() -> None:
    op.drop_table("trunks")

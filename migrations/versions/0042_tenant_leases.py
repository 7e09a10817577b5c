"""cluster: tenant ownership leases with fencing tokens (`tenant_leases`, `cluster_nodes`,
`event_sequences.fence`)

Revision ID: 0042
Revises: 0041

Issue 26, ADR 0209: one node at a time owns a center's live state. Its lease carries a fencing
token raised at every change of owner; the event log's sequence row keeps the highest token
that wrote or took over, and refuses a write that brings a lower one (a node that was paused
past its lease). Existing rows start at fence 0, which every write without ownership passes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_leases",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("acquired_at", sa.Double(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_leases")),
    )
    op.create_table(
        "cluster_nodes",
        sa.Column("node", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("seen_at", sa.Double(), nullable=False),
        sa.Column("owned", sa.Integer(), nullable=False),
        sa.Column("left_at", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_cluster_nodes")),
    )
    with op.batch_alter_table("event_sequences") as batch:
        batch.add_column(sa.Column("fence", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("event_sequences") as batch:
        batch.drop_column("fence")
    op.drop_table("cluster_nodes")
    op.drop_table("tenant_leases")

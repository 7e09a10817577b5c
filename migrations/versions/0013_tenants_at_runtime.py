"""tenants at runtime: kind, status and limits of a tenant; one-time passwords

Revision ID: 0013
Revises: 0011

Every existing tenant is an active center without limits; every existing user has a password
of their own (docs/tenants.md, ADR 0140).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="center", nullable=False)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="active", nullable=False)
        )
        batch_op.add_column(sa.Column("status_changed_at", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("delete_after", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("max_agents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_concurrent_calls", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_recording_mb", sa.Integer(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for column in (
            "max_recording_mb",
            "max_concurrent_calls",
            "max_agents",
            "delete_after",
            "status_changed_at",
            "status",
            "kind",
        ):
            batch_op.drop_column(column)

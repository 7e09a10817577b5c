"""tickets: the activity each ticket's timeline shows; contacts by caller number

Revision ID: 0017
Revises: 0016

A ticket's activity is written with its events from now on; tickets opened before this
revision show their comments, contacts and current state (their older events stay in the log).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_caller", ["tenant_id", "caller_number"], unique=False
        )

    op.create_table(
        "ticket_activity",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("ticket_id", sa.String(length=26), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ticket_activity_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_activity_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_activity")),
    )
    with op.batch_alter_table("ticket_activity", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_activity_ticket", ["ticket_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_activity", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_activity_ticket")
    op.drop_table("ticket_activity")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_caller")

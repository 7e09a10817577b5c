"""sms: every SMS in and out with its parts' provider ids and delivery status, the opt-out
list, each center's SMS settings

Revision ID: 0025
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=True),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("user_id", sa.String(length=26), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("delivered_at", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sms_messages_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
    )
    op.create_index("ix_sms_messages_tenant_created", "sms_messages", ["tenant_id", "created_at"])
    op.create_table(
        "sms_parts",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_id", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=26), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["sms_messages.id"],
            name=op.f("fk_sms_parts_message_id_sms_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "provider", "provider_id", name=op.f("pk_sms_parts")),
    )
    op.create_index("ix_sms_parts_message_id", "sms_parts", ["message_id"])
    op.create_table(
        "sms_opt_outs",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("word", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "number", name=op.f("pk_sms_opt_outs")),
    )
    op.create_table(
        "sms_settings",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_sms_settings")),
    )


def downgrade() -> None:
    op.drop_table("sms_settings")
    op.drop_table("sms_opt_outs")
    op.drop_index("ix_sms_parts_message_id", table_name="sms_parts")
    op.drop_table("sms_parts")
    op.drop_index("ix_sms_messages_tenant_created", table_name="sms_messages")
    op.drop_table("sms_messages")

"""chat: each centre's web chat settings (files visitors and agents may send)

Revision ID: 0037
Revises: 0033

One JSON document per centre, validated by `hotline.channels.chat.settings` (ADR 0233).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_settings",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_chat_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_chat_settings")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("chat_settings")

"""text_messages, blended capacity: the messages of chat, SMS and e-mail contacts; which
channels an agent may hold together; each queue's channel (issue 21, ADRs 0220, 0221)

Revision ID: 0024
Revises: 0023

Each message in order per contact (`seq`) and once per sender's own id (`client_id`), so a
message sent again after a reconnect is recognised. The contact id is not a foreign key: a
message is kept before the contact's projection row exists. Agents keep the routing rule of
voice (no other work during a call, no call during other work) until an admin relaxes it;
queues stay voice queues.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_messages",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_text_messages_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_messages")),
        sa.UniqueConstraint("tenant_id", "interaction_id", "seq", name="uq_text_messages_seq"),
        sa.UniqueConstraint(
            "tenant_id",
            "interaction_id",
            "sender",
            "client_id",
            name="uq_text_messages_client_id",
        ),
    )
    op.create_index(
        "ix_text_messages_created", "text_messages", ["tenant_id", "created_at"], unique=False
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        for name in ("text_during_call", "call_during_text"):
            batch_op.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)
            )
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=16), server_default="voice", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("channel")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("call_during_text")
        batch_op.drop_column("text_during_call")
    op.drop_index("ix_text_messages_created", table_name="text_messages")
    op.drop_table("text_messages")

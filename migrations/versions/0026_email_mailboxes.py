"""email: mailboxes (IMAP in, SMTP out, the read cursor) and the mails read and sent

Revision ID: 0026
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailboxes",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("tenant_id", sa.String(26), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("imap_host", sa.String(253), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=False),
        sa.Column("imap_tls", sa.String(16), nullable=False),
        sa.Column("imap_username", sa.String(254), nullable=False),
        sa.Column("imap_password", sa.String(500), nullable=False),
        sa.Column("imap_folder", sa.String(200), nullable=False),
        sa.Column("smtp_host", sa.String(253), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_tls", sa.String(16), nullable=False),
        sa.Column("smtp_username", sa.String(254), nullable=False),
        sa.Column("smtp_password", sa.String(500), nullable=False),
        sa.Column("verify_tls", sa.Boolean(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("auto_reply", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("poll_s", sa.Double(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_mailboxes_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mailboxes"),
        sa.UniqueConstraint("tenant_id", "address", name="uq_mailboxes_tenant_address"),
    )  # fmt: skip
    op.create_table(
        "mails",
        sa.Column("id", sa.String(26), nullable=False),
        sa.Column("tenant_id", sa.String(26), nullable=False),
        sa.Column("mailbox_id", sa.String(26), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(500), nullable=False),
        sa.Column("in_reply_to", sa.String(500), nullable=True),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("thread_key", sa.String(26), nullable=False),
        sa.Column("token", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(254), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("cc", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("safe_html", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("raw_key", sa.String(300), nullable=True),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("automatic", sa.String(32), nullable=True),
        sa.Column("auto_replied_at", sa.Double(), nullable=True),
        sa.Column("conversation_id", sa.String(26), nullable=True),
        sa.Column("ticket_id", sa.String(26), nullable=True),
        sa.Column("customer_id", sa.String(26), nullable=True),
        sa.Column("author_id", sa.String(26), nullable=True),
        sa.ForeignKeyConstraint(
            ["mailbox_id"], ["mailboxes.id"], name="fk_mails_mailbox_id_mailboxes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name="fk_mails_tenant_id_tenants", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mails"),
        sa.UniqueConstraint("mailbox_id", "uidvalidity", "uid", name="uq_mails_mailbox_uid"),
    )  # fmt: skip
    op.create_index("ix_mails_tenant_message", "mails", ["tenant_id", "message_id"])
    op.create_index("ix_mails_tenant_thread", "mails", ["tenant_id", "thread_key", "at"])
    op.create_index("ix_mails_tenant_token", "mails", ["tenant_id", "token"])
    op.create_index("ix_mails_tenant_sender", "mails", ["tenant_id", "sender", "auto_replied_at"])


def downgrade() -> None:
    op.drop_table("mails")
    op.drop_table("mailboxes")

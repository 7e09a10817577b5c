"""webhooks, mailboxes: room for sealed secrets

Revision ID: 0030
Revises: 0024

A webhook's secret and a mailbox's passwords are stored sealed with the center's key
(`hotline.vault.secrets`): the sealed text of a 200-character secret takes about 330, of a
500-character password about 730. Secrets stored plain before this revision keep working and
are sealed when next changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.String(200), type_=sa.String(512), existing_nullable=False
        )
    with op.batch_alter_table("mailboxes", schema=None) as batch_op:
        for column in ("imap_password", "smtp_password"):
            batch_op.alter_column(
                column, existing_type=sa.String(500), type_=sa.String(1024), existing_nullable=False
            )


def downgrade() -> None:
    with op.batch_alter_table("mailboxes", schema=None) as batch_op:
        for column in ("imap_password", "smtp_password"):
            batch_op.alter_column(
                column, existing_type=sa.String(1024), type_=sa.String(500), existing_nullable=False
            )
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.alter_column(
            "secret", existing_type=sa.String(512), type_=sa.String(200), existing_nullable=False
        )

"""email: when a kept mail was handed to its conversation (`mails.taken_at`); a mailbox's CA
file for TLS (`mailboxes.tls_ca_file`)

Revision ID: 0038
Revises: 0037

A mail is kept in one transaction and handed to the conversation core after it commits; a
crash between the two left it without a contact. `taken_at` is written once it was handed
on, so the reader's next pass hands on every mail kept but not taken (ADR 0246). Mails kept
before this revision count as taken. A mailbox's servers may be vouched for by a CA of the
center's own (`tls_ca_file`, a PEM file; none: the system's CAs), ADR 0247.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mails", sa.Column("taken_at", sa.Double(), nullable=True))
    op.execute("UPDATE mails SET taken_at = at WHERE direction = 'in'")
    op.create_index("ix_mails_mailbox_taken", "mails", ["mailbox_id", "taken_at"])
    op.add_column("mailboxes", sa.Column("tls_ca_file", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_mails_mailbox_taken", table_name="mails")
    with op.batch_alter_table("mails") as batch:
        batch.drop_column("taken_at")
    with op.batch_alter_table("mailboxes") as batch:
        batch.drop_column("tls_ca_file")

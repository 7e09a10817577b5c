"""dialer: editable pacing cap and dispositions per campaign, staffed seconds, and the
attempts log (`dialer_attempts`)

Revision ID: 0040
Revises: 0035

Issue 24, ADR 0196: one row per finished dial, from which the campaign's figures (abandon rate
over its rolling window and lifetime, connects, right-party contacts, conversions, AMD
outcomes as the live detector decided them, talk occupancy) and the pacer's windows after a
restart are read. Campaigns made before this revision keep the pacer's former cap (5 calls per
staffed agent) and have no dispositions. What a machine gets stays in the retry settings
(`retry.machine.action`, ADR 0197).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dialer_campaigns") as batch:
        batch.add_column(
            sa.Column("max_lines_per_agent", sa.Double(), nullable=False, server_default="5")
        )
        batch.add_column(sa.Column("dispositions", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("staffed_s", sa.Double(), nullable=False, server_default="0"))
    op.create_table(
        "dialer_attempts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("campaign_id", sa.String(length=26), nullable=False),
        sa.Column("record_id", sa.String(length=26), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.Double(), nullable=True),
        sa.Column("handle_s", sa.Double(), nullable=False),
        sa.Column("right_party", sa.Boolean(), nullable=False),
        sa.Column("conversion", sa.Boolean(), nullable=False),
        sa.Column("amd_verdict", sa.String(length=8), nullable=True),
        sa.Column("amd_sure", sa.Boolean(), nullable=True),
        sa.Column("amd_decision_s", sa.Double(), nullable=True),
        sa.Column("machine_message_left", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["dialer_campaigns.id"],
            name=op.f("fk_dialer_attempts_campaign_id_dialer_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialer_attempts")),
    )
    op.create_index("ix_dialer_attempts_campaign_at", "dialer_attempts", ["campaign_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_dialer_attempts_campaign_at", table_name="dialer_attempts")
    op.drop_table("dialer_attempts")
    with op.batch_alter_table("dialer_campaigns") as batch:
        batch.drop_column("staffed_s")
        batch.drop_column("dispositions")
        batch.drop_column("max_lines_per_agent")

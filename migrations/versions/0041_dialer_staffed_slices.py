"""dialer: staffed agent-seconds per campaign and 15-minute slice (`dialer_staffed`)

Revision ID: 0041
Revises: 0040

Issue 24, ADR 0208: the live dialer adds each campaign's staffed agent-seconds to the slice
they fall in (epoch seconds, a multiple of 900), beside the running total
`dialer_campaigns.staffed_s`, so a report period's talk occupancy divides its attempts' agent
seconds by the period's own staffed time. Campaigns that dialed before this revision have no
slices: their periods before it show no talk occupancy ("—"), their to-date figure is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialer_staffed",
        sa.Column("campaign_id", sa.String(length=26), nullable=False),
        sa.Column("slice_at", sa.Double(), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("staffed_s", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["dialer_campaigns.id"],
            name=op.f("fk_dialer_staffed_campaign_id_dialer_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_staffed_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "slice_at", name="pk_dialer_staffed"),
    )


def downgrade() -> None:
    op.drop_table("dialer_staffed")

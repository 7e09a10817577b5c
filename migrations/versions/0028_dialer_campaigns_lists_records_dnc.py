"""dialer: campaigns, call lists and entries, campaign lists, records, do-not-call, caller-id days

Revision ID: 0028
Revises: 0027

Issue 24 (docs/dialer.md). Written on a branch after 0020: the lead re-chains it at merge.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialer_callerid_days",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("caller_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("dials", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_callerid_days_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "caller_id", "day", name="pk_dialer_callerid_days"),
    )
    op.create_table(
        "dialer_campaigns",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=True),
        sa.Column("flow_id", sa.String(length=64), nullable=True),
        sa.Column("abandon_cap", sa.Double(), nullable=False),
        sa.Column("abandon_window_s", sa.Double(), nullable=False),
        sa.Column("ring_timeout_s", sa.Double(), nullable=False),
        sa.Column("caller_ids", sa.JSON(), nullable=False),
        sa.Column("caller_id_daily_cap", sa.Integer(), nullable=False),
        sa.Column("window", sa.JSON(), nullable=False),
        sa.Column("calendar_id", sa.String(length=26), nullable=True),
        sa.Column("retry", sa.JSON(), nullable=False),
        sa.Column("script", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_campaigns_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialer_campaigns")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_dialer_campaigns_tenant_name"),
    )
    op.create_table(
        "dialer_dnc",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("campaign_id", sa.String(length=26), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_dnc_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "campaign_id", "phone", name="pk_dialer_dnc"),
    )
    op.create_table(
        "dialer_lists",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_lists_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialer_lists")),
        sa.UniqueConstraint("tenant_id", "name", name="uq_dialer_lists_tenant_name"),
    )
    op.create_table(
        "dialer_campaign_lists",
        sa.Column("campaign_id", sa.String(length=26), nullable=False),
        sa.Column("list_id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ordering", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["dialer_campaigns.id"],
            name=op.f("fk_dialer_campaign_lists_campaign_id_dialer_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["dialer_lists.id"],
            name=op.f("fk_dialer_campaign_lists_list_id_dialer_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_campaign_lists_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "list_id", name="pk_dialer_campaign_lists"),
    )
    op.create_table(
        "dialer_list_entries",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("list_id", sa.String(length=26), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["dialer_lists.id"],
            name=op.f("fk_dialer_list_entries_list_id_dialer_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_list_entries_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialer_list_entries")),
        sa.UniqueConstraint("list_id", "phone", name="uq_dialer_list_entries_list_phone"),
    )
    op.create_table(
        "dialer_records",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("campaign_id", sa.String(length=26), nullable=False),
        sa.Column("list_id", sa.String(length=26), nullable=False),
        sa.Column("entry_id", sa.String(length=26), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.Double(), nullable=False),
        sa.Column("last_outcome", sa.String(length=16), nullable=True),
        sa.Column("last_cause", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(length=26), nullable=True),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["dialer_campaigns.id"],
            name=op.f("fk_dialer_records_campaign_id_dialer_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_dialer_records_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialer_records")),
        sa.UniqueConstraint("campaign_id", "phone", name="uq_dialer_records_campaign_phone"),
    )
    with op.batch_alter_table("dialer_records", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dialer_records_due", ["campaign_id", "status", "next_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("dialer_records", schema=None) as batch_op:
        batch_op.drop_index("ix_dialer_records_due")

    op.drop_table("dialer_records")
    op.drop_table("dialer_list_entries")
    op.drop_table("dialer_campaign_lists")
    op.drop_table("dialer_lists")
    op.drop_table("dialer_dnc")
    op.drop_table("dialer_campaigns")
    op.drop_table("dialer_callerid_days")

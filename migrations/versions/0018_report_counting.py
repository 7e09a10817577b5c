"""reports: a tenant's counting rules (short abandons, FCR window, VIP threshold, satisfied)

Revision ID: 0018
Revises: 0017

Tenants without a row count with the defaults, as before this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_counting",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_report_counting_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_report_counting")),
    )


def downgrade() -> None:
    op.drop_table("report_counting")

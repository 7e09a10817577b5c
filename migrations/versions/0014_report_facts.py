"""reports: interval facts, daily facts, reason facts, the rollup's state, targets

Revision ID: 0014
Revises: 0013

The facts are a projection of the event log (cursor `reports`): after the upgrade the rollup
projects the whole log from seq 0 by itself (ADR 0130).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = 26

# The measure columns of `report_facts`, in order (hotline.analytics.reports.measures.M), as
# they were at this revision.
MEASURES = (
    "contacts", "offered", "answered", "answered_in_sl", "answer_wait_ms", "abandoned",
    "short_abandoned", "abandoned_after_sl", "abandon_wait_ms", "longest_wait_ms", "rejected",
    "exited", "callbacks_requested", "callbacks_made", "callbacks_failed", "voicemails",
    "handled", "talk_ms", "hold_ms", "holds", "acw_ms", "handle_ms", "acw_overruns",
    "acw_overrun_ms", "transfers", "consults", "dispositioned", "sales", "csat_answers",
    "csat_satisfied", "csat_score", "fcr_contacts", "fcr_unresolved", "login_ms",
    "available_ms", "busy_ms", "wrap_up_ms", "not_ready_ms",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "report_facts",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in MEASURES
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "dim", "interval_start", "key", name=op.f("pk_report_facts")
        ),
    )
    op.create_table(
        "report_days",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("day_start", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in MEASURES
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "dim", "day_start", "key", name=op.f("pk_report_days")
        ),
    )
    op.create_table(
        "report_reasons",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("dim", sa.String(length=16), nullable=False),
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=False),
        sa.Column("times", sa.BigInteger(), nullable=False),
        sa.Column("ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "dim",
            "interval_start",
            "key",
            "kind",
            "reason",
            name=op.f("pk_report_reasons"),
        ),
    )
    op.create_table(
        "report_state",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "key", name=op.f("pk_report_state")),
    )
    op.create_table(
        "report_targets",
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("queue_id", sa.String(length=64), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_report_targets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "queue_id", name=op.f("pk_report_targets")),
    )


def downgrade() -> None:
    op.drop_table("report_targets")
    op.drop_table("report_state")
    op.drop_table("report_reasons")
    op.drop_table("report_days")
    op.drop_table("report_facts")
    op.execute("DELETE FROM projection_cursors WHERE name = 'reports'")

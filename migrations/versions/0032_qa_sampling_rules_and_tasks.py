"""quality: QA sampling rules per center and the evaluation tasks they make

Revision ID: 0032
Revises: 0030

The sampling job (`quality.sampling`, weekly on the job host) reads a center's rules and writes
one task per picked contact, never two for the same contact (docs/quality.md, ADR 0214–0216).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0030"
branch_labels = None
depends_on = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "qa_sampling_rules",
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=26), nullable=True),
        _tenant_fk("qa_sampling_rules"),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_qa_sampling_rules")),
    )
    op.create_table(
        "qa_tasks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("tenant_id", sa.String(length=26), nullable=False),
        sa.Column("interaction_id", sa.String(length=26), nullable=False),
        sa.Column("work_id", sa.String(length=26), nullable=False),
        sa.Column("agent_id", sa.String(length=26), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("assignee_id", sa.String(length=26), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        _tenant_fk("qa_tasks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_tasks")),
        sa.UniqueConstraint("tenant_id", "interaction_id", name="uq_qa_tasks_contact"),
    )
    with op.batch_alter_table("qa_tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_qa_tasks_assignee", ["tenant_id", "assignee_id", "state"], unique=False
        )
        batch_op.create_index("ix_qa_tasks_week", ["tenant_id", "week"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_tasks_week")
        batch_op.drop_index("ix_qa_tasks_assignee")
    op.drop_table("qa_tasks")
    op.drop_table("qa_sampling_rules")

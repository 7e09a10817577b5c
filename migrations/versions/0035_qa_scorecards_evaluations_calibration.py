"""quality: scorecard versions, evaluations with comments at times, calibration sessions

Revision ID: 0035
Revises: 0038

Scorecards are versioned and a published version is never written again; an evaluation scores
one agent segment against one version; a dispute goes to a second evaluator; a calibration has
several evaluators score the same segment (docs/quality.md, ADR 0217–0219).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0038"
branch_labels = None
depends_on = None

ID = 26


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "qa_scorecards",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("form", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("created_by", sa.String(length=ID), nullable=True),
        sa.Column("published_at", sa.Double(), nullable=True),
        _tenant_fk("qa_scorecards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_scorecards")),
        sa.UniqueConstraint("tenant_id", "name", "version", name="uq_qa_scorecards_version"),
    )
    op.create_table(
        "qa_evaluations",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("task_id", sa.String(length=ID), nullable=True),
        sa.Column("calibration_id", sa.String(length=ID), nullable=True),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("work_id", sa.String(length=ID), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=False),
        sa.Column("evaluator_id", sa.String(length=ID), nullable=False),
        sa.Column("scorecard", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("critical_failed", sa.JSON(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("submitted_at", sa.Double(), nullable=True),
        sa.Column("acknowledged_at", sa.Double(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=False),
        sa.Column("disputed_at", sa.Double(), nullable=True),
        sa.Column("second_evaluator_id", sa.String(length=ID), nullable=True),
        sa.Column("resolver_id", sa.String(length=ID), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("original_score", sa.Double(), nullable=True),
        sa.Column("resolved_at", sa.Double(), nullable=True),
        _tenant_fk("qa_evaluations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_evaluations")),
        sa.UniqueConstraint("tenant_id", "task_id", name="uq_qa_evaluations_task"),
        sa.UniqueConstraint(
            "tenant_id", "calibration_id", "evaluator_id", name="uq_qa_evaluations_calibration"
        ),
    )
    op.create_index(
        "ix_qa_evaluations_agent", "qa_evaluations", ["tenant_id", "agent_id", "submitted_at"]
    )
    op.create_index(
        "ix_qa_evaluations_evaluator", "qa_evaluations", ["tenant_id", "evaluator_id", "state"]
    )
    op.create_table(
        "qa_evaluation_comments",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("evaluation_id", sa.String(length=ID), nullable=False),
        sa.Column("at_s", sa.Double(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=ID), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        _tenant_fk("qa_evaluation_comments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_evaluation_comments")),
    )
    op.create_index(
        "ix_qa_evaluation_comments_evaluation", "qa_evaluation_comments",
        ["tenant_id", "evaluation_id", "at_s"],
    )  # fmt: skip
    op.create_table(
        "qa_calibrations",
        sa.Column("id", sa.String(length=ID), nullable=False),
        sa.Column("tenant_id", sa.String(length=ID), nullable=False),
        sa.Column("interaction_id", sa.String(length=ID), nullable=False),
        sa.Column("work_id", sa.String(length=ID), nullable=False),
        sa.Column("agent_id", sa.String(length=ID), nullable=False),
        sa.Column("scorecard", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("evaluators", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=ID), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        _tenant_fk("qa_calibrations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_calibrations")),
    )


def downgrade() -> None:
    op.drop_table("qa_calibrations")
    op.drop_index("ix_qa_evaluation_comments_evaluation", table_name="qa_evaluation_comments")
    op.drop_table("qa_evaluation_comments")
    op.drop_index("ix_qa_evaluations_evaluator", table_name="qa_evaluations")
    op.drop_index("ix_qa_evaluations_agent", table_name="qa_evaluations")
    op.drop_table("qa_evaluations")
    op.drop_table("qa_scorecards")
